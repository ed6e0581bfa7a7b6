#!/usr/bin/env bash
# The "while established" half of slinkd_t_hostile.sh (see there): the two
# halves run as separate tests so each stays inside the runner's time limit.
HOSTILE_GROUP=established exec bash "$(dirname "$0")/slinkd_t_hostile.sh"
