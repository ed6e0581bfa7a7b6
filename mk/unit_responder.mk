# The core exactly as the firmware configures it (FW_SLINK_PORTABLE_DEFS,
# mk/firmware.mk: the device's limits, no log text, static credentials,
# no deny-list or pin, and the responder role only), on the host under
# AddressSanitizer and UndefinedBehaviorSanitizer, against a real
# initiator: the core in its default configuration (tests/cfg/resp_peer.c,
# sanitized too).  tests/cfg/test_responder_only.c.  Part of make check.
#
# Both builds define the same symbols with different struct layouts, so
# they cannot share one link as they are: the initiator and its default-
# configuration core (and the test support it uses) are linked into one
# relocatable object whose only global definitions are the peer_* API
# (tests/cfg/resp_peer.h); everything else in it becomes local, and what
# it needs from outside (libc, mbedTLS, check, the sanitizer runtime, the
# config-free pki_lib) stays undefined until the final link.
# (Named to sort after firmware.mk, pki.mk and sanitize.mk, whose
# variables its prerequisites use.)

RESP_DIR         := $(BUILD)/resp
RESP_DEFS        := $(FW_SLINK_PORTABLE_DEFS)
RESP_CORE_OBJ    := $(patsubst src/%.c,$(RESP_DIR)/obj/src/%.o,$(CORE_SRC))
RESP_COMMON_OBJ  := $(patsubst %,$(RESP_DIR)/obj/tests/common/%.o,testutil test_pki simline)
RESP_LIB         := $(RESP_DIR)/libslink-resp.a
RESP_PKI_OBJ     := $(SAN_DIR)/obj/tools/pki/pki_lib.o
# The peer's side: the default configuration, sanitized (sanitize.mk's objects).
RESP_PEER_SRC_OBJ := $(RESP_DIR)/obj/peer/resp_peer.o
RESP_PEER_PARTS  := $(RESP_PEER_SRC_OBJ) $(SAN_CORE_OBJ) \
                    $(SAN_DIR)/obj/tests/common/testutil.o $(SAN_DIR)/obj/tests/common/test_pki.o
RESP_PEER_OBJ    := $(RESP_DIR)/resp_peer_linked.o
RESP_TEST        := $(RESP_DIR)/tests/test_responder_only
RESP_RUN_ENV     := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CK_FORK=no CK_DEFAULT_TIMEOUT=120

.PHONY: unit-responder-only
CHECK_TARGETS += unit-responder-only

$(RESP_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS) mk/unit_responder.mk mk/firmware.mk
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(RESP_DEFS) $(CSTD) $(WARN) $(SAN_FLAGS) -c $< -o $@

$(RESP_DIR)/obj/tests/common/%.o: tests/common/%.c $(wildcard include/slink/*.h tests/common/*.h) tools/pki/pki_lib.h \
        mk/unit_responder.mk mk/firmware.mk
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(RESP_DEFS) -Itests/common $(CSTD) $(WARN) $(SAN_FLAGS) -c $< -o $@

$(RESP_LIB): $(RESP_CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(RESP_PEER_SRC_OBJ): tests/cfg/resp_peer.c tests/cfg/resp_peer.h $(wildcard include/slink/*.h tests/common/*.h)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) -Itests/common -Itests/cfg $(CSTD) $(WARN) $(SAN_FLAGS) -c $< -o $@

# One object, only peer_* global: the list of names to keep is what
# resp_peer.o itself defines, and the result is checked, not assumed.
$(RESP_PEER_OBJ): $(RESP_PEER_PARTS)
	@mkdir -p $(@D)
	$(CC) -r -nostdlib $^ -o $@.tmp
	nm -g --defined-only $(RESP_PEER_SRC_OBJ) | awk '{ print $$3 }' > $@.keep
	objcopy --keep-global-symbols=$@.keep $@.tmp $@
	rm -f $@.tmp
	@bad=$$(nm -g --defined-only $@ | awk '$$3 !~ /^peer_/ { print $$3 }'); \
	    if [ -n "$$bad" ]; then echo "$@: global symbols besides peer_*: $$bad" >&2; rm -f $@; exit 1; fi

$(RESP_TEST): tests/cfg/test_responder_only.c tests/cfg/resp_peer.h $(RESP_COMMON_OBJ) $(RESP_LIB) $(RESP_PEER_OBJ) $(RESP_PKI_OBJ)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(RESP_DEFS) -Itests/common -Itests/cfg -Isrc $(CSTD) $(WARN) $(SAN_FLAGS) $< \
	    $(RESP_COMMON_OBJ) $(RESP_PEER_OBJ) $(RESP_PKI_OBJ) $(RESP_LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

unit-responder-only: $(RESP_TEST)
	$(RESP_RUN_ENV) $(RESP_TEST)
