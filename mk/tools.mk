# Tools around slink: the line simulator and the frame dump (issue 5).
# slink-linesim is independent of the core; slink-dump links libslink.

LINESIM_SRC := tools/linesim/linesim.c tools/linesim/linesim_bus.c tools/linesim/wire_model.c \
               tools/linesim/bus_model.c
LINESIM_HDR := tools/linesim/wire_model.h tools/linesim/bus_model.h tools/linesim/linesim_bus.h include/slink/version.h

$(BUILD)/slink-linesim: $(LINESIM_SRC) $(LINESIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) $(LDFLAGS) $(LINESIM_SRC) -lm -o $@

# The wire model is pure, so its unit test links it directly (more specific
# than the Makefile's test_% pattern rule, which make prefers).
$(BUILD)/tests/test_linesim: tests/unit/test_linesim.c tools/linesim/wire_model.c $(LINESIM_HDR) $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Itools/linesim $(CFLAGS_HOST) tests/unit/test_linesim.c tools/linesim/wire_model.c $(TEST_COMMON_OBJ) $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -lm -o $@

# The shared bus medium (slink-linesim --bus), pure as well.
$(BUILD)/tests/test_linesim_bus: tests/unit/test_linesim_bus.c tools/linesim/bus_model.c tools/linesim/wire_model.c $(LINESIM_HDR) $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Itools/linesim $(CFLAGS_HOST) tests/unit/test_linesim_bus.c tools/linesim/bus_model.c tools/linesim/wire_model.c $(TEST_COMMON_OBJ) $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -lm -o $@

DUMP_SRC := tools/dump/dump_main.c tools/dump/dump_fmt.c tools/dump/dump_keys.c

$(BUILD)/slink-dump: $(DUMP_SRC) tools/dump/dump.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) $(LDFLAGS) $(DUMP_SRC) $(LIB) $(MBEDTLS_LIBS) -o $@

# Test helper: writes a capture and its key log for dump_basic.sh.
$(BUILD)/tools/slink-dump-mkcap: tools/dump/mkcap.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) $< $(LIB) $(MBEDTLS_LIBS) -o $@

ALL_TARGETS += $(BUILD)/slink-linesim $(BUILD)/slink-dump

.PHONY: tools-check
tools-check: $(BUILD)/slink-linesim $(BUILD)/slink-dump $(BUILD)/tools/slink-dump-mkcap
	bash tests/integration/linesim_basic.sh $(BUILD)
	bash tests/integration/dump_basic.sh $(BUILD)

CHECK_TARGETS += tools-check
