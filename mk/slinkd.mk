# slinkd (host daemon) and slinkctl.  Programs: $(BUILD)/slinkd,
# $(BUILD)/slinkctl; tests: the config unit test (plain check binary) and the
# integration scripts (phony slinkd-check).  `make demo` / `make demo-stop`.

SLINKD_SRC := $(sort $(wildcard tools/slinkd/*.c))
SLINKD_OBJ := $(patsubst tools/slinkd/%.c,$(BUILD)/obj/tools/slinkd/%.o,$(SLINKD_SRC))
SLINKD_HDR := $(wildcard tools/slinkd/*.h include/slink/*.h)
SERIALPORT_LIBS := $(shell pkg-config --libs libserialport 2>/dev/null || echo -lserialport)

ALL_TARGETS += $(BUILD)/slinkd $(BUILD)/slinkctl
CHECK_TARGETS += slinkd-check

$(BUILD)/obj/tools/slinkd/%.o: tools/slinkd/%.c $(SLINKD_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) -c $< -o $@

$(BUILD)/slinkd: $(SLINKD_OBJ) $(P11_OBJ) $(KEYDIAG_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_HOST) $(LDFLAGS) $(SLINKD_OBJ) $(P11_OBJ) $(KEYDIAG_OBJ) $(LIB) $(MBEDTLS_LIBS) $(SERIALPORT_LIBS) $(P11_LIBS) -o $@

# slinkctl links only the core's error names (err_str.o) from libslink.
$(BUILD)/slinkctl: tools/slinkctl/slinkctl.c include/slink/version.h include/slink/err.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) $(LDFLAGS) $< $(LIB) -o $@

# The config parser is tested on its own (no ports, no sockets).
SLINKD_CFG_OBJ := $(BUILD)/obj/tools/slinkd/config.o $(BUILD)/obj/tools/slinkd/instance.o
$(BUILD)/tests/test_slinkd_config: tests/unit/test_slinkd_config.c $(SLINKD_CFG_OBJ) $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Itools/slinkd $(CFLAGS_HOST) $< $(SLINKD_CFG_OBJ) $(TEST_COMMON_OBJ) $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

.PHONY: slinkd slinkd-check slinkd-perf demo demo-stop
slinkd: $(BUILD)/slinkd $(BUILD)/slinkctl

# The project's PKI tool mints the throwaway certificates when it exists
# (openssl otherwise).
SLINKD_PKI := $(if $(wildcard tools/pki/slink-pki.c),$(BUILD)/slink-pki)
SLINKD_TESTS := $(sort $(wildcard tests/integration/slinkd_t_*.sh))
slinkd-check: $(BUILD)/slinkd $(BUILD)/slinkctl $(BUILD)/slink-linesim $(BUILD)/slink-dump $(SLINKD_PKI)
	@BUILD=$(BUILD) bash tests/integration/slinkd_run.sh $(SLINKD_TESTS)

slinkd-perf: $(BUILD)/slinkd $(BUILD)/slinkctl $(SLINKD_PKI)
	@BUILD=$(BUILD) bash tests/integration/slinkd_perf.sh

demo:
	@BUILD=$(BUILD) bash tools/demo.sh start

demo-stop:
	@BUILD=$(BUILD) bash tools/demo.sh stop
