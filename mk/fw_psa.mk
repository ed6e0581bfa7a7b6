# The PSA variant of the example firmware: the same device (firmware/apps/
# device) and core, with the identity key a persistent PSA key, provisioned
# at build time into the image's internal trusted storage region
# (firmware/psa/, docs/PORTING.md "Identity key in a PSA key store"), so
# slink holds the key id only.  A hybrid: everything but the identity
# key's signature runs on the raw device build's backend (src/backends/
# p256m/ with mbedTLS's AES-GCM and SHA-256: ECDH, verification, ephemeral
# keys, records, hashes); the signature goes through the PSA backend's key
# id signer (src/backends/psa/psa_key.c, psa_ready.c: nothing else of that
# backend) into mbedTLS 3.6's PSA Crypto core, which signs with p256-m as
# its driver.  The driver's entry points link against the p256-m inside
# p256m_lib.o, so the image carries one copy of p256-m.
#   make fw-psa-check   the device-psa image against slinkd, and the check
#                       that its key is nowhere but in the ITS region
#                       (part of make check, in fw-check)
#   make unit-fw-its    the ITS code on the host (part of make check)
#   make firmware-size  also measures this variant (fw_psa_* keys)

FW_PSA_CPUS := cm3 cm4f
FW_PSA_CPPFLAGS := -Iinclude -Ifirmware -Ifirmware/board/an385 -Ifirmware/port -Ifirmware/psa \
    -I$(MBEDTLS_FW)/include -DMBEDTLS_CONFIG_FILE='"slink_psa_mbedtls_config.h"'
FW_PSA_CFG := firmware/psa/slink_psa_mbedtls_config.h firmware/psa/slink_psa_crypto_config.h firmware/slink_mbedtls_common.h
# The PSA core with key storage, the AES-GCM and SHA-256 the device
# backend calls directly, and p256-m's driver entry points (from the
# fetched tree's 3rdparty) without p256-m itself: its p256_* functions are
# p256m_lib.o's.
FW_PSA_MBEDTLS_MODS := psa_crypto psa_crypto_client psa_crypto_driver_wrappers_no_static \
    psa_crypto_slot_management psa_crypto_storage psa_util platform platform_util \
    constant_time aes gcm block_cipher sha256 psa_crypto_hash
FW_PSA_P256M_MODS := p256-m_driver_entrypoints
# The device backend, and of the PSA backend the key id signer only.
FW_PSA_CORE_SRC := $(CORE_ONLY_SRC) $(P256M_BACKEND_SRC) \
    src/backends/psa/psa_key.c src/backends/psa/psa_ready.c
FW_PSA_SRC := $(sort $(wildcard firmware/psa/*.c))
# The port without the raw-key identity (fw_identity.c): fw_identity_psa.c
# takes its place.
FW_PSA_PORT_SRC := $(filter-out %/fw_identity.c,$(FW_PORT_SRC))
FW_ITS_SIZE := 1024
FW_PSA_KEY_ID := 0x00534C01
# The board's linker script with the ITS region added (its.ld).
FW_PSA_LD := $(FW_DIR)/psa/an385_its.ld
FW_PSA_LDFLAGS := $(filter-out -T%,$(FW_LDFLAGS)) -T$(FW_PSA_LD)

# A board's linker script with its.ld inserted: $< the board's, $@ the copy
# (mk/microbit_psa.mk uses it too).
define FW_PSA_ADD_ITS
	@mkdir -p $(@D)
	awk '/^    \.ARM\.exidx/ { while ((getline l < "firmware/psa/its.ld") > 0) print l } { print }' $< >$@.tmp
	grep -q '^    \.slink_its' $@.tmp
	mv $@.tmp $@
endef
$(FW_PSA_LD): firmware/board/an385/an385.ld firmware/psa/its.ld
	$(FW_PSA_ADD_ITS)

# The libraries for one CPU (also cm0, from mk/microbit_psa.mk).
define FW_PSA_LIB_RULES
$(FW_DIR)/$(1)/obj-psa/mbedtls/%.o: $(FW_MBEDTLS_STAMP) $(FW_PSA_CFG)
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_PSA_CPPFLAGS) -I$(MBEDTLS_FW)/library -std=c99 -fstack-usage \
	    -c $(MBEDTLS_FW)/library/$$*.c -o $$@

$(FW_DIR)/$(1)/obj-psa/p256m/%.o: $(FW_MBEDTLS_STAMP) $(FW_PSA_CFG)
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_PSA_CPPFLAGS) -I$(MBEDTLS_FW)/library \
	    -I$(MBEDTLS_FW)/3rdparty/p256-m -std=c99 -fstack-usage \
	    -c $(MBEDTLS_FW)/3rdparty/p256-m/$$*.c -o $$@

$(FW_DIR)/$(1)/libmbedcrypto-psa.a: $(patsubst %,$(FW_DIR)/$(1)/obj-psa/mbedtls/%.o,$(FW_PSA_MBEDTLS_MODS)) \
        $(patsubst %,$(FW_DIR)/$(1)/obj-psa/p256m/%.o,$(FW_PSA_P256M_MODS))
	rm -f $$@
	$(FW_AR) rcs $$@ $$^

$(FW_DIR)/$(1)/obj-psa/src/%.o: src/%.c $(CORE_HDRS) $(FW_MBEDTLS_STAMP) $(FW_PSA_CFG) mk/firmware.mk mk/fw_psa.mk
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_PSA_CPPFLAGS) $(P256M_INC) $(FW_SLINK_DEFS) $(CSTD) $(FW_WARN_CORE) -fstack-usage -c $$< -o $$@

$(FW_DIR)/$(1)/libslink-psa.a: $(patsubst src/%.c,$(FW_DIR)/$(1)/obj-psa/src/%.o,$(FW_PSA_CORE_SRC))
	rm -f $$@
	$(FW_AR) rcs $$@ $$^

endef

# The AN385 images.
define FW_PSA_CPU_RULES
# -Isrc: fw_psa_signer.c joins the two backends (p256m_backend.h).
$(FW_DIR)/$(1)/obj-psa/fw/%.o: firmware/psa/%.c $(FW_HDRS) $(wildcard firmware/psa/*.h) $(FW_PSA_CFG) \
        src/backends/p256m/p256m_backend.h $(FW_MBEDTLS_STAMP) mk/fw_psa.mk
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_PSA_CPPFLAGS) -Isrc -I$(MBEDTLS_FW)/library $(FW_SLINK_DEFS) -std=c99 $(FW_WARN) \
	    -fstack-usage -c $$< -o $$@

FW_PSA_OBJS_$(1) := $(patsubst firmware/port/%.c,$(FW_DIR)/$(1)/obj/port/%.o,$(FW_PSA_PORT_SRC)) \
    $(patsubst firmware/psa/%.c,$(FW_DIR)/$(1)/obj-psa/fw/%.o,$(FW_PSA_SRC)) \
    $(FW_DIR)/$(1)/obj/gen/provision_psa.o \
    $(FW_DIR)/$(1)/obj/board/startup.o $(FW_DIR)/$(1)/obj/board/board.o

# Linked without a key (the ITS region erased), then provisioned.
$(FW_DIR)/$(1)/device-psa-blank.elf: $(FW_DIR)/$(1)/obj/device/main.o $$(FW_PSA_OBJS_$(1)) \
        $(FW_DIR)/$(1)/libslink-psa.a $(FW_DIR)/$(1)/libmbedcrypto-psa.a $(FW_PSA_LD)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_PSA_LDFLAGS) $(FW_DEVICE_LDFLAGS) -Wl,-Map,$$@.map $$(filter %.o,$$^) \
	    $(FW_DIR)/$(1)/libslink-psa.a $(FW_DIR)/$(1)/libmbedcrypto-psa.a -o $$@

$(FW_DIR)/$(1)/hsbench-psa-blank.elf: $(FW_DIR)/$(1)/obj/hsbench/main.o $$(FW_PSA_OBJS_$(1)) \
        $(FW_DIR)/$(1)/libslink-psa.a $(FW_DIR)/$(1)/libmbedcrypto-psa.a $(FW_PSA_LD)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_PSA_LDFLAGS) $(FW_DEVICE_LDFLAGS) $$(filter %.o,$$^) \
	    $(FW_DIR)/$(1)/libslink-psa.a $(FW_DIR)/$(1)/libmbedcrypto-psa.a -o $$@

$(FW_DIR)/$(1)/%-psa.elf: $(FW_DIR)/$(1)/%-psa-blank.elf $(FW_PKI)/its.bin
	arm-none-eabi-objcopy --update-section .slink_its=$(FW_PKI)/its.bin $$< $$@
endef
$(foreach c,$(FW_PSA_CPUS),$(eval $(call FW_PSA_LIB_RULES,$(c))))
$(foreach c,$(FW_PSA_CPUS),$(eval $(call FW_PSA_CPU_RULES,$(c))))

firmware: $(FW_DIR)/cm3/device-psa.elf $(FW_DIR)/cm4f/device-psa.elf

# ---- provisioning ----
# CA, certificate, addresses, seed: as the raw image, but no key.
$(FW_DIR)/gen/provision_psa.c: $(FW_PKI)/.stamp firmware/tools/gen_provision.py
	@mkdir -p $(@D)
	python3 firmware/tools/gen_provision.py --seed $(FW_PKI)/device.seed \
	    --ca $(FW_PKI)/ca.der --cert $(FW_PKI)/device.der \
	    --host-name $(FW_HOST_NAME) --local-addr $(FW_DEVICE_ADDR) --host-addr $(FW_HOST_ADDR) \
	    --time-floor $(FW_TIME_FLOOR) --out $@

# The identity key as a persistent PSA key in the ITS region's image.
$(FW_PKI)/its.bin: $(FW_PKI)/.stamp firmware/tools/gen_its.py firmware/psa/fw_its.h
	python3 firmware/tools/gen_its.py --key $(FW_PKI)/device.key --key-id $(FW_PSA_KEY_ID) \
	    --size $(FW_ITS_SIZE) --out $@

# ---- tests ----
.PHONY: fw-psa-check fw-psa-slinkd fw-psa-keycheck
fw-check: fw-psa-check
fw-psa-check: fw-psa-keycheck fw-psa-slinkd

# The same device end-to-end test against slinkd as fw-slinkd.
fw-psa-slinkd: $(FW_DIR)/cm3/device-psa.elf $(BUILD)/slinkd $(BUILD)/slinkctl $(FW_PKI)/.stamp $(FW_PKI)/nv.bin
	timeout 120 bash tests/integration/fw_slinkd.sh $(FW_DIR)/cm3/device-psa.elf $(BUILD)/slinkd \
	    $(BUILD)/slinkctl $(FW_PKI) $(FW_DIR)/run-psa-slinkd

# Where the scalar is: only in the provisioned ITS region of the image,
# and not in the device's RAM after a handshake.
fw-psa-keycheck: $(FW_DIR)/cm3/device-psa.elf $(FW_DIR)/cm3/device-psa-blank.elf $(FW_DIR)/cm3/device.elf \
        $(FW_DIR)/fw-host $(FW_PKI)/.stamp $(FW_PKI)/nv.bin
	timeout 120 bash tests/integration/fw_psa_keycheck.sh $(FW_DIR)/cm3/device-psa-blank.elf \
	    $(FW_DIR)/cm3/device-psa.elf $(FW_DIR)/cm3/device.elf $(FW_DIR)/fw-host $(FW_PKI) \
	    $(FW_DIR)/run-psa-keycheck

# ---- footprint ----
firmware-size: $(FW_DIR)/psa-size.json
$(FW_DIR)/psa-size.json: $(FW_DIR)/$(FW_SIZE_CPU)/device-psa.elf $(FW_DIR)/$(FW_SIZE_CPU)/hsbench-psa.elf \
        $(FW_DIR)/cm3/device-psa.elf $(FW_DIR)/fw-host $(FW_PKI)/.stamp $(FW_PKI)/nv.bin firmware/tools/fw_psa_size.py
	@timeout 120 bash tests/integration/fw_measure.sh $(FW_DIR)/cm3/device-psa.elf $(FW_DIR)/fw-host \
	    $(FW_PKI) $(FW_DIR)/run-measure-psa $(FW_DIR)/measured-psa.txt
	@timeout 120 bash tests/integration/fw_hsbench.sh $(FW_DIR)/$(FW_SIZE_CPU)/hsbench-psa.elf \
	    $(FW_PKI) $(FW_DIR)/run-hsbench-psa $(FW_DIR)/hsbench-psa.txt
	@python3 firmware/tools/fw_psa_size.py --map $(FW_DIR)/$(FW_SIZE_CPU)/device-psa-blank.elf.map \
	    --measured $(FW_DIR)/measured-psa.txt --hsbench $(FW_DIR)/hsbench-psa.txt --out $@

# ---- host test of the ITS (no cross compiler or QEMU needed) ----
# firmware/psa/fw_its.c built for the host against the fetched 3.6
# headers (its default configuration: only types and status codes are
# used), run on an erased page and on the page gen_its.py provisions.
.PHONY: unit-fw-its
CHECK_TARGETS += unit-fw-its
$(BUILD)/tests/fw_its_test: tests/psa/fw_its_test.c firmware/psa/fw_its.c firmware/psa/fw_its.h | $(FW_MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(CC) -I$(MBEDTLS_FW)/include -I$(MBEDTLS_FW)/library -Ifirmware/psa $(CFLAGS_HOST) \
	    tests/psa/fw_its_test.c firmware/psa/fw_its.c $(CHECK_LIBS) -o $@

unit-fw-its: $(BUILD)/tests/fw_its_test $(FW_PKI)/its.bin
	CK_FORK=yes $(BUILD)/tests/fw_its_test $(FW_PKI)/its.bin
