# The host's mbedTLS backend (src/backends/mbedtls/) built against mbedTLS
# 3.6 LTS rather than the system's 2.28: the fetched source the firmware
# uses (firmware/fetch-mbedtls.sh, cached under $(BUILD)/mbedtls-src), the
# modules the backend calls compiled for the host with
# tests/mbedtls36/host_config.h into $(BUILD)/mbedtls36/libmbedcrypto.a,
# the core and backend built against its headers, and the unit tests that
# exercise the crypto port without the system library's own API (the NIST
# AES-GCM and ECDSA P-256 SigVer KATs, RFC 6979, AEAD, records, key
# schedule, and the wire-level suites).  The tests that build certificates
# with the system mbedTLS's X.509 writer (test PKI fixtures) stay on 2.28.
#   make unit-mbedtls36   (part of make check; the library is cached)

M36_DIR   := $(BUILD)/mbedtls36
M36_CPP   := -I$(MBEDTLS_FW)/include -Itests/mbedtls36 \
             -DMBEDTLS_CONFIG_FILE='"host_config.h"'
M36_MODS  := aes asn1parse asn1write bignum bignum_core cipher cipher_wrap constant_time \
             ecdh ecdsa ecp ecp_curves gcm hmac_drbg md platform_util sha256
M36_LIBC  := $(patsubst %,$(M36_DIR)/obj/mbedtls/%.o,$(M36_MODS))
M36_LIBA  := $(M36_DIR)/libmbedcrypto.a
M36_SRC   := $(CORE_ONLY_SRC) $(sort $(wildcard src/backends/mbedtls/*.c))
M36_OBJ   := $(patsubst src/%.c,$(M36_DIR)/obj/src/%.o,$(M36_SRC))
M36_LIB   := $(M36_DIR)/libslink.a
M36_UNIT  := aead ecc nist keysched record replay hs_msg wire frame cobs crc16 err stream
M36_BINS  := $(patsubst %,$(M36_DIR)/tests/test_%,$(M36_UNIT))

.PHONY: unit-mbedtls36
CHECK_TARGETS += unit-mbedtls36

$(M36_DIR)/obj/mbedtls/%.o: $(FW_MBEDTLS_STAMP) tests/mbedtls36/host_config.h
	@mkdir -p $(@D)
	$(CC) $(M36_CPP) -I$(MBEDTLS_FW)/library -std=c99 $(OPT) -c $(MBEDTLS_FW)/library/$*.c -o $@

$(M36_LIBA): $(M36_LIBC)
	rm -f $@
	$(AR) rcs $@ $^

$(M36_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS) tests/mbedtls36/host_config.h | $(FW_MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(M36_CPP) $(CFLAGS_CORE) -c $< -o $@

$(M36_LIB): $(M36_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(M36_DIR)/obj/testutil.o: tests/common/testutil.c $(wildcard include/slink/*.h tests/common/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common $(CFLAGS_HOST) -c $< -o $@

$(M36_DIR)/tests/test_%: tests/unit/test_%.c $(M36_DIR)/obj/testutil.o $(M36_LIB) $(M36_LIBA)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Isrc $(CFLAGS_HOST) $< $(M36_DIR)/obj/testutil.o $(M36_LIB) \
	    $(M36_LIBA) $(CHECK_LIBS) -o $@

unit-mbedtls36: $(M36_BINS)
	@set -e; for t in $(M36_BINS); do echo "== mbedtls36 $$t"; CK_FORK=yes $$t; done
