# The core's unit tests again, on the host, with the feature switches the
# firmware builds the core with (FW_SLINK_FEATURES in mk/firmware.mk: the
# small CRC table, record AEAD contexts set up per record, ...), so the code
# paths that only the MCU build takes are unit-tested too, not just run in
# the QEMU end-to-end test.  Buffer sizes and log text stay at the host
# defaults: the tests' fixtures and log assertions assume them.  Part of
# make check (about as long as `make unit`).

MCU_DIR       := $(BUILD)/mcucfg
MCU_CORE_OBJ   = $(patsubst src/%.c,$(MCU_DIR)/obj/src/%.o,$(CORE_SRC))
MCU_COMMON_OBJ = $(patsubst $(BUILD)/obj/%,$(MCU_DIR)/obj/%,$(TEST_COMMON_OBJ))
MCU_LIB       := $(MCU_DIR)/libslink.a
# Same selection as the sanitizer pass: the core's tests.
MCU_UNIT_SRC   = $(filter-out $(SAN_EXCLUDE),$(UNIT_SRC))
MCU_UNIT_BINS  = $(patsubst tests/unit/%.c,$(MCU_DIR)/tests/%,$(MCU_UNIT_SRC))

.PHONY: unit-mcu-cfg
CHECK_TARGETS += unit-mcu-cfg

$(MCU_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS) mk/firmware.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FW_SLINK_FEATURES) $(CFLAGS_CORE) -c $< -o $@

$(MCU_DIR)/obj/%.o: %.c $(wildcard include/slink/*.h tests/common/*.h) mk/firmware.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FW_SLINK_FEATURES) -Itests/common $(CFLAGS_HOST) -c $< -o $@

$(MCU_LIB): $(MCU_CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(MCU_DIR)/tests/test_%: tests/unit/test_%.c $(MCU_COMMON_OBJ) $(MCU_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FW_SLINK_FEATURES) -Itests/common -Isrc $(CFLAGS_HOST) $< $(MCU_COMMON_OBJ) \
	    $(MCU_LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

unit-mcu-cfg: $(MCU_UNIT_BINS)
	@set -e; for t in $(MCU_UNIT_BINS); do echo "== mcu-cfg $$t"; CK_FORK=yes $$t; done
