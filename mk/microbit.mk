# Second board: QEMU's microbit (nRF51822, Cortex-M0, 16 KiB RAM), the same
# device application and port layer as the AN385 example, with the board
# in firmware/board/microbit/ (UART0, SysTick, entropy from the RNG
# peripheral, console over semihosting).
#   make fw-microbit              build, then the device against slinkd under
#                                 QEMU -icount (part of make check)
#   make firmware-size-microbit   flash/RAM of the image, the measured
#                                 stack/heap and handshake instruction counts;
#                                 $(BUILD)/fw/microbit/sizes.json
# The core and mbedTLS for ARMv6-M come from firmware.mk's per-CPU rules
# (cpu "cm0"); only the board, the port objects (built against this
# board's board.h) and the link are here.

FW_ARCH_cm0 := -mcpu=cortex-m0 -mthumb
$(eval $(call FW_CPU_RULES,cm0))

MB_DIR := $(FW_DIR)/microbit
MB_BOARD := firmware/board/microbit
MB_CPPFLAGS := -I$(MB_BOARD) $(FW_CPPFLAGS)
MB_HDRS := $(wildcard $(MB_BOARD)/*.h firmware/port/*.h firmware/*.h include/slink/*.h)
# The port layer minus its NV-seed entropy: this board has a TRNG
# (rng_entropy.c implements the same interface).
MB_PORT_SRC := $(filter-out %/fw_entropy.c,$(FW_PORT_SRC))
MB_OBJS := $(MB_DIR)/obj/device/main.o \
    $(patsubst firmware/port/%.c,$(MB_DIR)/obj/port/%.o,$(MB_PORT_SRC)) \
    $(patsubst $(MB_BOARD)/%.c,$(MB_DIR)/obj/board/%.o,$(sort $(wildcard $(MB_BOARD)/*.c))) \
    $(MB_DIR)/obj/gen/provision.o

$(MB_DIR)/obj/device/main.o: firmware/apps/device/main.c $(MB_HDRS) $(FW_MBEDTLS_STAMP) mk/firmware.mk mk/microbit.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_cm0) $(FW_OPT) $(MB_CPPFLAGS) $(FW_SLINK_DEFS) -std=c99 $(FW_WARN) -fstack-usage -c $< -o $@

$(MB_DIR)/obj/port/%.o: firmware/port/%.c $(MB_HDRS) $(FW_MBEDTLS_STAMP) mk/firmware.mk mk/microbit.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_cm0) $(FW_OPT) $(MB_CPPFLAGS) $(FW_SLINK_DEFS) -std=c99 $(FW_WARN) -fstack-usage -c $< -o $@

$(MB_DIR)/obj/board/%.o: $(MB_BOARD)/%.c $(MB_HDRS) $(FW_MBEDTLS_STAMP) mk/firmware.mk mk/microbit.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_cm0) $(FW_OPT) $(MB_CPPFLAGS) $(FW_SLINK_DEFS) -std=c99 $(FW_WARN) -fstack-usage -c $< -o $@

$(MB_DIR)/obj/gen/provision.o: $(FW_DIR)/gen/provision.c $(MB_HDRS)
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_cm0) $(FW_OPT) $(MB_CPPFLAGS) -std=c99 $(FW_WARN) -c $< -o $@

# The link fails if the image does not fit the part's 16 KiB of RAM.
$(MB_DIR)/device.elf: $(MB_OBJS) $(FW_DIR)/cm0/libslink.a $(FW_DIR)/cm0/libmbedcrypto.a $(MB_BOARD)/microbit.ld
	$(FW_CC) $(FW_ARCH_cm0) $(filter-out -T%,$(FW_LDFLAGS)) -T$(MB_BOARD)/microbit.ld $(FW_DEVICE_LDFLAGS) \
	    -Wl,-Map,$@.map $(MB_OBJS) $(FW_DIR)/cm0/libslink.a $(FW_DIR)/cm0/libmbedcrypto.a -o $@

.PHONY: fw-microbit firmware-size-microbit
CHECK_TARGETS += fw-microbit
fw-microbit: $(MB_DIR)/device.elf $(BUILD)/slinkd $(BUILD)/slinkctl $(BUILD)/slink-pki $(FW_PKI)/.stamp
	timeout 400 bash tests/integration/fw_microbit.sh microbit $(MB_DIR)/device.elf $(BUILD)/slinkd \
	    $(BUILD)/slinkctl $(BUILD)/slink-pki $(FW_PKI) $(MB_DIR)/run $(MB_DIR)/measured.txt

# The Cortex-M3 counterpart for the report: the AN385 example device with
# its clock reporting busy runs (FW_BUSY_REPORT_MS of firmware/port/fw_clock.c;
# off in the example images), run through the same steps.
$(MB_DIR)/m3/fw_clock.o: firmware/port/fw_clock.c $(FW_HDRS) mk/microbit.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_cm3) $(FW_OPT) $(FW_CPPFLAGS) $(FW_SLINK_DEFS) -DFW_BUSY_REPORT_MS=20 -std=c99 $(FW_WARN) \
	    -c $< -o $@

MB_M3_OBJS := $(FW_DIR)/cm3/obj/device/main.o \
    $(patsubst firmware/port/%.c,$(FW_DIR)/cm3/obj/port/%.o,$(filter-out %/fw_clock.c,$(FW_PORT_SRC))) \
    $(MB_DIR)/m3/fw_clock.o \
    $(FW_DIR)/cm3/obj/gen/provision.o $(FW_DIR)/cm3/obj/board/startup.o $(FW_DIR)/cm3/obj/board/board.o
$(MB_DIR)/m3/device.elf: $(MB_M3_OBJS) $(FW_DIR)/cm3/libslink.a $(FW_DIR)/cm3/libmbedcrypto.a \
        firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_cm3) $(FW_LDFLAGS) $(FW_DEVICE_LDFLAGS) $(MB_M3_OBJS) \
	    $(FW_DIR)/cm3/libslink.a $(FW_DIR)/cm3/libmbedcrypto.a -o $@

.PHONY: fw-count-m3
fw-count-m3: $(MB_DIR)/m3/device.elf $(BUILD)/slinkd $(BUILD)/slinkctl $(BUILD)/slink-pki $(FW_PKI)/.stamp \
        $(FW_PKI)/nv.bin
	timeout 400 bash tests/integration/fw_microbit.sh an385 $(MB_DIR)/m3/device.elf $(BUILD)/slinkd \
	    $(BUILD)/slinkctl $(BUILD)/slink-pki $(FW_PKI) $(MB_DIR)/run-m3 $(MB_DIR)/measured-m3.txt

# The footprint section of the microbit, with the QEMU figures of a fresh
# fw-microbit run; after `make firmware-size` it prints the Cortex-M4F/M3
# figures of $(BUILD)/fw/sizes.json beside its own (that file's keys are
# left as they are: the microbit's go to $(MB_DIR)/sizes.json).
firmware-size-microbit: fw-microbit fw-count-m3
	@python3 firmware/tools/fw_size_microbit.py --map $(MB_DIR)/device.elf.map \
	    --measured $(MB_DIR)/measured.txt --m3-measured $(MB_DIR)/measured-m3.txt \
	    --m4-json $(FW_DIR)/sizes.json --json $(MB_DIR)/sizes.json

# The RNG entropy source, built for the host with the RNG played by the
# test (board.h of this board only declares functions): part of make unit.
# The sanitizer and MCU-configuration passes cover the core's tests only.
SAN_EXCLUDE += tests/unit/test_mb_entropy.c
$(BUILD)/tests/test_mb_entropy: tests/unit/test_mb_entropy.c $(MB_BOARD)/rng_entropy.c \
        $(MB_BOARD)/board.h firmware/port/fw_port.h $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -I$(MB_BOARD) -Ifirmware/port $(CFLAGS_HOST) \
	    tests/unit/test_mb_entropy.c $(MB_BOARD)/rng_entropy.c $(TEST_COMMON_OBJ) $(LIB) \
	    $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@
