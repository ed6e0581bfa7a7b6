# Tools around slink: the line simulator and the frame dump (issue 5).
# slink-linesim is independent of the core; slink-dump links libslink.

LINESIM_SRC := tools/linesim/linesim.c tools/linesim/wire_model.c
LINESIM_HDR := tools/linesim/wire_model.h

$(BUILD)/slink-linesim: $(LINESIM_SRC) $(LINESIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) $(LINESIM_SRC) -lm -o $@

# The wire model is pure, so its unit test links it directly (more specific
# than the Makefile's test_% pattern rule, which make prefers).
$(BUILD)/tests/test_linesim: tests/unit/test_linesim.c tools/linesim/wire_model.c $(LINESIM_HDR) $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Itools/linesim $(CFLAGS_HOST) tests/unit/test_linesim.c tools/linesim/wire_model.c $(TEST_COMMON_OBJ) $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -lm -o $@

ALL_TARGETS += $(BUILD)/slink-linesim

.PHONY: tools-check
tools-check: $(BUILD)/slink-linesim
	bash tests/integration/linesim_basic.sh $(BUILD)

CHECK_TARGETS += tools-check
