# PKI: the certificate-minting library (tools/pki/pki_lib.c), the slink-pki
# tool, and the in-memory test PKI (tests/common/test_pki.c) that every
# unit test links, which is why pki_lib joins TEST_COMMON_OBJ.

PKI_LIB_OBJ := $(BUILD)/obj/tools/pki/pki_lib.o
TEST_COMMON_OBJ += $(PKI_LIB_OBJ)

$(PKI_LIB_OBJ): tools/pki/pki_lib.c tools/pki/pki_lib.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) -c $< -o $@
