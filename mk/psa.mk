# The PSA Crypto backend (src/backends/psa/) linked with the same core, and
# the whole unit suite run against it: the backend is chosen at link time,
# so this is a second library and a second set of test binaries, nothing
# else.  Debian's mbedTLS 2.28 provides the PSA API (libmbedcrypto).
#   make unit-psa     unit tests on the PSA backend (part of make check)
#   make xbackend     signatures made by each backend verify on the other
#                     and an identity key used by PSA key id (part of check)

PSA_DIR  := $(BUILD)/psa
PSA_SRC  := $(CORE_ONLY_SRC) $(sort $(wildcard src/backends/psa/*.c))
PSA_OBJ  := $(patsubst src/%.c,$(PSA_DIR)/obj/src/%.o,$(PSA_SRC))
PSA_LIB  := $(PSA_DIR)/libslink.a
# Tests with link lines of their own in other fragments (daemon config,
# line simulators, bus network, firmware entropy: tool code, not the
# backend) are left out; a new one of those is added here.
PSA_UNIT_SKIP := test_slinkd_config test_linesim test_linesim_bus test_bus test_fw_entropy test_mb_entropy
PSA_UNIT_SRC  := $(filter-out $(patsubst %,tests/unit/%.c,$(PSA_UNIT_SKIP)),$(UNIT_SRC))
PSA_UNIT_BINS := $(patsubst tests/unit/%.c,$(PSA_DIR)/tests/%,$(PSA_UNIT_SRC))

.PHONY: unit-psa xbackend
CHECK_TARGETS += unit-psa xbackend

$(PSA_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_CORE) -c $< -o $@

$(PSA_LIB): $(PSA_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(PSA_DIR)/tests/test_%: tests/unit/test_%.c $(TEST_COMMON_OBJ) $(PSA_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Isrc $(CFLAGS_HOST) $< $(TEST_COMMON_OBJ) $(PSA_LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

unit-psa: $(PSA_UNIT_BINS)
	@set -e; for t in $(PSA_UNIT_BINS); do echo "== $$t"; CK_FORK=yes $$t; done

# One program, linked once with each backend (tests/psa/xsign.c).
$(PSA_DIR)/xsign-psa: tests/psa/xsign.c tests/psa/xsign_psa_key.c $(PSA_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) tests/psa/xsign.c tests/psa/xsign_psa_key.c $(PSA_LIB) $(MBEDTLS_LIBS) -o $@

$(PSA_DIR)/xsign-mbedtls: tests/psa/xsign.c tests/psa/xsign_no_key_store.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) tests/psa/xsign.c tests/psa/xsign_no_key_store.c $(LIB) $(MBEDTLS_LIBS) -o $@

xbackend: $(PSA_DIR)/xsign-psa $(PSA_DIR)/xsign-mbedtls
	@bash tests/psa/xbackend.sh $(PSA_DIR)/xsign-mbedtls $(PSA_DIR)/xsign-psa
