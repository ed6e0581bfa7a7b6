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
FW_MBEDTLS_STAMP := $(MBEDTLS_FW)/include/mbedtls/version.h

FW_CPUS := cm3 cm4f cm0plus
FW_ARCH_cm3     := -mcpu=cortex-m3 -mthumb
FW_ARCH_cm4f    := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
FW_ARCH_cm0plus := -mcpu=cortex-m0plus -mthumb

FW_OPT    := -Os -g -ffunction-sections -fdata-sections --specs=nano.specs
FW_CPPFLAGS := -Iinclude -Ifirmware -Ifirmware/board/an385 -Ifirmware/port \
               -I$(MBEDTLS_FW)/include -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"'
FW_LDFLAGS := --specs=nano.specs --specs=nosys.specs -nostartfiles \
              -Wl,--gc-sections -Tfirmware/board/an385/an385.ld

# The mbedTLS modules the crypto configuration enables (the rest would
# compile to empty objects).
FW_MBEDTLS_MODS := aes asn1parse asn1write bignum cipher cipher_wrap \
    constant_time ecdh ecdsa ecp ecp_curves gcm hkdf hmac_drbg md \
    memory_buffer_alloc oid pk pk_wrap pkparse platform platform_util \
    sha256 x509 x509_crt
FW_DTLS_MODS := ssl_tls ssl_cli ssl_msg ssl_ciphersuites

FW_BOARD_SRC := firmware/board/an385/startup.c firmware/board/an385/board.c
FW_HDRS := $(wildcard firmware/*.h firmware/board/an385/*.h firmware/port/*.h)

.PHONY: firmware firmware-size fw-check fw-fetch

$(FW_MBEDTLS_STAMP):
	bash firmware/fetch-mbedtls.sh $(BUILD)/mbedtls-src

fw-fetch: $(FW_MBEDTLS_STAMP)

# ---- per-CPU rules ----
define FW_CPU_RULES
$(FW_DIR)/$(1)/obj/mbedtls/%.o: $(FW_MBEDTLS_STAMP) firmware/mbedtls_config.h
	@mkdir -p $$(@D)
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_OPT) $(FW_CPPFLAGS) -I$(MBEDTLS_FW)/library -std=c99 -fstack-usage \
	    -c $(MBEDTLS_FW)/library/$$*.c -o $$@

$(FW_DIR)/$(1)/obj/mbedtls-dtls/%.o: $(FW_MBEDTLS_STAMP) firmware/mbedtls_config.h
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

$(FW_DIR)/$(1)/echo.elf: $(FW_DIR)/$(1)/obj/apps/echo/main.o $(FW_DIR)/$(1)/obj/board/startup.o \
        $(FW_DIR)/$(1)/obj/board/board.o firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_$(1)) $(FW_LDFLAGS) -Wl,-Map,$$@.map $$(filter %.o,$$^) -o $$@
endef
$(foreach c,$(FW_CPUS),$(eval $(call FW_CPU_RULES,$(c))))

firmware: $(foreach c,$(FW_CPUS),$(FW_DIR)/$(c)/libmbedcrypto.a) $(FW_DIR)/cm3/echo.elf

# ---- tests ----
.PHONY: fw-echo-check
fw-echo-check: $(FW_DIR)/cm3/echo.elf
	timeout 120 bash tests/integration/fw_echo.sh $(FW_DIR)/cm3/echo.elf $(FW_DIR)/run-echo
