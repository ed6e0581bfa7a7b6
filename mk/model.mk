# SPIN models of the handshake and stream-mode state machines (docs/model/).
#   make model   for each model: an exhaustive safety search (assertions,
#                invalid end states) and the LTL liveness claim (acceptance
#                cycles), each with a bounded depth; fails on any error and
#                prints states, depth and time.  About 10 minutes and up to 5 GB,
#                so it is not part of make check.
# Also here (they belong to the same suite): fuzz-conn-seeds and
# fuzz-config-seeds regenerate tests/fuzz/corpus/fuzz_conn/ and .../fuzz_config/
# from the seed writers in tests/fuzz/fuzz_conn.c and fuzz_config.c.

MODEL_DIR   := $(BUILD)/model
MODEL_NAMES := handshake stream liveness
MODEL_DEPTH ?= 200000
MODEL_PAN_CFLAGS ?= -O2 -w
MODEL_HASH  ?= 27

.PHONY: model fuzz-conn-seeds fuzz-config-seeds

# $(1) = model, $(2) = label, $(3) = pan compile flags, $(4) = pan run flags,
# $(5) = spin preprocessor flags (model variants)
define MODEL_RUN
	@set -e; d=$(MODEL_DIR)/$(1)-$(2); mkdir -p $$d; \
	( cd $$d && spin $(5) -a $(CURDIR)/docs/model/$(1).pml >spin.log 2>&1 ) || { cat $$d/spin.log; exit 1; }; \
	$(CC) $(MODEL_PAN_CFLAGS) $(3) -o $$d/pan $$d/pan.c; \
	start=$$(date +%s.%N); \
	( cd $$d && ./pan -m$(MODEL_DEPTH) -w$(MODEL_HASH) $(4) >pan.log 2>&1 ) || true; \
	end=$$(date +%s.%N); \
	if ! grep -q 'errors: 0$$' $$d/pan.log || grep -q 'max search depth too small' $$d/pan.log; then \
	    cat $$d/pan.log; echo "MODEL FAILURE: $(1) $(2) (log $$d/pan.log, trail in $$d)"; exit 1; fi; \
	printf '   %-9s %-22s %s states, depth %s, %.1f s\n' $(1) "$(2)" \
	    "$$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' $$d/pan.log)" \
	    "$$(sed -n 's/.*depth reached \([0-9]*\),.*/\1/p' $$d/pan.log)" \
	    "$$(echo "$$end - $$start" | bc)"
endef

model:
	@echo "== SPIN models (docs/model/), exhaustive, depth bound $(MODEL_DEPTH)"
	$(call MODEL_RUN,handshake,safety,-DNOCLAIM,)
	$(call MODEL_RUN,handshake,ltl-terminates,,-a -N terminates)
	$(call MODEL_RUN,stream,safety,-DNOCLAIM,)
	$(call MODEL_RUN,stream,ltl-terminates,,-a -N terminates)
	$(call MODEL_RUN,liveness,safety,-DNOCLAIM,,)
	$(call MODEL_RUN,liveness,inject-only-I1,-DNOCLAIM,,-DINJECT_ONLY)
	$(call MODEL_RUN,liveness,ltl-live,,-a -f -N live,)
	$(call MODEL_RUN,liveness,auto-inject-only,-DNOCLAIM,,-DAUTO -DINJECT_ONLY)
	@echo "model: all checks passed"

FUZZ_CONN_SEEDGEN := $(BUILD)/fuzz/fuzz_conn_seedgen
$(FUZZ_CONN_SEEDGEN): tests/fuzz/fuzz_conn.c $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -Isrc -Itests/common -std=c99 -O1 -g -Wall -Wextra -Werror $(FUZZ_SAN) \
	    -DFUZZ_CONN_MAKE_SEEDS $< $(FUZZ_LIB) $(MBEDTLS_LIBS) -o $@

fuzz-conn-seeds: $(FUZZ_CONN_SEEDGEN)
	rm -f tests/fuzz/corpus/fuzz_conn/*
	mkdir -p tests/fuzz/corpus/fuzz_conn
	$(FUZZ_CONN_SEEDGEN) tests/fuzz/corpus/fuzz_conn

# tests/fuzz/corpus/fuzz_config/ from tests/fuzz/fuzz_config.c's seed writer
# (the example config, command lines of the man page; each seed is run
# through the target's checks as it is written).
FUZZ_CONFIG_SEEDGEN := $(BUILD)/fuzz/fuzz_config_seedgen
$(FUZZ_CONFIG_SEEDGEN): tests/fuzz/fuzz_config.c tools/slinkd/config.c tools/slinkd/config.h tools/slinkd/instance.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -std=c99 -O1 -g -Wall -Wextra -Werror $(FUZZ_SAN) \
	    -DFUZZ_CONFIG_MAKE_SEEDS $< -o $@

fuzz-config-seeds: $(FUZZ_CONFIG_SEEDGEN)
	rm -f tests/fuzz/corpus/fuzz_config/*
	mkdir -p tests/fuzz/corpus/fuzz_config
	$(FUZZ_CONFIG_SEEDGEN) tests/fuzz/corpus/fuzz_config docs/slinkd.conf.example
