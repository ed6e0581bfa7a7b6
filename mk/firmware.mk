# Firmware: the slink core cross-compiled for Cortex-M with mbedTLS built
# from Debian's source package (fetched at build time, cached in $(BUILD)),
# the QEMU mps2-an385 board, the example device and the size report.
#   make firmware        libraries for M3/M4F/M0+, the QEMU images
#   make firmware-size   footprint report and $(BUILD)/fw/sizes.json
#   make fw-check        firmware + QEMU end-to-end test (part of make check)

FW_CC      := arm-none-eabi-gcc
FW_AR      := arm-none-eabi-ar
FW_SIZE    := arm-none-eabi-size
FW_DIR     := $(BUILD)/fw
MBEDTLS_FW := $(BUILD)/mbedtls-src/mbedtls
FW_MBEDTLS_STAMP := $(MBEDTLS_FW)/3rdparty/p256-m/p256-m/p256-m.c

FW_CPUS := cm3 cm4f cm0plus
FW_ARCH_cm3     := -mcpu=cortex-m3 -mthumb
FW_ARCH_cm4f    := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
FW_ARCH_cm0plus := -mcpu=cortex-m0plus -mthumb

FW_OPT    := -Os -g -ffunction-sections -fdata-sections --specs=nano.specs
FW_CPPFLAGS := -Iinclude -Ifirmware -Ifirmware/board/an385 -Ifirmware/port \
               -I$(MBEDTLS_FW)/include -DMBEDTLS_CONFIG_FILE='"slink_mbedtls_config.h"'
FW_LDFLAGS := --specs=nano.specs --specs=nosys.specs -nostartfiles \
              -Wl,--gc-sections -Tfirmware/board/an385/an385.ld
# The slink device's stack: the painted depth (about 1.8 KB, see
# docs/PORTING.md) plus interrupt frames and margin.  Images without it keep
# the linker script's 8 KB.
FW_DEVICE_LDFLAGS := -Wl,--defsym=FW_STACK_SIZE=4096

# The mbedTLS modules the crypto configuration enables (the rest would
# compile to empty objects).
FW_MBEDTLS_MODS := aes asn1parse asn1write bignum bignum_core block_cipher \
    cipher cipher_wrap constant_time ecdh ecdsa ecp ecp_curves gcm hmac_drbg md \
    oid pk pk_ecc pk_wrap pkparse platform platform_util psa_util \
    sha256 x509 x509_crt
FW_DTLS_MODS := ssl_tls ssl_client ssl_tls12_client ssl_msg ssl_ciphersuites \
    ssl_debug_helpers_generated

# The device's crypto backend: p256-m for P-256 (src/backends/p256m/, p256-m
# from the fetched 3.6 tree's 3rdparty folder) with mbedTLS's AES-GCM and
# SHA-256 through the mbedTLS backend's AEAD and hash files.  The images
# named *-ecp link the mbedTLS backend instead (mbedTLS's bignum and ECP):
# the side-by-side build for the size and handshake figures.  Shared with
# mk/p256m.mk, which builds the same backend for the host.
P256M_INC := -I$(MBEDTLS_FW)/3rdparty/p256-m/p256-m
P256M_BACKEND_SRC := src/backends/mbedtls/mbedtls_aead.c src/backends/mbedtls/mbedtls_hash.c \
    $(sort $(wildcard src/backends/p256m/*.c))
FW_CORE_SRC     := $(CORE_ONLY_SRC) $(P256M_BACKEND_SRC)
FW_CORE_ECP_SRC := $(CORE_ONLY_SRC) $(sort $(wildcard src/backends/mbedtls/*.c))

FW_BOARD_SRC := firmware/board/an385/startup.c firmware/board/an385/board.c
FW_HDRS := $(wildcard firmware/*.h firmware/board/an385/*.h firmware/port/*.h)
FW_PORT_SRC := $(sort $(wildcard firmware/port/*.c))
# The port layer's share of the board on any Cortex-M (clock, sleep, reset,
# start-up, receive ring, console numbers): what an image without the
# slink port (echo) links beside the board's objects.
FW_BOARD_PORT_SRC := firmware/port/fw_clock.c firmware/port/fw_console.c firmware/port/fw_rxring.c \
    firmware/port/fw_startup.c

# The core's limits for a small MCU (include/slink/config.h; objects built
# with them depend on this file, so changing them rebuilds), sized for one
# host at 115200 baud (docs/PORTING.md, memory budget, has what each costs):
# 192-byte frame bodies (170-byte records: 17 ms on the line, about 85 % of
# it payload), a 2-chunk stream window with a one-chunk receive buffer (the
# application drains it every loop), one unread datagram, certificates up
# to 384 bytes (ours are about 360), one peer and one verified-certificate
# cache entry (the host's current certificate: a device that alternates
# between several hosts or certificates verifies each again), 4 queued
# events (the loop polls after every input and output call; a fifth
# unpolled event would push out the oldest); no log text (events and
# error codes only); credentials decoded where they lie in flash; the
# responder role only (the host initiates).  Feature switches that trade speed for flash or RAM
# are in FW_SLINK_FEATURES, which the host's unit-mcu-cfg pass (mk/size.mk)
# tests.
FW_SLINK_FEATURES := -DSLINK_CFG_CRC16_TABLE=16 -DSLINK_CFG_REC_AEAD_CACHE=0
# slink_aead's opaque storage sized for mbedTLS 3.6's GCM context on a
# 32-bit target with this configuration (520 bytes, AES-128 only: the AES key schedule
# is inside it, through the block-cipher layer, not in the heap as 2.28's
# cipher layer had it; the backend's static assertion checks it), not the
# host's 432: the record layer sets one up on the stack per record.
FW_SLINK_AEAD_CTX := -DSLINK_AEAD_CTX_SIZE=520
# The limits and switches above, which hold on any target: the host builds
# the core with them too (FW_SLINK_PORTABLE_DEFS below, for the
# responder-only pass of mk/unit_responder.mk), only the AEAD size is the
# target's.
FW_SLINK_LIMITS := -DSLINK_MAX_FRAME_BODY=192 -DSLINK_STREAM_WINDOW=2 \
    -DSLINK_STREAM_RX_BUF=256 -DSLINK_DGRAM_QUEUE=1 -DSLINK_CERT_MAX=384 \
    -DSLINK_MAX_PEERS=1 -DSLINK_CERT_CACHE_ENTRIES=1 -DSLINK_EVENT_QUEUE=4 -DSLINK_CFG_LOG_TEXT=0 -DSLINK_CFG_CREDS_COPY=0 -DSLINK_CFG_INITIATOR=0 \
    -DSLINK_CFG_CERT_FP_RULES=0
FW_SLINK_DEFS := $(FW_SLINK_LIMITS) $(FW_SLINK_AEAD_CTX) $(FW_SLINK_FEATURES)
# The device's configuration without the target-only AEAD size (the host's
# default fits the host's mbedTLS).
FW_SLINK_PORTABLE_DEFS := $(FW_SLINK_LIMITS) $(FW_SLINK_FEATURES)
# The core's own warning set; warnings that only a 32-bit target shows are
# reported, not fatal, so a host-clean core never blocks the firmware.
FW_WARN_CORE := $(filter-out -Werror,$(WARN_CORE))
FW_WARN := -Wall -Wextra -Werror -Wshadow -Wvla

# Provisioning: the device's certificate and key, the CA, and the hosts
# the end-to-end test plays (the right one, one from another CA, one with
# the wrong name), all made by the project's PKI tool into $(FW_DIR)/pki.
FW_PKI := $(FW_DIR)/pki
FW_DEVICE_ADDR := 7
FW_HOST_ADDR := 1
FW_DEVICE_NAME := slink-dev-7
FW_HOST_NAME := slink-host
# Certificate time floor = the build date (00:00 UTC), as unix seconds.
FW_TIME_FLOOR := $(shell d=$${SOURCE_DATE_EPOCH:-$$(date -u +%s)}; echo $$((d - d % 86400)))

.PHONY: firmware firmware-size fw-check fw-fetch

$(FW_MBEDTLS_STAMP):
	bash firmware/fetch-mbedtls.sh $(BUILD)/mbedtls-src

fw-fetch: $(FW_MBEDTLS_STAMP)

# ---- per-CPU rules ----
define FW_CPU_RULES
$(FW_DIR)/$(1)/obj/mbedtls/%.o: $(FW_MBEDTLS_STAMP) firmware/slink_mbedtls_config.h firmware/slink_mbedtls_common.h
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) -I$(MBEDTLS_FW)/library -std=c99 -fstack-usage \
	    -c $(MBEDTLS_FW)/library/$$*.c -o $$@

$(FW_DIR)/$(1)/obj/mbedtls-dtls/%.o: $(FW_MBEDTLS_STAMP) firmware/slink_mbedtls_config.h firmware/slink_mbedtls_common.h
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) -DSLINK_FW_DTLS_REFERENCE -I$(MBEDTLS_FW)/library \
	    -std=c99 -fstack-usage -c $(MBEDTLS_FW)/library/$$*.c -o $$@

$(FW_DIR)/$(1)/libmbedcrypto.a: $(patsubst %,$(FW_DIR)/$(1)/obj/mbedtls/%.o,$(FW_MBEDTLS_MODS))
	rm -f $$@
	$(FW_AR) rcs $$@ $$^

$(FW_DIR)/$(1)/libmbedtls-dtls.a: $(patsubst %,$(FW_DIR)/$(1)/obj/mbedtls-dtls/%.o,$(FW_MBEDTLS_MODS) $(FW_DTLS_MODS))
	rm -f $$@
	$(FW_AR) rcs $$@ $$^

$(FW_DIR)/$(1)/obj/board/%.o: firmware/board/an385/%.c $(FW_HDRS)
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) -std=c99 -Wall -Wextra -Werror -fstack-usage -c $$< -o $$@

$(FW_DIR)/$(1)/obj/apps/%.o: firmware/apps/%.c $(FW_HDRS) $(FW_MBEDTLS_STAMP)
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) -std=c99 -Wall -Wextra -Werror -fstack-usage -c $$< -o $$@

$(FW_DIR)/$(1)/obj/src/%.o: src/%.c $(CORE_HDRS) $(FW_MBEDTLS_STAMP) firmware/slink_mbedtls_config.h firmware/slink_mbedtls_common.h mk/firmware.mk
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) $(P256M_INC) $(FW_SLINK_DEFS) $(CSTD) $(FW_WARN_CORE) -fstack-usage -c $$< -o $$@

$(FW_DIR)/$(1)/libslink.a: $(patsubst src/%.c,$(FW_DIR)/$(1)/obj/src/%.o,$(FW_CORE_SRC))
	rm -f $$@
	$(FW_AR) rcs $$@ $$^

$(FW_DIR)/$(1)/libslink-ecp.a: $(patsubst src/%.c,$(FW_DIR)/$(1)/obj/src/%.o,$(FW_CORE_ECP_SRC))
	rm -f $$@
	$(FW_AR) rcs $$@ $$^

$(FW_DIR)/$(1)/obj/port/%.o: firmware/port/%.c $(FW_HDRS) $(FW_MBEDTLS_STAMP) $(wildcard include/slink/*.h) mk/firmware.mk
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) $(FW_SLINK_DEFS) -std=c99 $(FW_WARN) -fstack-usage -c $$< -o $$@

$(FW_DIR)/$(1)/obj/gen/%.o: $(FW_DIR)/gen/%.c $(FW_HDRS)
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) -std=c99 $(FW_WARN) -c $$< -o $$@

$(FW_DIR)/$(1)/obj/hsbench/main.o: firmware/apps/hsbench/main.c $(FW_HDRS) $(FW_MBEDTLS_STAMP) $(wildcard include/slink/*.h) mk/firmware.mk
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) $(FW_SLINK_DEFS) -std=c99 $(FW_WARN) -fstack-usage -c $$< -o $$@

$(FW_DIR)/$(1)/obj/device/main.o: firmware/apps/device/main.c $(FW_HDRS) $(FW_MBEDTLS_STAMP) $(wildcard include/slink/*.h) mk/firmware.mk
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) $(FW_SLINK_DEFS) -std=c99 $(FW_WARN) -fstack-usage -c $$< -o $$@

# Link order: application, port, provisioning, board, then the libraries,
# so only what the firmware reaches is pulled from the archives.
$(FW_DIR)/$(1)/device.elf: $(FW_DIR)/$(1)/obj/device/main.o \
        $(patsubst firmware/port/%.c,$(FW_DIR)/$(1)/obj/port/%.o,$(FW_PORT_SRC)) \
        $(FW_DIR)/$(1)/obj/gen/provision.o \
        $(FW_DIR)/$(1)/obj/board/startup.o $(FW_DIR)/$(1)/obj/board/board.o \
        $(FW_DIR)/$(1)/libslink.a $(FW_DIR)/$(1)/libmbedcrypto.a firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_LDFLAGS) $(FW_DEVICE_LDFLAGS) -Wl,-Map,$$@.map $$(filter %.o,$$^) \
	    $(FW_DIR)/$(1)/libslink.a $(FW_DIR)/$(1)/libmbedcrypto.a -o $$@

# The same device on mbedTLS's ECP (the mbedTLS backend), for comparison.
$(FW_DIR)/$(1)/device-ecp.elf: $(FW_DIR)/$(1)/obj/device/main.o \
        $(patsubst firmware/port/%.c,$(FW_DIR)/$(1)/obj/port/%.o,$(FW_PORT_SRC)) \
        $(FW_DIR)/$(1)/obj/gen/provision.o \
        $(FW_DIR)/$(1)/obj/board/startup.o $(FW_DIR)/$(1)/obj/board/board.o \
        $(FW_DIR)/$(1)/libslink-ecp.a $(FW_DIR)/$(1)/libmbedcrypto.a firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_LDFLAGS) $(FW_DEVICE_LDFLAGS) -Wl,-Map,$$@.map $$(filter %.o,$$^) \
	    $(FW_DIR)/$(1)/libslink-ecp.a $(FW_DIR)/$(1)/libmbedcrypto.a -o $$@

# Handshake compute bench (firmware/apps/hsbench), once per backend.
$(FW_DIR)/$(1)/hsbench.elf: $(FW_DIR)/$(1)/obj/hsbench/main.o \
        $(patsubst firmware/port/%.c,$(FW_DIR)/$(1)/obj/port/%.o,$(FW_PORT_SRC)) \
        $(FW_DIR)/$(1)/obj/gen/provision.o \
        $(FW_DIR)/$(1)/obj/board/startup.o $(FW_DIR)/$(1)/obj/board/board.o \
        $(FW_DIR)/$(1)/libslink.a $(FW_DIR)/$(1)/libmbedcrypto.a firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_LDFLAGS) $(FW_DEVICE_LDFLAGS) $$(filter %.o,$$^) \
	    $(FW_DIR)/$(1)/libslink.a $(FW_DIR)/$(1)/libmbedcrypto.a -o $$@

$(FW_DIR)/$(1)/hsbench-ecp.elf: $(FW_DIR)/$(1)/obj/hsbench/main.o \
        $(patsubst firmware/port/%.c,$(FW_DIR)/$(1)/obj/port/%.o,$(FW_PORT_SRC)) \
        $(FW_DIR)/$(1)/obj/gen/provision.o \
        $(FW_DIR)/$(1)/obj/board/startup.o $(FW_DIR)/$(1)/obj/board/board.o \
        $(FW_DIR)/$(1)/libslink-ecp.a $(FW_DIR)/$(1)/libmbedcrypto.a firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_LDFLAGS) $(FW_DEVICE_LDFLAGS) $$(filter %.o,$$^) \
	    $(FW_DIR)/$(1)/libslink-ecp.a $(FW_DIR)/$(1)/libmbedcrypto.a -o $$@

# mbedTLS DTLS 1.2 client reference: same board, port and provisioning,
# crypto configuration plus the ssl modules (SLINK_FW_DTLS_REFERENCE).
$(FW_DIR)/$(1)/obj/dtls/%.o: $(FW_HDRS) $(FW_MBEDTLS_STAMP)
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) -DSLINK_FW_DTLS_REFERENCE -std=c99 $(FW_WARN) \
	    -fstack-usage -c $$(if $$(filter main,$$*),firmware/apps/dtls_ref/main.c,firmware/port/$$*.c) -o $$@

$(FW_DIR)/$(1)/dtls_ref.elf: $(FW_DIR)/$(1)/obj/dtls/main.o \
        $(patsubst firmware/port/%.c,$(FW_DIR)/$(1)/obj/dtls/%.o,$(filter-out %fw_platform.c,$(FW_PORT_SRC))) \
        $(FW_DIR)/$(1)/obj/gen/provision_dtls.o \
        $(FW_DIR)/$(1)/obj/board/startup.o $(FW_DIR)/$(1)/obj/board/board.o \
        $(FW_DIR)/$(1)/libmbedtls-dtls.a firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_LDFLAGS) -Wl,-Map,$$@.map $$(filter %.o,$$^) \
	    $(FW_DIR)/$(1)/libmbedtls-dtls.a -o $$@

$(FW_DIR)/$(1)/echo.elf: $(FW_DIR)/$(1)/obj/apps/echo/main.o $(FW_DIR)/$(1)/obj/board/startup.o \
        $(FW_DIR)/$(1)/obj/board/board.o \
        $(patsubst firmware/port/%.c,$(FW_DIR)/$(1)/obj/port/%.o,$(FW_BOARD_PORT_SRC)) firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_LDFLAGS) -Wl,-Map,$$@.map $$(filter %.o,$$^) -o $$@
endef
$(foreach c,$(FW_CPUS),$(eval $(call FW_CPU_RULES,$(c))))

# ---- provisioning ----
$(FW_PKI)/.stamp: $(BUILD)/slink-pki
	@mkdir -p $(FW_PKI)
	$(BUILD)/slink-pki ca --force --cn "slink test root CA" --der --out-cert $(FW_PKI)/ca.der --out-key $(FW_PKI)/ca.key
	$(BUILD)/slink-pki issue --force --ca-cert $(FW_PKI)/ca.der --ca-key $(FW_PKI)/ca.key --der \
	    --name $(FW_DEVICE_NAME) --addr $(FW_DEVICE_ADDR) --out-cert $(FW_PKI)/device.der --out-key $(FW_PKI)/device.key
	$(BUILD)/slink-pki issue --force --ca-cert $(FW_PKI)/ca.der --ca-key $(FW_PKI)/ca.key --der \
	    --name $(FW_HOST_NAME) --addr $(FW_HOST_ADDR) --out-cert $(FW_PKI)/host.der --out-key $(FW_PKI)/host.key
	$(BUILD)/slink-pki issue --force --ca-cert $(FW_PKI)/ca.der --ca-key $(FW_PKI)/ca.key --der \
	    --name slink-intruder --addr $(FW_HOST_ADDR) --out-cert $(FW_PKI)/host-wrongname.der --out-key $(FW_PKI)/host-wrongname.key
	$(BUILD)/slink-pki ca --force --cn "slink other CA" --der --out-cert $(FW_PKI)/other-ca.der --out-key $(FW_PKI)/other-ca.key
	$(BUILD)/slink-pki issue --force --ca-cert $(FW_PKI)/other-ca.der --ca-key $(FW_PKI)/other-ca.key --der \
	    --name $(FW_HOST_NAME) --addr $(FW_HOST_ADDR) --out-cert $(FW_PKI)/host-otherca.der --out-key $(FW_PKI)/host-otherca.key
	head -c 32 /dev/urandom > $(FW_PKI)/device.seed
	touch $@

$(FW_DIR)/gen/provision.c: $(FW_PKI)/.stamp firmware/tools/gen_provision.py
	@mkdir -p $(@D)
	python3 firmware/tools/gen_provision.py --seed $(FW_PKI)/device.seed \
	    --ca $(FW_PKI)/ca.der --cert $(FW_PKI)/device.der --key $(FW_PKI)/device.key \
	    --host-name $(FW_HOST_NAME) --local-addr $(FW_DEVICE_ADDR) --host-addr $(FW_HOST_ADDR) \
	    --time-floor $(FW_TIME_FLOOR) --out $@

# The DTLS reference's: the same, with the key as the DER mbedTLS parses
# (the slink device's holds the scalar it loads).
$(FW_DIR)/gen/provision_dtls.c: $(FW_PKI)/.stamp firmware/tools/gen_provision.py
	@mkdir -p $(@D)
	python3 firmware/tools/gen_provision.py --seed $(FW_PKI)/device.seed \
	    --ca $(FW_PKI)/ca.der --cert $(FW_PKI)/device.der --key $(FW_PKI)/device.key --key-der \
	    --host-name $(FW_HOST_NAME) --local-addr $(FW_DEVICE_ADDR) --host-addr $(FW_HOST_ADDR) \
	    --time-floor $(FW_TIME_FLOOR) --out $@

# The same device with a time floor (2100-01-01) past every certificate's
# notAfter: the end-to-end test checks that the no-RTC policy refuses the
# host as expired rather than trusting an undated certificate.
FW_FUTURE_FLOOR := 4102444800
$(FW_DIR)/gen/provision_future.c: $(FW_PKI)/.stamp firmware/tools/gen_provision.py
	@mkdir -p $(@D)
	python3 firmware/tools/gen_provision.py --seed $(FW_PKI)/device.seed \
	    --ca $(FW_PKI)/ca.der --cert $(FW_PKI)/device.der --key $(FW_PKI)/device.key \
	    --host-name $(FW_HOST_NAME) --local-addr $(FW_DEVICE_ADDR) --host-addr $(FW_HOST_ADDR) \
	    --time-floor $(FW_FUTURE_FLOOR) --out $@

$(FW_DIR)/cm3/device_future.elf: $(FW_DIR)/cm3/obj/device/main.o \
        $(patsubst firmware/port/%.c,$(FW_DIR)/cm3/obj/port/%.o,$(FW_PORT_SRC)) \
        $(FW_DIR)/cm3/obj/gen/provision_future.o \
        $(FW_DIR)/cm3/obj/board/startup.o $(FW_DIR)/cm3/obj/board/board.o \
        $(FW_DIR)/cm3/libslink.a $(FW_DIR)/cm3/libmbedcrypto.a firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_cm3) $(FW_LDFLAGS) $(FW_DEVICE_LDFLAGS) $(filter %.o,$^) \
	    $(FW_DIR)/cm3/libslink.a $(FW_DIR)/cm3/libmbedcrypto.a -o $@

firmware: $(foreach c,$(FW_CPUS),$(FW_DIR)/$(c)/libmbedcrypto.a $(FW_DIR)/$(c)/libslink.a) \
          $(FW_DIR)/cm3/echo.elf $(FW_DIR)/cm3/device.elf $(FW_DIR)/cm4f/device.elf \
          $(FW_DIR)/cm4f/dtls_ref.elf

# ---- tests ----
# The NV seed record logic, built for the host against a stub board: part
# of `make unit` (no cross compiler or QEMU needed).
$(BUILD)/tests/test_fw_entropy: tests/unit/test_fw_entropy.c firmware/port/fw_entropy.c \
        firmware/port/fw_port.h tests/common/fw_stub/board.h $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Itests/common/fw_stub -Ifirmware/port $(CFLAGS_HOST) \
	    tests/unit/test_fw_entropy.c firmware/port/fw_entropy.c $(TEST_COMMON_OBJ) $(LIB) \
	    $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@

# The first NV seed record, written at provisioning (the device refuses
# to start without one); the QEMU tests load it into the NV sector.
$(FW_PKI)/nv.bin: $(FW_PKI)/.stamp firmware/tools/gen_nv_seed.py
	python3 firmware/tools/gen_nv_seed.py --out $@

.PHONY: fw-echo-check
fw-echo-check: $(FW_DIR)/cm3/echo.elf
	timeout 120 bash tests/integration/fw_echo.sh $(FW_DIR)/cm3/echo.elf $(FW_DIR)/run-echo

# Host side of the end-to-end test (host build of the core).
$(FW_DIR)/fw-host: firmware/host/fw_host.c $(LIB) $(wildcard include/slink/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_HOST) $< $(LIB) $(MBEDTLS_LIBS) -o $@

# The end-to-end test in make check: board bring-up (echo) and the device
# against fw-host.  Skips with a message when qemu-system-arm is absent.
.PHONY: fw-e2e fw-slinkd
CHECK_TARGETS += fw-check
fw-check: firmware fw-echo-check fw-e2e fw-slinkd fw-flood

# The device against the real daemon (tools/slinkd) and its local sockets.
fw-slinkd: $(FW_DIR)/cm3/device.elf $(BUILD)/slinkd $(BUILD)/slinkctl $(FW_PKI)/.stamp $(FW_PKI)/nv.bin
	timeout 120 bash tests/integration/fw_slinkd.sh $(FW_DIR)/cm3/device.elf $(BUILD)/slinkd \
	    $(BUILD)/slinkctl $(FW_PKI) $(FW_DIR)/run-slinkd

# The device under a msg1 flood through a relay that plays the line
# (-icount: public-key work takes a real part's time): the session keeps
# its id and serves byte-exact echoes; figures in run-flood/figures.json.
.PHONY: fw-flood
fw-flood: $(FW_DIR)/cm3/device.elf $(BUILD)/slinkd $(BUILD)/slinkctl $(FW_PKI)/.stamp $(FW_PKI)/nv.bin
	timeout 240 bash tests/integration/fw_flood.sh $(FW_DIR)/cm3/device.elf $(BUILD)/slinkd \
	    $(BUILD)/slinkctl $(FW_PKI) $(FW_DIR)/run-flood

fw-e2e: $(FW_DIR)/cm3/device.elf $(FW_DIR)/cm3/device_future.elf $(FW_DIR)/fw-host $(FW_PKI)/.stamp \
        $(FW_PKI)/nv.bin $(BUILD)/slinkctl
	SLINKCTL=$(BUILD)/slinkctl timeout 180 bash tests/integration/fw_e2e.sh $(FW_DIR)/cm3/device.elf $(FW_DIR)/fw-host $(FW_PKI) \
	    $(FW_DIR)/run-e2e $(FW_DIR)/cm3/device_future.elf

# ---- footprint report ----
# The core's own objects exclude p256m_lib.o (p256-m itself: third-party
# crypto, counted with mbedTLS).  Sizes from the Cortex-M4F maps (the p256-m device, the same device on
# mbedTLS's ECP, the DTLS 1.2 reference), RAM measured on the Cortex-M3
# device under QEMU (fw_measure.sh), and the handshake's compute counted in
# instructions by the bench image of each backend on QEMU's Cortex-M4
# board (fw_hsbench.sh).
FW_SIZE_CPU := cm4f
firmware-size: $(FW_DIR)/$(FW_SIZE_CPU)/device.elf $(FW_DIR)/$(FW_SIZE_CPU)/dtls_ref.elf \
               $(FW_DIR)/$(FW_SIZE_CPU)/device-ecp.elf \
               $(FW_DIR)/$(FW_SIZE_CPU)/hsbench.elf $(FW_DIR)/$(FW_SIZE_CPU)/hsbench-ecp.elf \
               $(FW_DIR)/cm3/device.elf $(FW_DIR)/fw-host $(FW_PKI)/.stamp $(FW_PKI)/nv.bin
	@timeout 120 bash tests/integration/fw_measure.sh $(FW_DIR)/cm3/device.elf $(FW_DIR)/fw-host \
	    $(FW_PKI) $(FW_DIR)/run-measure $(FW_DIR)/measured.txt
	@timeout 120 bash tests/integration/fw_hsbench.sh $(FW_DIR)/$(FW_SIZE_CPU)/hsbench.elf \
	    $(FW_PKI) $(FW_DIR)/run-hsbench $(FW_DIR)/hsbench.txt
	@timeout 120 bash tests/integration/fw_hsbench.sh $(FW_DIR)/$(FW_SIZE_CPU)/hsbench-ecp.elf \
	    $(FW_PKI) $(FW_DIR)/run-hsbench-ecp $(FW_DIR)/hsbench-ecp.txt
	@python3 firmware/tools/fw_size.py \
	    --core-objs "$(filter-out %/p256m_lib.o,$(patsubst src/%.c,$(FW_DIR)/$(FW_SIZE_CPU)/obj/src/%.o,$(FW_CORE_SRC)))" \
	    --device-map $(FW_DIR)/$(FW_SIZE_CPU)/device.elf.map \
	    --dtls-map $(FW_DIR)/$(FW_SIZE_CPU)/dtls_ref.elf.map \
	    --ecp-map $(FW_DIR)/$(FW_SIZE_CPU)/device-ecp.elf.map \
	    --measured $(FW_DIR)/measured.txt \
	    --hsbench $(FW_DIR)/hsbench.txt --hsbench-ecp $(FW_DIR)/hsbench-ecp.txt \
	    --stack-usage-dir $(FW_DIR)/$(FW_SIZE_CPU)/obj/src \
	    --stack-usage-dir $(FW_DIR)/$(FW_SIZE_CPU)/obj/mbedtls \
	    $(FW_SIZE_LTO_ARGS) --json $(FW_DIR)/sizes.json
	@python3 firmware/tools/fw_psa_size.py --merge $(FW_DIR)/psa-size.json --sizes $(FW_DIR)/sizes.json
