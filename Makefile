# slink top-level build.  `make` builds build/libslink.a; `make check` builds and
# runs every test.  Components add their own rules in mk/*.mk (one file each, so
# parallel work never edits the same build file); a fragment appends its phony
# test targets to CHECK_TARGETS and its programs to ALL_TARGETS.

.DEFAULT_GOAL := all
CC      ?= cc
AR      ?= ar
BUILD   ?= build
OPT     ?= -O2 -g

# The core is held to the strictest set; -Wconversion catches silent
# truncation of lengths, which is how parsers go wrong.
WARN_CORE := -Wall -Wextra -Werror -Wshadow -Wconversion -Wpointer-arith \
             -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wcast-qual
WARN      := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wvla
CSTD      := -std=c99
CPPFLAGS  += -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS    ?=
CFLAGS_CORE = $(CSTD) $(OPT) $(WARN_CORE) $(CFLAGS)
CFLAGS_HOST = $(CSTD) $(OPT) $(WARN) $(CFLAGS)

MBEDTLS_LIBS := -lmbedx509 -lmbedcrypto
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

# The core proper, one folder per layer, bottom up (docs/ARCHITECTURE.md
# has the map): frame/ (COBS, CRC, wire codecs), record/ (AEAD records,
# replay window, stream), handshake/ (SIGMA-I messages and key schedule),
# cert/ (X.509 and PEM), session/ (connection, handshake driver, node),
# crypto/ (DRBG, HKDF and helpers over the port), and err.c beside them.
# The crypto backend it is linked with is one folder of src/backends/: the
# core calls only include/slink/crypto.h, so the backend is chosen here, at
# link time.  libslink.a and every build of the core that the fragments
# make carry the host default, mbedTLS; mk/psa.mk builds the PSA Crypto one
# beside it.
CRYPTO_BACKEND ?= mbedtls
CORE_LAYERS   := frame record handshake cert session crypto
CORE_ONLY_SRC := $(sort $(wildcard src/*.c $(patsubst %,src/%/*.c,$(CORE_LAYERS))))
CORE_HDRS     := $(wildcard include/slink/*.h src/*.h $(patsubst %,src/%/*.h,$(CORE_LAYERS)) src/backends/*/*.h)
CRYPTO_SRC    := $(sort $(wildcard src/backends/$(CRYPTO_BACKEND)/*.c))
CORE_SRC := $(CORE_ONLY_SRC) $(CRYPTO_SRC)
CORE_OBJ := $(patsubst src/%.c,$(BUILD)/obj/src/%.o,$(CORE_SRC))
LIB      := $(BUILD)/libslink.a

# Shared test support (fake platform, PKI fixtures) linked into every test.
TEST_COMMON_SRC := $(sort $(wildcard tests/common/*.c))
TEST_COMMON_OBJ := $(patsubst tests/common/%.c,$(BUILD)/obj/tests/common/%.o,$(TEST_COMMON_SRC))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

CHECK_TARGETS := unit
ALL_TARGETS   := $(LIB)

# Fragments come before the rules so they can extend variables that
# prerequisites use (e.g. TEST_COMMON_OBJ).
-include $(sort $(wildcard mk/*.mk))

.PHONY: all lib check unit deps clean
.SECONDARY:
all: lib $(ALL_TARGETS)

lib: $(LIB)

$(LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/src/%.o: src/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_CORE) -c $< -o $@

$(BUILD)/obj/tests/common/%.o: tests/common/%.c $(wildcard include/slink/*.h tests/common/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common $(CFLAGS_HOST) -c $< -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Isrc $(CFLAGS_HOST) $< $(TEST_COMMON_OBJ) $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

# Every unit test binary runs; check prints its own summary line per suite.
unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; CK_FORK=yes $$t; done


deps:
	bash tools/install-deps.sh

clean:
	rm -rf $(BUILD)



check: $(CHECK_TARGETS)
	@echo "make check: all test groups passed ($(CHECK_TARGETS))"
