# Daemon fault suite (docs/SECURITY.md "Daemon faults"): the serial line
# vanishing and returning, the peer daemon restarted (SIGKILL/SIGTERM), and
# the daemon under valgrind memcheck.
#   make faults                 full run: FAULT_CYCLES (100) of each + valgrind
#   make faults-ci              short run (FAULT_CI_CYCLES, 10) + valgrind; in `make check`
# Both fail on any acknowledged data lost (and on everything else checked).

FAULT_CYCLES    ?= 100
FAULT_CI_CYCLES ?= 10
FAULTS_PKI := $(if $(wildcard tools/pki/slink-pki.c),$(BUILD)/slink-pki)
FAULTS_DEPS := $(BUILD)/slinkd $(BUILD)/slinkctl $(FAULTS_PKI)
# one script under a time limit, its output kept short on success
FAULTS_RUN = BUILD=$(BUILD) CC="$(CC)" timeout -k 5

CHECK_TARGETS += faults-ci
.PHONY: faults faults-ci faults-valgrind

faults: $(FAULTS_DEPS)
	@set -e; \
	FAULT_CYCLES=$(FAULT_CYCLES) $(FAULTS_RUN) 1800 bash tests/integration/faults_vanish.sh; \
	FAULT_CYCLES=$(FAULT_CYCLES) $(FAULTS_RUN) 1800 bash tests/integration/faults_restart.sh; \
	$(FAULTS_RUN) 300 bash tests/integration/faults_valgrind.sh; \
	echo "faults: all passed ($(FAULT_CYCLES) cycles each)"

faults-ci: $(FAULTS_DEPS)
	@set -e; start=$$(date +%s); \
	echo "== faults_vanish ($(FAULT_CI_CYCLES) cycles)"; \
	FAULT_CYCLES=$(FAULT_CI_CYCLES) FAULT_LONG_WAIT=2 \
	    $(FAULTS_RUN) 150 bash tests/integration/faults_vanish.sh; \
	echo "== faults_restart ($(FAULT_CI_CYCLES) cycles)"; \
	FAULT_CYCLES=$(FAULT_CI_CYCLES) $(FAULTS_RUN) 150 bash tests/integration/faults_restart.sh; \
	echo "== faults_valgrind"; \
	$(FAULTS_RUN) 150 bash tests/integration/faults_valgrind.sh; \
	echo "faults-ci: passed in $$(( $$(date +%s) - start )) s"

faults-valgrind: $(FAULTS_DEPS)
	@$(FAULTS_RUN) 300 bash tests/integration/faults_valgrind.sh
