# Link-time optimisation of the firmware's library code, measured beside
# the plain -Os build (`make firmware-size`, fw_lto_* keys of sizes.json).
#
# What is built: the Cortex-M4F device and the mbedTLS DTLS 1.2 reference
# once more, with the library code of each (slink's core and its crypto;
# mbedTLS's ssl and crypto modules) compiled with -flto, and the same
# application, port, provisioning and board objects as the plain images.
# Both images get the same treatment, so their ratio stays like for like.
#
# Why beside and not instead: the footprint targets of issue 13 and the
# per-object tables are defined on the plain -Os build (LTO merges the
# objects, so the map no longer says which bytes are whose), and the
# QEMU tests run the plain images.  These two images are linked, not run:
# they tell a user what the same code costs when their own firmware build
# uses -flto.
#
# One LTO partition: the whole library is optimised as one unit, which is
# what gives the size win (and keeps lto-wrapper quiet about parallelism).

FW_LTO_CPU := cm4f
FW_LTO_DIR := $(FW_DIR)/$(FW_LTO_CPU)-lto
FW_LTO_FLAGS := -flto -flto-partition=one
FW_LTO_AR := arm-none-eabi-gcc-ar
FW_LTO_PLAIN := $(FW_DIR)/$(FW_LTO_CPU)/obj
# The link runs the optimiser: the same -Os, without the specs that
# FW_LDFLAGS already names.
FW_LTO_LINK_OPT := $(filter-out --specs=%,$(FW_OPT)) $(FW_LTO_FLAGS)

$(FW_LTO_DIR)/obj/src/%.o: src/%.c $(CORE_HDRS) $(FW_MBEDTLS_STAMP) firmware/slink_mbedtls_config.h \
        firmware/slink_mbedtls_common.h mk/firmware.mk mk/fw_lto.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_$(FW_LTO_CPU)) $(FW_OPT) $(FW_LTO_FLAGS) $(FW_CPPFLAGS) $(P256M_INC) $(FW_SLINK_DEFS) \
	    $(CSTD) $(FW_WARN_CORE) -c $< -o $@

$(FW_LTO_DIR)/obj/mbedtls/%.o: $(FW_MBEDTLS_STAMP) firmware/slink_mbedtls_config.h firmware/slink_mbedtls_common.h
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_$(FW_LTO_CPU)) $(FW_OPT) $(FW_LTO_FLAGS) $(FW_CPPFLAGS) -I$(MBEDTLS_FW)/library -std=c99 \
	    -c $(MBEDTLS_FW)/library/$*.c -o $@

$(FW_LTO_DIR)/obj/mbedtls-dtls/%.o: $(FW_MBEDTLS_STAMP) firmware/slink_mbedtls_config.h firmware/slink_mbedtls_common.h
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH_$(FW_LTO_CPU)) $(FW_OPT) $(FW_LTO_FLAGS) $(FW_CPPFLAGS) -DSLINK_FW_DTLS_REFERENCE \
	    -I$(MBEDTLS_FW)/library -std=c99 -c $(MBEDTLS_FW)/library/$*.c -o $@

# gcc-ar: the archive's symbol index must come from the LTO plugin.
$(FW_LTO_DIR)/libslink.a: $(patsubst src/%.c,$(FW_LTO_DIR)/obj/src/%.o,$(FW_CORE_SRC))
	rm -f $@
	$(FW_LTO_AR) rcs $@ $^

$(FW_LTO_DIR)/libmbedcrypto.a: $(patsubst %,$(FW_LTO_DIR)/obj/mbedtls/%.o,$(FW_MBEDTLS_MODS))
	rm -f $@
	$(FW_LTO_AR) rcs $@ $^

$(FW_LTO_DIR)/libmbedtls-dtls.a: $(patsubst %,$(FW_LTO_DIR)/obj/mbedtls-dtls/%.o,$(FW_MBEDTLS_MODS) $(FW_DTLS_MODS))
	rm -f $@
	$(FW_LTO_AR) rcs $@ $^

FW_LTO_DEVICE_OBJS := $(FW_LTO_PLAIN)/device/main.o \
    $(patsubst firmware/port/%.c,$(FW_LTO_PLAIN)/port/%.o,$(FW_PORT_SRC)) \
    $(FW_LTO_PLAIN)/gen/provision.o $(FW_LTO_PLAIN)/board/startup.o $(FW_LTO_PLAIN)/board/board.o
FW_LTO_DTLS_OBJS := $(FW_LTO_PLAIN)/dtls/main.o \
    $(patsubst firmware/port/%.c,$(FW_LTO_PLAIN)/dtls/%.o,$(filter-out %fw_platform.c,$(FW_PORT_SRC))) \
    $(FW_LTO_PLAIN)/gen/provision_dtls.o $(FW_LTO_PLAIN)/board/startup.o $(FW_LTO_PLAIN)/board/board.o

$(FW_LTO_DIR)/device.elf: $(FW_LTO_DEVICE_OBJS) $(FW_LTO_DIR)/libslink.a $(FW_LTO_DIR)/libmbedcrypto.a \
        firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(FW_LTO_CPU)) $(FW_LTO_LINK_OPT) $(FW_LDFLAGS) $(FW_DEVICE_LDFLAGS) \
	    -Wl,-Map,$@.map $(FW_LTO_DEVICE_OBJS) $(FW_LTO_DIR)/libslink.a $(FW_LTO_DIR)/libmbedcrypto.a -o $@

$(FW_LTO_DIR)/dtls_ref.elf: $(FW_LTO_DTLS_OBJS) $(FW_LTO_DIR)/libmbedtls-dtls.a firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(FW_LTO_CPU)) $(FW_LTO_LINK_OPT) $(FW_LDFLAGS) \
	    -Wl,-Map,$@.map $(FW_LTO_DTLS_OBJS) $(FW_LTO_DIR)/libmbedtls-dtls.a -o $@

firmware-size: $(FW_LTO_DIR)/device.elf $(FW_LTO_DIR)/dtls_ref.elf
FW_SIZE_LTO_ARGS = --lto-device-map $(FW_LTO_DIR)/device.elf.map --lto-dtls-map $(FW_LTO_DIR)/dtls_ref.elf.map

# `make firmware` (and so `make check`) links both, so a change that breaks
# the LTO build shows in CI, not first in `make bench`.
firmware: $(FW_LTO_DIR)/device.elf $(FW_LTO_DIR)/dtls_ref.elf
