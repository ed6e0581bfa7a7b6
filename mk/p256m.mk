# The p256-m device backend (src/backends/p256m/: P-256 from p256-m, AES-GCM
# and SHA-256 through src/backends/mbedtls/'s AEAD and hash files) built for
# the host, and the whole unit suite run against it, as mk/psa.mk does for
# the PSA backend: the NIST AES-GCM and ECDSA P-256 SigVer known-answer
# tests (test_nist), the RFC 6979 vectors (test_ecc) and every protocol
# test.  p256-m comes from the mbedTLS 3.6 source the firmware fetches
# (firmware/fetch-mbedtls.sh, cached under $(BUILD)); on the host, GCM
# and SHA-256 come from the system's mbedTLS.
#   make unit-p256m    unit tests on the p256-m backend (part of make check)
#   make xbackend-p256m  signatures made by p256-m and by the mbedTLS and
#                      PSA backends (PSA key ids included) verify on each
#                      other, and software-key ones are the same bytes
#                      (RFC 6979) (part of make check)

P256M_DIR := $(BUILD)/p256m
# P256M_INC and P256M_BACKEND_SRC (the backend proper plus the two mbedTLS
# backend files it shares) come from mk/firmware.mk.
P256M_SRC := $(CORE_ONLY_SRC) $(P256M_BACKEND_SRC)
P256M_OBJ := $(patsubst src/%.c,$(P256M_DIR)/obj/src/%.o,$(P256M_SRC))
P256M_LIB := $(P256M_DIR)/libslink.a
P256M_UNIT_SKIP := test_slinkd_config test_linesim test_linesim_bus test_bus test_fw_entropy test_mb_entropy
P256M_UNIT_SRC  := $(filter-out $(patsubst %,tests/unit/%.c,$(P256M_UNIT_SKIP)),$(UNIT_SRC))
P256M_UNIT_BINS := $(patsubst tests/unit/%.c,$(P256M_DIR)/tests/%,$(P256M_UNIT_SRC))

.PHONY: unit-p256m xbackend-p256m
CHECK_TARGETS += unit-p256m xbackend-p256m

$(P256M_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS) | $(FW_MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(P256M_INC) $(CFLAGS_CORE) -c $< -o $@

$(P256M_LIB): $(P256M_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(P256M_DIR)/tests/test_%: tests/unit/test_%.c $(TEST_COMMON_OBJ) $(P256M_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Isrc $(CFLAGS_HOST) $< $(TEST_COMMON_OBJ) $(P256M_LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

unit-p256m: $(P256M_UNIT_BINS)
	@set -e; for t in $(P256M_UNIT_BINS); do echo "== $$t"; CK_FORK=yes SLINK_ATTACK_RUNS=250 $$t; done

$(P256M_DIR)/xsign-p256m: tests/psa/xsign.c tests/psa/xsign_no_key_store.c $(P256M_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) tests/psa/xsign.c tests/psa/xsign_no_key_store.c $(P256M_LIB) $(MBEDTLS_LIBS) -o $@

xbackend-p256m: $(P256M_DIR)/xsign-p256m $(BUILD)/psa/xsign-mbedtls $(BUILD)/psa/xsign-psa
	@bash tests/psa/xbackend.sh $(BUILD)/psa/xsign-mbedtls $(P256M_DIR)/xsign-p256m 0
	@bash tests/psa/xbackend.sh $(BUILD)/psa/xsign-psa $(P256M_DIR)/xsign-p256m 0
