# Constant-flow check (tests/ctflow/): secrets marked undefined for valgrind
# memcheck, which then reports any branch or memory address computed from
# them on the record-open path and the handshake's AEAD check.  Built -O1 -g
# against the library, as mbedTLS builds its constant-flow tests.
#   make ctflow   runs the negative control first (memcheck must flag the
#                 deliberately leaky code), then the real check with only
#                 the AEAD verdict suppressed (tests/ctflow/verdict.supp).

CTFLOW_DIR  := $(BUILD)/ctflow
CTFLOW_BIN  := $(CTFLOW_DIR)/ctflow_record
CTFLOW_LIB  := $(CTFLOW_DIR)/libslink-ctflow.a
CTFLOW_OBJ  := $(patsubst src/%.c,$(CTFLOW_DIR)/obj/src/%.o,$(CORE_SRC))
CTFLOW_VG   := valgrind --error-exitcode=1 --track-origins=yes --leak-check=full

.PHONY: ctflow
CHECK_TARGETS += ctflow

$(CTFLOW_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CSTD) -O1 -g $(WARN_CORE) -c $< -o $@

$(CTFLOW_LIB): $(CTFLOW_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(CTFLOW_BIN): tests/ctflow/ctflow_record.c $(CTFLOW_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc $(CSTD) -O1 -g $(WARN) $< $(CTFLOW_LIB) $(MBEDTLS_LIBS) -o $@

ctflow: $(CTFLOW_BIN)
	@set -e; log=$(CTFLOW_DIR)/selftest.log; \
	if $(CTFLOW_VG) $(CTFLOW_BIN) --selftest >$$log 2>&1; then \
	    cat $$log; echo "ctflow: FAILED: memcheck did not flag the leaky control"; exit 1; fi; \
	grep -q 'Conditional jump or move depends on uninitialised' $$log && \
	grep -q 'Use of uninitialised value of size' $$log || \
	    { cat $$log; echo "ctflow: FAILED: control not flagged for both a branch and an address"; exit 1; }; \
	echo "ctflow: negative control flagged (secret branch and secret-indexed load)"
	$(CTFLOW_VG) --suppressions=tests/ctflow/verdict.supp $(CTFLOW_BIN)
