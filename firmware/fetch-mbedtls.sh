#!/usr/bin/env bash
# Fetches Debian trixie's mbedtls 3.6 LTS source package into $1 (default
# build/mbedtls-src) for the firmware cross-build (and the host build of
# the mbedTLS backend against 3.6, mk/mbedtls36.mk).  The source is never
# committed: it is downloaded at build time and cached under build/.
# p256-m, the device backend's ECC (src/backends/p256m/), comes from its
# 3rdparty/p256-m folder.
#
# The download goes through tools/fetch-trixie-src.sh: an apt
# configuration of our own under $DEST/apt with one deb-src entry for
# trixie, so the machine's apt setup is never touched and binary installs
# stay on the machine's own suites.
#
# Result: $DEST/mbedtls/ is the unpacked source tree (library/, include/,
# 3rdparty/p256-m/).
set -euo pipefail

DEST=${1:-build/mbedtls-src}
here=$(cd "$(dirname "$0")" && pwd)
VER_H=include/mbedtls/build_info.h

# A cached 2.28 tree (from before the move to 3.6) has no build_info.h
# and is replaced.
if [ -f "$DEST/mbedtls/$VER_H" ] && [ -f "$DEST/mbedtls/3rdparty/p256-m/p256-m/p256-m.c" ]; then
    echo "fetch-mbedtls: cached in $DEST/mbedtls"
    exit 0
fi
mkdir -p "$DEST"
bash "$here/../tools/fetch-trixie-src.sh" mbedtls '3.6.*' "$DEST/apt" "$DEST/mbedtls" \
    3rdparty/p256-m/p256-m/p256-m.c
case "$(grep -E '#define MBEDTLS_VERSION_STRING ' "$DEST/mbedtls/$VER_H")" in
    *'"3.6.'*) ;;
    *) echo "fetch-mbedtls: expected mbedtls 3.6.x, got: $(grep -E '#define MBEDTLS_VERSION_STRING ' "$DEST/mbedtls/$VER_H")" >&2
       rm -rf "$DEST/mbedtls"; exit 1 ;;
esac
echo "fetch-mbedtls: $(grep -E '#define MBEDTLS_VERSION_STRING ' "$DEST/mbedtls/$VER_H" | awk '{print $3}') in $DEST/mbedtls"
