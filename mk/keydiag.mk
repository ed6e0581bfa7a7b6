# Diagnoses for refused key and certificate files (tools/keydiag), linked
# into slinkd and slink-pki.  Sorted before pki.mk and slinkd.mk, which use
# KEYDIAG_OBJ in their link rules.
KEYDIAG_OBJ := $(BUILD)/obj/tools/keydiag/key_diag.o

$(KEYDIAG_OBJ): tools/keydiag/key_diag.c tools/keydiag/key_diag.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) -c $< -o $@
