# PKI: the certificate-minting library (tools/pki/pki_lib.c), the slink-pki
# tool, and the in-memory test PKI (tests/common/test_pki.c) that every
# unit test links, which is why pki_lib joins TEST_COMMON_OBJ.

PKI_LIB_OBJ := $(BUILD)/obj/tools/pki/pki_lib.o
TEST_COMMON_OBJ += $(PKI_LIB_OBJ)
ALL_TARGETS += $(BUILD)/slink-pki

$(PKI_LIB_OBJ): tools/pki/pki_lib.c tools/pki/pki_lib.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) -c $< -o $@

$(BUILD)/obj/tools/pki/slink-pki.o: tools/pki/slink-pki.c tools/pki/pki_lib.h tools/p11/p11_key.h tools/keydiag/key_diag.h $(wildcard include/slink/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) -c $< -o $@

$(BUILD)/slink-pki: $(BUILD)/obj/tools/pki/slink-pki.o $(PKI_LIB_OBJ) $(P11_OBJ) $(KEYDIAG_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(MBEDTLS_LIBS) $(P11_LIBS) -o $@

# End-to-end test of the tool (uses openssl to cross-check).
.PHONY: pki-tool-test
CHECK_TARGETS += pki-tool-test
pki-tool-test: $(BUILD)/slink-pki
	sh tests/unit/test_pki_tool.sh $(BUILD)/slink-pki

# test_pki.c includes pki_lib.h, which the generic tests/common rule does not list.
$(BUILD)/obj/tests/common/test_pki.o: tools/pki/pki_lib.h
