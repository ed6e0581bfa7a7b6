# The core built without the deny-list and pin (SLINK_CFG_CERT_FP_RULES 0,
# as the firmware builds it: mk/firmware.mk) and its one test: such a
# build must refuse a policy that sets either, not ignore it
# (tests/cfg/test_cert_fp_rules_off.c).  Part of make check.
# (Named to sort after pki.mk: the test fixtures it appends to
# TEST_COMMON_OBJ are needed in this file's prerequisites.)

FPOFF_DIR        := $(BUILD)/fpoff
FPOFF_DEF        := -DSLINK_CFG_CERT_FP_RULES=0
FPOFF_CORE_OBJ    = $(patsubst src/%.c,$(FPOFF_DIR)/obj/src/%.o,$(CORE_SRC))
FPOFF_COMMON_OBJ  = $(patsubst $(BUILD)/obj/%,$(FPOFF_DIR)/obj/%,$(TEST_COMMON_OBJ))
FPOFF_LIB        := $(FPOFF_DIR)/libslink.a
FPOFF_TEST       := $(FPOFF_DIR)/tests/test_cert_fp_rules_off

.PHONY: unit-fp-rules-off
CHECK_TARGETS += unit-fp-rules-off

$(FPOFF_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS) mk/unit_fp_rules.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FPOFF_DEF) $(CFLAGS_CORE) -c $< -o $@

$(FPOFF_DIR)/obj/%.o: %.c $(wildcard include/slink/*.h tests/common/*.h) mk/unit_fp_rules.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FPOFF_DEF) -Itests/common $(CFLAGS_HOST) -c $< -o $@

$(FPOFF_LIB): $(FPOFF_CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(FPOFF_TEST): tests/cfg/test_cert_fp_rules_off.c $(FPOFF_COMMON_OBJ) $(FPOFF_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FPOFF_DEF) -Itests/common -Isrc $(CFLAGS_HOST) $< $(FPOFF_COMMON_OBJ) \
	    $(FPOFF_LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

unit-fp-rules-off: $(FPOFF_TEST)
	CK_FORK=yes $(FPOFF_TEST)
