# The bus master under load in one process (issue 14): tests/unit/test_bus.c
# runs slink_node and N device connections on slink-linesim's shared medium
# (tools/linesim/bus_model.c) through tests/bus/busnet.c.  A unit test like
# the others (make unit runs it); left out of the sanitizer pass, which
# builds only tests/common.
BUSNET_SRC := tests/bus/busnet.c tools/linesim/bus_model.c tools/linesim/wire_model.c
BUSNET_HDR := tests/bus/busnet.h tools/linesim/bus_model.h tools/linesim/wire_model.h

$(BUILD)/tests/test_bus: tests/unit/test_bus.c $(BUSNET_SRC) $(BUSNET_HDR) $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Itests/bus -Itools/linesim -Isrc $(CFLAGS_HOST) tests/unit/test_bus.c $(BUSNET_SRC) $(TEST_COMMON_OBJ) $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -lm -o $@

SAN_EXCLUDE += tests/unit/test_bus.c

# Bus figures for `make bench` (tools/bench/bench_bus.c): the same harness,
# in simulated time, printing JSON that run_bench.py reads.
$(BUILD)/bench/bench_bus: tools/bench/bench_bus.c $(BUSNET_SRC) $(BUSNET_HDR) $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Itests/bus -Itools/linesim -Isrc $(CFLAGS_HOST) -O2 tools/bench/bench_bus.c $(BUSNET_SRC) $(TEST_COMMON_OBJ) $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -lm -o $@
ALL_TARGETS += $(BUILD)/bench/bench_bus
