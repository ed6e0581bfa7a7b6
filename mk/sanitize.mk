# The unit tests again, built with AddressSanitizer and UndefinedBehavior-
# Sanitizer (core, test support and tests alike), so every unit test also
# proves "no out-of-bounds access, no use after free, no UB, no leak" on the
# paths it drives.  Part of make check.  (Warnings: the normal build holds
# the core to WARN_CORE; instrumented -O1 code trips -Wsign-conversion
# false positives in GCC 12, so this pass uses WARN.)

SAN_DIR   := $(BUILD)/asan
SAN_CC    ?= $(CC)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g \
             -Wno-format-truncation
SAN_CORE_OBJ   := $(patsubst src/%.c,$(SAN_DIR)/obj/src/%.o,$(CORE_SRC))
SAN_COMMON_OBJ := $(patsubst $(BUILD)/obj/%,$(SAN_DIR)/obj/%,$(TEST_COMMON_OBJ))
SAN_LIB   := $(SAN_DIR)/libslink.a
# Unit tests with their own link rules (tools' pure modules) are left to
# their fragments; the sanitizer pass covers the core's tests.
SAN_EXCLUDE   += tests/unit/test_linesim.c tests/unit/test_linesim_bus.c tests/unit/test_slinkd_config.c \
                 tests/unit/test_fw_entropy.c
SAN_UNIT_SRC  := $(filter-out $(SAN_EXCLUDE),$(UNIT_SRC))
SAN_UNIT_BINS := $(patsubst tests/unit/%.c,$(SAN_DIR)/tests/%,$(SAN_UNIT_SRC))

.PHONY: unit-asan
CHECK_TARGETS += unit-asan

$(SAN_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(CSTD) $(WARN) $(SAN_FLAGS) -c $< -o $@

$(SAN_DIR)/obj/%.o: %.c $(wildcard include/slink/*.h tests/common/*.h)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) -Itests/common $(CSTD) $(WARN) $(SAN_FLAGS) -c $< -o $@

$(SAN_LIB): $(SAN_CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(SAN_DIR)/tests/test_%: tests/unit/test_%.c $(SAN_COMMON_OBJ) $(SAN_LIB)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) -Itests/common -Isrc $(CSTD) $(WARN) $(SAN_FLAGS) $< $(SAN_COMMON_OBJ) \
	    $(SAN_LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

# check's fork mode hides ASan's exit status inside the child's failure;
# CK_FORK=no makes a sanitizer report fail the binary directly.
unit-asan: $(SAN_UNIT_BINS)
	@set -e; for t in $(SAN_UNIT_BINS); do echo "== asan $$t"; \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    CK_FORK=no CK_DEFAULT_TIMEOUT=600 $$t; done
