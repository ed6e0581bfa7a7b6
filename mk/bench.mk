# Side-by-side benchmark (issue 5): slink against mbedTLS DTLS 1.2 and
# (issue 17) wolfSSL DTLS 1.3 on the same frame layer and the same
# simulated line.
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

# The DTLS 1.3 side links wolfSSL 5.7, which tools/bench/fetch-wolfssl.sh
# fetches (Debian trixie source package) and builds into $(BUILD)/wolfssl
# the first time the bench or its smoke test needs it (about a minute;
# cached after that).  Only the bench needs it, so `make` alone does not.
WOLFSSL_DIR  := $(BUILD)/wolfssl/install
WOLFSSL_LIB  := $(WOLFSSL_DIR)/lib/libwolfssl.a
BENCH13_OBJ  := $(BENCH_DIR)/obj13/dtls13_side.o $(BENCH_DIR)/obj/bench_util.o
BENCH13_BINS := $(BENCH_DIR)/dtls13_peer $(BENCH_DIR)/dtls13_inproc

# The script does nothing when its cached build matches; the touch keeps
# make from asking again.
$(WOLFSSL_LIB): tools/bench/fetch-wolfssl.sh
	bash tools/bench/fetch-wolfssl.sh $(BUILD)/wolfssl
	@touch $@

# -isystem: wolfSSL's headers are not held to the project's warnings.
$(BENCH_DIR)/obj13/%.o: tools/bench/%.c $(BENCH_HDR) $(WOLFSSL_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -isystem $(WOLFSSL_DIR)/include $(BENCH_CFLAGS) -c $< -o $@

$(BENCH13_BINS): $(BENCH_DIR)/%: $(BENCH_DIR)/obj13/%.o $(BENCH13_OBJ) $(LIB) $(WOLFSSL_LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $< $(BENCH13_OBJ) $(LIB) $(WOLFSSL_LIB) -lm -lpthread -o $@

.PHONY: bench-wolfssl
bench-wolfssl: $(WOLFSSL_LIB)

# Every program the run calls; the firmware part is built by the run itself
# (`make firmware-size`) when arm-none-eabi-gcc is present.
BENCH_DEPS := $(BENCH_BINS) $(BENCH13_BINS) $(BUILD)/bench/bench_bus $(BUILD)/soak $(BUILD)/slink-linesim $(BUILD)/slink-pki $(BUILD)/bench_record \
              $(BUILD)/slinkd $(BUILD)/slinkctl

.PHONY: bench bench-smoke
bench: $(BENCH_DEPS)
	python3 tools/bench/run_bench.py --build $(BUILD) --make "$(MAKE)"

CHECK_TARGETS += bench-smoke
bench-smoke: $(BENCH_BINS) $(BENCH13_BINS) $(BUILD)/slink-linesim $(BUILD)/slink-pki
	timeout 120 bash tests/integration/bench_smoke.sh $(BUILD)
