# PKCS#11 identity keys (tools/p11/p11_key.c, through p11-kit): linked into
# slinkd (key = pkcs11:...) and slink-pki (--pubkey pkcs11:...).  The test
# that proves it with a SoftHSM2 token is tests/integration/slinkd_t_pkcs11.sh
# (part of slinkd-check).

P11_CFLAGS := $(shell pkg-config --cflags p11-kit-1 2>/dev/null || echo -I/usr/include/p11-kit-1)
P11_LIBS   := $(shell pkg-config --libs p11-kit-1 2>/dev/null || echo -lp11-kit)
P11_OBJ    := $(BUILD)/obj/tools/p11/p11_key.o

$(P11_OBJ): tools/p11/p11_key.c tools/p11/p11_key.h $(wildcard include/slink/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(P11_CFLAGS) $(CFLAGS_HOST) -c $< -o $@
