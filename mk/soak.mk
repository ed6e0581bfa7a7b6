# Soak (docs/SECURITY.md "Soak"): stream mode over the in-process simulated
# line at BER 1e-5, 1e-4 and 1e-3, every byte checked.
#   make soak        SOAK_FRAMES frames a->b per BER (default 10^6: the full run)
#   make soak-ci     3*10^4 frames per BER; part of make check
# Both print a table and write $(BUILD)/soak.json.  They use the MTU an
# operator would pick per noise level (1104/256/64).
#   make soak-noisy-ci   issue 14: the default configuration (MTU 0, nothing
#                    tuned) at BER 1e-4 and 1e-3 until 1000 bits were flipped;
#                    part of make check.  Fails on a wrong byte delivered, a
#                    stall, a session both ends held ending, or goodput below
#                    the floor.  Simulated time, seed 1: deterministic, so the
#                    floor guards against regressions, not against chance.
#                    Floors (docs/PERFORMANCE.md): seed 1 measures 0.665 at
#                    1e-4 (seeds 1-10: 0.593-0.692) and 0.077 at 1e-3 (seeds
#                    1-10: 0.009-0.101, the handshake's time varying 7-184 s);
#                    each floor is about 3/4 and 1/2 of the seed-1 figure,
#                    above what the code gave before issue 14's changes
#                    (0.600 at 1e-4 is above 0.50, but 0.010 at 1e-3 is
#                    well below 0.04: the uncapped handshake backoff fails it).
#
# ATTACK_FULL=1 also lets the sanitizer pass of tests/unit/test_attack.c run
# all 1000 simultaneous-open runs (the normal build always does).
.PHONY: soak soak-ci soak-noisy-ci
SOAK_FRAMES ?= 1000000
SOAK_CI_FRAMES ?= 30000
SOAK_NOISY_FLOOR_1E4 ?= 0.50
SOAK_NOISY_FLOOR_1E3 ?= 0.04
ALL_TARGETS += $(BUILD)/soak
CHECK_TARGETS += soak-ci soak-noisy-ci

ifeq ($(ATTACK_FULL),1)
export SLINK_ATTACK_FULL := 1
endif

$(BUILD)/soak: tests/soak/soak.c $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common $(CFLAGS_HOST) $< $(TEST_COMMON_OBJ) $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

soak: $(BUILD)/soak
	$(BUILD)/soak --frames $(SOAK_FRAMES) --json $(BUILD)/soak.json

soak-ci: $(BUILD)/soak
	$(BUILD)/soak --frames $(SOAK_CI_FRAMES) --json $(BUILD)/soak.json

soak-noisy-ci: $(BUILD)/soak
	@set -e; \
	$(BUILD)/soak --ber 1e-4 --mtu 0 --min-bits 1000 --frames 100 --sim-limit 3600 --seed 1 \
	    --min-goodput $(SOAK_NOISY_FLOOR_1E4) --json $(BUILD)/soak-noisy-1e-4.json; \
	$(BUILD)/soak --ber 1e-3 --mtu 0 --min-bits 1000 --frames 100 --sim-limit 3600 --seed 1 \
	    --min-goodput $(SOAK_NOISY_FLOOR_1E3) --json $(BUILD)/soak-noisy-1e-3.json
