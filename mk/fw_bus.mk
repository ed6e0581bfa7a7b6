# Firmware devices on an RS485 bus (issue 14): the example device
# provisioned as bus devices (gen_provision.py --bus-device) at addresses
# FW_BUS_ADDRS, under the same CA and host identity as the point-to-point
# image, run under QEMU on one slink-linesim --bus with a slinkd master and
# 8 slinkd devices (10 devices in all), a power cut of one firmware device
# and a rogue at the other's address (tests/integration/fw_bus.sh,
# bus_fw.py; about 22 s on an idle machine, 140 s with two busy loops at
# load 8, where every wait in it is a condition with its own bound; the
# timeout below only guards against a hang).  Part of fw-check.
FW_BUS_ADDRS := 20 21

$(FW_PKI)/bus-%.stamp: $(FW_PKI)/.stamp firmware/tools/gen_nv_seed.py
	$(BUILD)/slink-pki issue --force --ca-cert $(FW_PKI)/ca.der --ca-key $(FW_PKI)/ca.key --der \
	    --name slink-dev-$* --addr $* --out-cert $(FW_PKI)/bus-$*.der --out-key $(FW_PKI)/bus-$*.key
	head -c 32 /dev/urandom > $(FW_PKI)/bus-$*.seed
	python3 firmware/tools/gen_nv_seed.py --out $(FW_PKI)/bus-$*.nv
	touch $@

$(FW_DIR)/gen/provision_bus%.c: $(FW_PKI)/bus-%.stamp firmware/tools/gen_provision.py
	@mkdir -p $(@D)
	python3 firmware/tools/gen_provision.py --seed $(FW_PKI)/bus-$*.seed \
	    --ca $(FW_PKI)/ca.der --cert $(FW_PKI)/bus-$*.der --key $(FW_PKI)/bus-$*.key \
	    --host-name $(FW_HOST_NAME) --local-addr $* --host-addr $(FW_HOST_ADDR) \
	    --time-floor $(FW_TIME_FLOOR) --bus-device --out $@

$(FW_DIR)/cm3/device_bus%.elf: $(FW_DIR)/cm3/obj/device/main.o \
        $(patsubst firmware/port/%.c,$(FW_DIR)/cm3/obj/port/%.o,$(FW_PORT_SRC)) \
        $(FW_DIR)/cm3/obj/gen/provision_bus%.o \
        $(FW_DIR)/cm3/obj/board/startup.o $(FW_DIR)/cm3/obj/board/board.o \
        $(FW_DIR)/cm3/libslink.a $(FW_DIR)/cm3/libmbedcrypto.a firmware/board/an385/an385.ld
	$(FW_CC) $(FW_ARCH_cm3) $(FW_LDFLAGS) $(FW_DEVICE_LDFLAGS) $(filter %.o,$^) \
	    $(FW_DIR)/cm3/libslink.a $(FW_DIR)/cm3/libmbedcrypto.a -o $@

.PRECIOUS: $(FW_DIR)/gen/provision_bus%.c $(FW_DIR)/cm3/obj/gen/provision_bus%.o $(FW_PKI)/bus-%.stamp

.PHONY: fw-bus
fw-check: fw-bus
fw-bus: $(foreach a,$(FW_BUS_ADDRS),$(FW_DIR)/cm3/device_bus$(a).elf) $(BUILD)/slinkd $(BUILD)/slinkctl \
        $(BUILD)/slink-linesim $(BUILD)/slink-pki
	timeout 300 bash tests/integration/fw_bus.sh $(BUILD) $(FW_PKI) $(FW_DIR)/run-bus \
	    $(foreach a,$(FW_BUS_ADDRS),$(a):$(FW_DIR)/cm3/device_bus$(a).elf)
