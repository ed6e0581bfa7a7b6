# libFuzzer targets.  Every tests/fuzz/fuzz_<name>.c is a target (found by
# wildcard, so new parsers only add a file).  The whole core is rebuilt with
# clang and the sanitizers into $(BUILD)/fuzz/obj (never the gcc library),
# archived so a target links only what it uses.
#   make fuzz         each target for FUZZ_SECONDS (60) seconds
#   make fuzz-smoke   each target for FUZZ_SMOKE_SECONDS (5); part of make check
# Seeds live in tests/fuzz/corpus/<name>/ and are copied into
# $(BUILD)/fuzz/corpus/<name>/ first: the fuzzer grows that copy, never the
# repository's.  Crashes land in $(BUILD)/fuzz/artifacts/, logs in
# $(BUILD)/fuzz/log/.  Any crash, leak, timeout or sanitizer report fails the
# target (non-zero exit).
# A target that needs more than the core (e.g. the fake platform) lists the
# extra sources in FUZZ_EXTRA_SRC (+= from any fragment; compiled with the
# same sanitizers at link time) and libraries in FUZZ_EXTRA_LIBS.

FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TIMEOUT       ?= 10
FUZZ_DIR           := $(BUILD)/fuzz

FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Library objects get coverage instrumentation without libFuzzer's main().
FUZZ_OBJ_FLAGS := -std=c99 -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_BIN_FLAGS := -std=c99 -O1 -g -Wall -Wextra -Werror $(FUZZ_SAN) -fsanitize=fuzzer

FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_BINS  := $(addprefix $(FUZZ_DIR)/,$(FUZZ_NAMES))
FUZZ_CORE_OBJ := $(patsubst src/%.c,$(FUZZ_DIR)/obj/src/%.o,$(CORE_SRC))
FUZZ_LIB   := $(FUZZ_DIR)/libslink-fuzz.a

.PHONY: fuzz fuzz-smoke fuzz-build
CHECK_TARGETS += fuzz-smoke

$(FUZZ_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_OBJ_FLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(CORE_HDRS) $(wildcard tests/common/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -Isrc -Itests/common $(FUZZ_BIN_FLAGS) $< $(FUZZ_EXTRA_SRC) \
	    $(FUZZ_LIB) $(MBEDTLS_LIBS) $(FUZZ_EXTRA_LIBS) -o $@

fuzz-build: $(FUZZ_BINS)

# $(1) = seconds per target.  The summary shows libFuzzer's last status line
# (runs, cov = covered edges, ft = features, corp = corpus size) and its
# final stats (executions, exec/s).
define FUZZ_RUN
	@set -e; mkdir -p $(FUZZ_DIR)/log $(FUZZ_DIR)/artifacts; \
	for t in $(FUZZ_NAMES); do \
	    corpus=$(FUZZ_DIR)/corpus/$$t; log=$(FUZZ_DIR)/log/$$t.log; \
	    mkdir -p $$corpus; \
	    if [ -d tests/fuzz/corpus/$$t ]; then cp -R tests/fuzz/corpus/$$t/. $$corpus/; fi; \
	    echo "== fuzz $$t: $(1) s, corpus $$corpus ($$(ls $$corpus | wc -l) inputs)"; \
	    rc=0; \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
	        $(FUZZ_DIR)/$$t -max_total_time=$(1) -timeout=$(FUZZ_TIMEOUT) -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- $$corpus >$$log 2>&1 || rc=$$?; \
	    if [ $$rc -ne 0 ] || grep -qE '^==[0-9]+==ERROR|runtime error:|^SUMMARY: (Address|Undefined)' $$log; then \
	        tail -n 60 $$log; \
	        echo "FUZZ FAILURE: $$t (exit $$rc), full log $$log, artifacts $(FUZZ_DIR)/artifacts/"; \
	        exit 1; \
	    fi; \
	    grep -E '^#[0-9]+[[:space:]]+DONE' $$log | tail -n 1 | sed "s/^/   $$t: /"; \
	    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' $$log | sed "s/^/   $$t: /"; \
	    sed -n '/^fuzz_live: state x input/,/^fuzz_live: end of table/p' $$log; \
	done
endef

fuzz: $(FUZZ_BINS)
	$(call FUZZ_RUN,$(FUZZ_SECONDS))

fuzz-smoke: $(FUZZ_BINS)
	$(call FUZZ_RUN,$(FUZZ_SMOKE_SECONDS))

# fuzz_live's seeds are scripts in its own language: regenerate them with
#   make fuzz-live-seeds
.PHONY: fuzz-live-seeds
fuzz-live-seeds:
	rm -f tests/fuzz/corpus/fuzz_live/*
	python3 tests/fuzz/gen_live_seeds.py tests/fuzz/corpus/fuzz_live
