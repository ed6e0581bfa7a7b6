# Record-layer benchmark (not a test: not in CHECK_TARGETS).
#   make bench-record            builds $(BUILD)/bench_record and runs it
#   $(BUILD)/bench_record --json prints {"record_cost_ratio": ...}
# Always -O2, whatever OPT the rest of the build uses.
.PHONY: bench-record
ALL_TARGETS += $(BUILD)/bench_record

$(BUILD)/bench_record: tools/bench_record.c $(LIB) $(wildcard include/slink/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) -O2 $< $(LIB) $(MBEDTLS_LIBS) -o $@

bench-record: $(BUILD)/bench_record
	$(BUILD)/bench_record
