# Side-by-side benchmark (issue 5): slink against mbedTLS DTLS 1.2 on the
# same frame layer and the same simulated line.
#   make bench         builds everything at -O2 and runs tools/bench/run_bench.py:
#                      prints the table with targets, writes $(BUILD)/bench.json
#   make bench-smoke   fast sanity run (in-process handshake bytes, one
#                      handshake over slink-linesim); part of make check
# docs/PERFORMANCE.md explains every figure.

BENCH_DIR   := $(BUILD)/bench
BENCH_HDR   := $(wildcard tools/bench/*.h include/slink/*.h)
BENCH_CFLAGS = $(CFLAGS_HOST) -O2
BENCH_TLS_LIBS := -lmbedtls $(MBEDTLS_LIBS)
BENCH_UTIL_OBJ := $(BENCH_DIR)/obj/bench_util.o $(BENCH_DIR)/obj/slink_side.o $(BENCH_DIR)/obj/dtls12_side.o
BENCH_BINS  := $(BENCH_DIR)/bench_peer $(BENCH_DIR)/dtls12_peer $(BENCH_DIR)/bench_inproc

$(BENCH_DIR)/obj/%.o: tools/bench/%.c $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_DIR)/%: $(BENCH_DIR)/obj/%.o $(BENCH_UTIL_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $< $(BENCH_UTIL_OBJ) $(LIB) $(BENCH_TLS_LIBS) -o $@

ALL_TARGETS += $(BENCH_BINS)

# Every program the run calls; the firmware part is built by the run itself
# (`make firmware-size`) when arm-none-eabi-gcc is present.
BENCH_DEPS := $(BENCH_BINS) $(BUILD)/slink-linesim $(BUILD)/slink-pki $(BUILD)/bench_record \
              $(BUILD)/slinkd $(BUILD)/slinkctl

.PHONY: bench bench-smoke
bench: $(BENCH_DEPS)
	python3 tools/bench/run_bench.py --build $(BUILD) --make "$(MAKE)"

CHECK_TARGETS += bench-smoke
bench-smoke: $(BENCH_BINS) $(BUILD)/slink-linesim $(BUILD)/slink-pki
	timeout 120 bash tests/integration/bench_smoke.sh $(BUILD)
