# Wireshark Lua dissector for slink (issue 5, frame dump): tshark's
# dissection of a test capture must agree with slink-dump's, field by field.
# Skips with a message when tshark is not installed.

.PHONY: wireshark-check
wireshark-check: $(BUILD)/slink-dump $(BUILD)/tools/slink-dump-mkcap
	bash tests/integration/wireshark_dissect.sh $(BUILD)

CHECK_TARGETS += wireshark-check
