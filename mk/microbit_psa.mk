# The PSA variant (mk/fw_psa.mk: identity key a persistent PSA key in the
# image's ITS page, signed with by id through mbedTLS 3.6's PSA core; the
# rest on the raw device backend) on the second board, QEMU's microbit
# (nRF51822, Cortex-M0, 16 KiB RAM), run through the same steps as
# fw-microbit.
#   make fw-microbit-psa   build, then the device against slinkd under QEMU
#                          -icount (part of make check); its painted stack,
#                          heap and handshake counts go to
#                          $(MB_DIR)/measured-psa.txt
# After mk/microbit.mk (FW_ARCH_cm0, MB_*), hence the name.

$(eval $(call FW_PSA_LIB_RULES,cm0))

MB_PSA_LD := $(MB_DIR)/psa/microbit_its.ld
$(MB_PSA_LD): $(MB_BOARD)/microbit.ld firmware/psa/its.ld
	$(FW_PSA_ADD_ITS)

# The microbit's port (TRNG entropy) without the raw-key identity, and the
# PSA glue built against this board's board.h.
MB_PSA_OBJS := $(MB_DIR)/obj/device/main.o \
    $(patsubst firmware/port/%.c,$(MB_DIR)/obj/port/%.o,$(filter-out %/fw_identity.c,$(MB_PORT_SRC))) \
    $(patsubst firmware/psa/%.c,$(MB_DIR)/obj-psa/fw/%.o,$(FW_PSA_SRC)) \
    $(patsubst $(MB_BOARD)/%.c,$(MB_DIR)/obj/board/%.o,$(sort $(wildcard $(MB_BOARD)/*.c))) \
    $(MB_DIR)/obj/gen/provision_psa.o

$(MB_DIR)/obj-psa/fw/%.o: firmware/psa/%.c $(MB_HDRS) $(wildcard firmware/psa/*.h) $(FW_PSA_CFG) \
        src/backends/p256m/p256m_backend.h $(FW_MBEDTLS_STAMP) mk/fw_psa.mk mk/microbit_psa.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_cm0) $(FW_OPT) -I$(MB_BOARD) $(FW_PSA_CPPFLAGS) -Isrc -I$(MBEDTLS_FW)/library \
	    $(FW_SLINK_DEFS) -std=c99 $(FW_WARN) -fstack-usage -c $< -o $@

$(MB_DIR)/obj/gen/provision_psa.o: $(FW_DIR)/gen/provision_psa.c $(MB_HDRS)
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_cm0) $(FW_OPT) $(MB_CPPFLAGS) -std=c99 $(FW_WARN) -c $< -o $@

# Linked with the ITS page erased, then provisioned (as the AN385 image).
# The link fails if the image does not fit the part's 16 KiB of RAM.
$(MB_DIR)/device-psa-blank.elf: $(MB_PSA_OBJS) $(FW_DIR)/cm0/libslink-psa.a $(FW_DIR)/cm0/libmbedcrypto-psa.a \
        $(MB_PSA_LD)
	$(FW_CC) $(FW_ARCH_cm0) $(filter-out -T%,$(FW_LDFLAGS)) -T$(MB_PSA_LD) $(FW_DEVICE_LDFLAGS) \
	    -Wl,-Map,$@.map $(MB_PSA_OBJS) $(FW_DIR)/cm0/libslink-psa.a $(FW_DIR)/cm0/libmbedcrypto-psa.a -o $@

$(MB_DIR)/device-psa.elf: $(MB_DIR)/device-psa-blank.elf $(FW_PKI)/its.bin
	arm-none-eabi-objcopy --update-section .slink_its=$(FW_PKI)/its.bin $< $@

.PHONY: fw-microbit-psa
CHECK_TARGETS += fw-microbit-psa
fw-microbit-psa: $(MB_DIR)/device-psa.elf $(BUILD)/slinkd $(BUILD)/slinkctl $(BUILD)/slink-pki $(FW_PKI)/.stamp
	timeout 400 bash tests/integration/fw_microbit.sh microbit $(MB_DIR)/device-psa.elf $(BUILD)/slinkd \
	    $(BUILD)/slinkctl $(BUILD)/slink-pki $(FW_PKI) $(MB_DIR)/run-psa $(MB_DIR)/measured-psa.txt
