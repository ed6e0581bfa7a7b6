# Soak (docs/SECURITY.md "Soak"): stream mode over the in-process simulated
# line at BER 1e-5, 1e-4 and 1e-3, every byte checked.
#   make soak        SOAK_FRAMES frames a->b per BER (default 10^6: the full run)
#   make soak-ci     3*10^4 frames per BER; part of make check
# Both print a table and write $(BUILD)/soak.json.
#
# ATTACK_FULL=1 also lets the sanitizer pass of tests/unit/test_attack.c run
# all 1000 simultaneous-open runs (the normal build always does).
.PHONY: soak soak-ci
SOAK_FRAMES ?= 1000000
SOAK_CI_FRAMES ?= 30000
ALL_TARGETS += $(BUILD)/soak
CHECK_TARGETS += soak-ci

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
