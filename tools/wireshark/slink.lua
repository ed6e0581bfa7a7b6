-- Wireshark dissector for slink protocol version 2 (docs/PROTOCOL.md).
--
-- Reads pcap files of link type USER0 (147) in which each packet holds
-- bytes of a serial line: optional idle 0x00 bytes, then COBS-encoded
-- frames each ended by a 0x00 delimiter (tools/wireshark/slink2pcap.py
-- writes one frame per packet; several per packet are dissected too).
-- It applies the receiver checks of §2.4 in the core's order (encoded
-- length, COBS, runt, decoded length, CRC, source address) and names a
-- drop exactly as the core and slink-dump do (ERR_FRAME_...), so the two
-- tools can be compared field by field (tests/integration/wireshark_dissect.sh).
-- Records are shown, not decrypted.
--
-- Load:  wireshark -X lua_script:tools/wireshark/slink.lua cap.pcap
--        tshark    -X lua_script:tools/wireshark/slink.lua -r cap.pcap
-- or copy it to ~/.local/lib/wireshark/plugins/.

local slink = Proto("slink", "slink serial link")

-- ---- constants (include/slink/wire.h, include/slink/config.h) -----------
local FRAME_HDR, FRAME_CRC, FRAME_MIN = 3, 2, 5
local TAG_LEN, HS1_LEN, HS2_CLEAR_LEN, FRAG_HDR = 16, 35, 34, 4
local ECX_LEN, MTU_UNIT = 32, 16
local GRANULE = 60                       -- SLINK_HS_GRANULE: repair requests name 60-byte pieces
local VERSION_SUITE = 0x21               -- version 2 (no handshake nonces), suite 1
local CERT_MAX_DEFAULT = 1024            -- SLINK_CERT_MAX; HS_MSG_MAX = CERT_MAX + 160

local bit = bit32 or bit                 -- Lua 5.2 (Wireshark 3.x/4.0) or BitOp
local band, bor, bxor, lshift, rshift = bit.band, bit.bor, bit.bxor, bit.lshift, bit.rshift

slink.prefs.max_body = Pref.uint("Largest frame body (MTU)", 1104,
    "SLINK_MAX_FRAME_BODY of the receiving build (1104 on hosts, 256 on the example MCU): longer frames are dropped as oversize")
slink.prefs.cert_max = Pref.uint("Largest certificate", CERT_MAX_DEFAULT,
    "SLINK_CERT_MAX: handshake fragments announcing a message over CERT_MAX + 160 bytes are malformed")

-- ---- value strings --------------------------------------------------------
local type_names = {
    [0x01] = "HS1", [0x02] = "HS2", [0x03] = "HS3",
    [0x11] = "HS1_FRAG", [0x12] = "HS2_FRAG", [0x13] = "HS3_FRAG", [0x18] = "HS_REPAIR",
    [0x20] = "POLL", [0x21] = "TURN_END", [0x30] = "PLAIN_ALERT",
}
local ct_names = { [0] = "reserved", [1] = "ALERT", [2] = "ACK", [3] = "STREAM", [4] = "DATAGRAM",
                   [5] = "reserved", [6] = "reserved", [7] = "reserved" }
local seq_code_names = { [0] = "1 byte", [1] = "2 bytes", [2] = "6 bytes", [3] = "reserved" }
local seq_code_len = { [0] = 1, [1] = 2, [2] = 6 }
local level_names = { [1] = "warning", [2] = "fatal" }
local alert_names = {
    [0] = "close_notify", [10] = "unexpected_message", [20] = "bad_record_mac",
    [40] = "handshake_failure", [42] = "bad_certificate", [44] = "certificate_revoked", [45] = "certificate_expired",
    [48] = "unknown_ca", [49] = "access_denied", [50] = "decode_error",
    [70] = "protocol_version", [80] = "internal_error", [100] = "no_session",
}

-- ---- fields ---------------------------------------------------------------
local F = {
    idle      = ProtoField.uint16("slink.idle", "Idle bytes before the frame", base.DEC),
    wire      = ProtoField.uint16("slink.wire", "Bytes on the line (with delimiter)", base.DEC),
    drop      = ProtoField.string("slink.drop", "Dropped by a receiver"),
    dst       = ProtoField.uint8("slink.dst", "Destination", base.HEX),
    src       = ProtoField.uint8("slink.src", "Source", base.HEX),
    type      = ProtoField.uint8("slink.type", "Type", base.HEX),
    body_len  = ProtoField.uint16("slink.body_len", "Body length", base.DEC),
    body      = ProtoField.bytes("slink.body", "Body"),
    crc       = ProtoField.uint16("slink.crc", "CRC-16/CCITT-FALSE", base.HEX),
    crc_calc  = ProtoField.uint16("slink.crc_calc", "CRC computed", base.HEX),
    crc_ok    = ProtoField.bool("slink.crc_ok", "CRC good"),
    bad       = ProtoField.string("slink.bad", "Malformed"),

    rec_bit   = ProtoField.uint8("slink.rec.flag", "Record", base.DEC, nil, 0x80),
    rec_epoch = ProtoField.uint8("slink.rec.epoch", "Epoch (low 2 bits)", base.DEC, nil, 0x60),
    rec_ct    = ProtoField.uint8("slink.rec.ct", "Content type", base.DEC, ct_names, 0x1C),
    rec_seqc  = ProtoField.uint8("slink.rec.seq_code", "Sequence field code", base.DEC, seq_code_names, 0x03),
    rec_seqln = ProtoField.uint8("slink.rec.seq_len", "Sequence field length", base.DEC),
    rec_seq   = ProtoField.uint64("slink.rec.seq", "Sequence number (low bits as sent)", base.DEC),
    rec_ctlen = ProtoField.uint16("slink.rec.ct_len", "Ciphertext length", base.DEC),
    rec_ctext = ProtoField.bytes("slink.rec.ciphertext", "Ciphertext"),
    rec_tag   = ProtoField.bytes("slink.rec.tag", "GCM tag"),

    hs_msg    = ProtoField.uint8("slink.hs.msg", "Handshake message", base.DEC),
    hs_vs     = ProtoField.uint8("slink.hs.vs", "Version/suite", base.HEX),
    hs_ver    = ProtoField.uint8("slink.hs.version", "Version", base.DEC, nil, 0xF0),
    hs_suite  = ProtoField.uint8("slink.hs.suite", "Suite", base.DEC, nil, 0x0F),
    hs_flags  = ProtoField.uint8("slink.hs.flags", "Flags", base.HEX),
    hs_fcert  = ProtoField.bool("slink.hs.flags.have_peer_cert", "Holds the peer's certificate", 8, nil, 0x01),
    hs_mtuc   = ProtoField.uint8("slink.hs.mtu_code", "MTU code", base.DEC),
    hs_mtu    = ProtoField.uint16("slink.hs.mtu", "MTU", base.DEC),
    hs_x      = ProtoField.bytes("slink.hs.x", "Ephemeral public key x"),
    hs_enclen = ProtoField.uint16("slink.hs.enc_len", "Encrypted part length (with tag)", base.DEC),
    hs_enc    = ProtoField.bytes("slink.hs.enc", "Encrypted credential and signature, tag"),

    frag_off  = ProtoField.uint16("slink.frag.off", "Fragment offset", base.DEC),
    frag_tot  = ProtoField.uint16("slink.frag.total", "Message length", base.DEC),
    frag_len  = ProtoField.uint16("slink.frag.data_len", "Fragment data length", base.DEC),
    frag_data = ProtoField.bytes("slink.frag.data", "Fragment data"),
    frag_done = ProtoField.bool("slink.frag.complete", "Completes the message"),

    rep_msg   = ProtoField.uint8("slink.repair.msg", "Repair: handshake message", base.DEC),
    rep_tot   = ProtoField.uint16("slink.repair.total", "Repair: message length (0: nothing arrived, send all)", base.DEC),
    rep_miss  = ProtoField.uint16("slink.repair.missing", "Repair: 60-byte granules asked for", base.DEC),

    al_level  = ProtoField.uint8("slink.alert.level", "Alert level", base.DEC, level_names),
    al_code   = ProtoField.uint8("slink.alert.code", "Alert", base.DEC, alert_names),
    budget    = ProtoField.uint16("slink.poll.budget", "Turn budget (bytes)", base.DEC),
}
local field_list = {}
for _, f in pairs(F) do field_list[#field_list + 1] = f end
slink.fields = field_list

local E = {
    crc       = ProtoExpert.new("slink.crc.bad", "Bad CRC: frame dropped", expert.group.CHECKSUM, expert.severity.ERROR),
    drop      = ProtoExpert.new("slink.drop.expert", "Frame dropped by a receiver", expert.group.MALFORMED, expert.severity.ERROR),
    cut       = ProtoExpert.new("slink.cut", "Frame not terminated by 0x00 (capture ends inside it)", expert.group.MALFORMED, expert.severity.WARN),
    bad       = ProtoExpert.new("slink.bad.expert", "Malformed body", expert.group.MALFORMED, expert.severity.WARN),
    unknown   = ProtoExpert.new("slink.type.unknown", "Unknown frame type: dropped by receivers", expert.group.PROTOCOL, expert.severity.WARN),
    reasm     = ProtoExpert.new("slink.frag.reassembled", "Handshake message reassembled", expert.group.REASSEMBLE, expert.severity.CHAT),
    plain_al  = ProtoExpert.new("slink.alert.plain", "Unauthenticated alert", expert.group.RESPONSE_CODE, expert.severity.NOTE),
}
slink.experts = { E.crc, E.drop, E.cut, E.bad, E.unknown, E.reasm, E.plain_al }

-- ---- pure helpers ---------------------------------------------------------

-- COBS decode exactly as src/frame/cobs.c: nil when the bytes are not COBS.
local function cobs_decode(ba)
    local n = ba:len()
    if n == 0 then return nil end
    local out, i = {}, 0
    while i < n do
        local code = ba:get_index(i)
        i = i + 1
        if code == 0 or code - 1 > n - i then return nil end
        for _ = 1, code - 1 do
            local b = ba:get_index(i)
            i = i + 1
            if b == 0 then return nil end
            out[#out + 1] = b
        end
        if code ~= 0xFF and i < n then out[#out + 1] = 0 end
    end
    return out
end

-- CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) of t[1..n].
local crc_table = {}
for i = 0, 255 do
    local c = lshift(i, 8)
    for _ = 1, 8 do
        if band(c, 0x8000) ~= 0 then c = bxor(lshift(c, 1), 0x1021) else c = lshift(c, 1) end
        c = band(c, 0xFFFF)
    end
    crc_table[i] = c
end
local function crc16(t, n)
    local c = 0xFFFF
    for i = 1, n do
        c = bxor(band(lshift(c, 8), 0xFFFF), crc_table[bxor(rshift(c, 8), t[i])])
    end
    return c
end

local function to_bytearray(t, first, last)
    local ba = ByteArray.new()
    ba:set_size(last - first + 1)
    for i = first, last do ba:set_index(i - first, t[i]) end
    return ba
end

local function cobs_max(n) return n + math.floor(n / 254) + 1 end

-- ---- handshake fragment reassembly (first pass only) ----------------------
-- Like slink-dump: fragments gathered per (dst, src, message, total); the
-- fragment that completes a message shows the message.  Results are kept
-- per packet so that later passes (clicking in the GUI) show the same.
local reasm, reasm_done

function slink.init()
    reasm = {}
    reasm_done = {}
end

local function add_bad(tree, range, why)
    tree:add(F.bad, range, why):set_generated()
    tree:add_proto_expert_info(E.bad, "Malformed: " .. why)
end

-- §4.2-4.4: one whole handshake message in tvb (a frame body or a reassembly).
local function dissect_msg(tvb, tree, msg)
    local n = tvb:len()
    if msg == 1 then
        -- the version byte first, as the core checks it (a version 1 peer's
        -- 51-byte msg1 shows as a version mismatch, not a bad length)
        if n >= 1 and tvb(0, 1):uint() ~= VERSION_SUITE then
            local vs = tree:add(F.hs_vs, tvb(0, 1))
            vs:add(F.hs_ver, tvb(0, 1))
            vs:add(F.hs_suite, tvb(0, 1))
            add_bad(tree, tvb(0, 1), "version")
            return string.format(" version=%d", rshift(tvb(0, 1):uint(), 4))
        end
        if n ~= HS1_LEN then add_bad(tree, tvb(), "length") return "" end
        local vs = tree:add(F.hs_vs, tvb(0, 1))
        vs:add(F.hs_ver, tvb(0, 1))
        vs:add(F.hs_suite, tvb(0, 1))
        local fl = tree:add(F.hs_flags, tvb(1, 1))
        fl:add(F.hs_fcert, tvb(1, 1))
        tree:add(F.hs_mtuc, tvb(2, 1))
        tree:add(F.hs_mtu, tvb(2, 1), tvb(2, 1):uint() * MTU_UNIT):set_generated()
        tree:add(F.hs_x, tvb(3, ECX_LEN))
        return string.format(" mtu=%d", tvb(2, 1):uint() * MTU_UNIT)
    elseif msg == 2 then
        if n < HS2_CLEAR_LEN + TAG_LEN then add_bad(tree, tvb(), "length") return "" end
        local fl = tree:add(F.hs_flags, tvb(0, 1))
        fl:add(F.hs_fcert, tvb(0, 1))
        tree:add(F.hs_mtuc, tvb(1, 1))
        tree:add(F.hs_mtu, tvb(1, 1), tvb(1, 1):uint() * MTU_UNIT):set_generated()
        tree:add(F.hs_x, tvb(2, ECX_LEN))
        tree:add(F.hs_enclen, tvb(HS2_CLEAR_LEN), n - HS2_CLEAR_LEN):set_generated()
        tree:add(F.hs_enc, tvb(HS2_CLEAR_LEN))
        return string.format(" mtu=%d enc=%d", tvb(1, 1):uint() * MTU_UNIT, n - HS2_CLEAR_LEN)
    else
        if n < TAG_LEN then add_bad(tree, tvb(), "length") return "" end
        tree:add(F.hs_enclen, tvb(), n):set_generated()
        tree:add(F.hs_enc, tvb())
        return string.format(" enc=%d", n)
    end
end

local function dissect_frag(body, tree, pinfo, key_base, dst, src, msg)
    local n = body:len()
    if n < FRAG_HDR then add_bad(tree, body(), "ERR_HS_MALFORMED") return "" end
    local off, total = body(0, 2):uint(), body(2, 2):uint()
    local dlen = n - FRAG_HDR
    if total == 0 or total > slink.prefs.cert_max + 160 or off >= total or dlen > total - off then
        add_bad(tree, body(0, FRAG_HDR), "ERR_HS_MALFORMED")
        return ""
    end
    tree:add(F.frag_off, body(0, 2))
    tree:add(F.frag_tot, body(2, 2))
    tree:add(F.frag_len, body(FRAG_HDR), dlen):set_generated()
    if dlen > 0 then tree:add(F.frag_data, body(FRAG_HDR)) end
    local info = string.format(" off=%d/%d", off, total)

    local whole = reasm_done[key_base]
    if not pinfo.visited then
        local k = string.format("%d:%d:%d:%d", dst, src, msg, total)
        local r = reasm[k]
        if not r then r = { have = {}, buf = {}, missing = total } reasm[k] = r end
        for i = 0, dlen - 1 do
            if not r.have[off + i] then r.have[off + i] = true r.missing = r.missing - 1 end
            r.buf[off + i + 1] = body(FRAG_HDR + i, 1):uint()
        end
        if r.missing == 0 then
            reasm[k] = nil
            whole = to_bytearray(r.buf, 1, total)
            reasm_done[key_base] = whole
        end
    end
    tree:add(F.frag_done, body(0, 0), whole ~= nil):set_generated()
    if whole then
        local mt = whole:tvb(string.format("Handshake message %d", msg))
        local sub = tree:add(slink, mt(), string.format("Reassembled handshake message %d (%d bytes)", msg, total))
        sub:add_proto_expert_info(E.reasm)
        sub:add(F.hs_msg, mt(0, 0), msg):set_generated()
        info = info .. " complete" .. dissect_msg(mt, sub, msg)
    end
    return info
end

-- §3.1: the type byte is the record header; the body is seq || ct || tag.
local function dissect_record(t, body, tree, type_byte)
    local ft = tree:add(F.type, t(2, 1))
    ft:append_text(" (record)")
    ft:add(F.rec_bit, t(2, 1))
    ft:add(F.rec_epoch, t(2, 1))
    ft:add(F.rec_ct, t(2, 1))
    ft:add(F.rec_seqc, t(2, 1))
    tree:add(F.body_len, t(2, 0), body:len()):set_generated()
    local ct = rshift(band(type_byte, 0x1C), 2)
    local seq_len = seq_code_len[band(type_byte, 0x03)]
    local epoch = rshift(band(type_byte, 0x60), 5)
    if ct < 1 or ct > 4 or seq_len == nil then
        add_bad(tree, t(2, 1), "ERR_REC_MALFORMED")
        return "REC reserved header"
    end
    tree:add(F.rec_seqln, t(2, 1), seq_len):set_generated()
    local info = string.format("REC %s e%d", ct_names[ct], epoch)
    if body:len() < seq_len + TAG_LEN then
        add_bad(tree, body(), "ERR_REC_MALFORMED")
        return info .. " short"
    end
    local seq = body(0, seq_len):uint64()
    tree:add(F.rec_seq, body(0, seq_len))
    local ct_len = body:len() - seq_len - TAG_LEN
    tree:add(F.rec_ctlen, body(seq_len, ct_len), ct_len):set_generated()
    if ct_len > 0 then tree:add(F.rec_ctext, body(seq_len, ct_len)) end
    tree:add(F.rec_tag, body(seq_len + ct_len, TAG_LEN))
    return info .. string.format(" seq=%s len=%d", tostring(seq), ct_len)
end

-- Repair request (§4.7): msgno(1) total(2) map of missing 60-byte granules,
-- checked as a receiver checks it (src/handshake/hs_msg.c hs_repair_decode).
local function dissect_repair(body, tree)
    local n = body:len()
    if n < 3 then add_bad(tree, body(), "ERR_HS_MALFORMED") return "" end
    local msg, total = body(0, 1):uint(), body(1, 2):uint()
    local grans = math.floor((total + GRANULE - 1) / GRANULE)
    local mlen = math.floor((grans + 7) / 8)
    if (msg ~= 2 and msg ~= 3) or total > slink.prefs.cert_max + 160 or n ~= 3 + mlen then
        add_bad(tree, body(), "ERR_HS_MALFORMED")
        return ""
    end
    local missing, beyond = 0, false
    for i = 0, mlen * 8 - 1 do
        if band(rshift(body(3 + math.floor(i / 8), 1):uint(), i % 8), 1) == 1 then
            if i < grans then missing = missing + 1 else beyond = true end
        end
    end
    if beyond or (total > 0 and missing == 0) then add_bad(tree, body(), "ERR_HS_MALFORMED") return "" end
    tree:add(F.rep_msg, body(0, 1))
    tree:add(F.rep_tot, body(1, 2))
    if total == 0 then return string.format(" msg=%d all", msg) end
    tree:add(F.rep_miss, body(3, mlen), missing):set_generated()
    return string.format(" msg=%d total=%d missing=%d", msg, total, missing)
end

-- A decoded frame that passed every receiver check.
local function dissect_good(t, tree, pinfo, key_base)
    local n = t:len()
    local dst, src, ty = t(0, 1):uint(), t(1, 1):uint(), t(2, 1):uint()
    local body = t(FRAME_HDR, n - FRAME_MIN):tvb()
    local bl = n - FRAME_MIN
    if band(ty, 0x80) ~= 0 then
        return dissect_record(t, body, tree, ty)
    end
    local name = type_names[ty]
    local ft = tree:add(F.type, t(2, 1))
    ft:append_text(" (" .. (name or "unknown") .. ")")
    tree:add(F.body_len, t(2, 0), bl):set_generated()
    if bl > 0 then tree:add(F.body, t(FRAME_HDR, bl)) end
    if name == nil then
        ft:add_proto_expert_info(E.unknown)
        return string.format("UNKNOWN type 0x%02x", ty)
    end
    if ty >= 0x01 and ty <= 0x03 then
        tree:add(F.hs_msg, t(2, 1), ty):set_generated()
        return name .. dissect_msg(body, tree, ty)
    elseif ty >= 0x11 and ty <= 0x13 then
        tree:add(F.hs_msg, t(2, 1), ty - 0x10):set_generated()
        return name .. dissect_frag(body, tree, pinfo, key_base, dst, src, ty - 0x10)
    elseif ty == 0x18 then
        return name .. dissect_repair(body, tree)
    elseif ty == 0x30 then
        tree:add_proto_expert_info(E.plain_al)
        if bl ~= 2 then add_bad(tree, body(), "length") return name end
        tree:add(F.al_level, body(0, 1))
        tree:add(F.al_code, body(1, 1))
        return string.format("%s %s %s", name, level_names[body(0, 1):uint()] or "invalid",
                             alert_names[body(1, 1):uint()] or "unknown")
    elseif ty == 0x20 then
        -- §2.5: no body grants the default budget, budget(2) grants that
        -- many (the device caps it at 4460 and treats 0 as 1)
        if bl == 0 then
            tree:add(F.budget, t(2, 0), 1115):set_generated()
            return name
        end
        if bl ~= 2 then add_bad(tree, body(), "length") return name end
        tree:add(F.budget, body(0, 2))
        return string.format("%s budget %d", name, body(0, 2):uint())
    end
    return name      -- TURN_END: empty body
end

-- One frame: enc = range of its encoded bytes (no delimiter), delim = the
-- delimiter's range or nil when the packet ends inside the frame.
local function dissect_frame(tvb, pinfo, root, idle_start, idle, enc_start, enc_len, has_delim, index)
    local wire = enc_len + (has_delim and 1 or 0)
    local tree = root:add(slink, tvb(idle_start, idle + wire))
    if idle > 0 then
        tree:add(F.idle, tvb(idle_start, idle), idle)
    else
        tree:add(F.idle, tvb(enc_start, 0), 0):set_generated()
    end
    tree:add(F.wire, tvb(enc_start, wire), wire)

    local max_frame = FRAME_HDR + slink.prefs.max_body + FRAME_CRC
    local function drop(why, info)
        tree:add(F.drop, tvb(enc_start, wire), why):set_generated()
        tree:add_proto_expert_info(why == "ERR_FRAME_CRC" and E.crc or E.drop, "Dropped: " .. why)
        tree:append_text(", dropped: " .. why)
        return info or why
    end

    if not has_delim then return drop("ERR_NEED_MORE", "cut off") end
    if enc_len > cobs_max(max_frame) then return drop("ERR_FRAME_OVERSIZE") end
    local dec = cobs_decode(tvb(enc_start, enc_len):bytes())
    if dec == nil then return drop("ERR_FRAME_COBS") end
    local n = #dec
    if n < FRAME_MIN then return drop("ERR_FRAME_RUNT") end

    local t = to_bytearray(dec, 1, n):tvb(string.format("Decoded frame %d", index))
    local dst, src = dec[1], dec[2]
    local got = t(n - FRAME_CRC, 2):uint()
    local want = crc16(dec, n - FRAME_CRC)
    local head = string.format("0x%02x→0x%02x ", src, dst)
    tree:append_text(string.format(", 0x%02x → 0x%02x", src, dst))
    local di = tree:add(F.dst, t(0, 1))
    if dst == 0xFF then di:append_text(" (broadcast)")
    elseif dst == 0 or dst >= 0xF0 then di:append_text(" (reserved)") end
    local si = tree:add(F.src, t(1, 1))
    if src == 0 or src > 0xEF then si:append_text(" (not unicast)") end
    local function add_crc()
        local ci = tree:add(F.crc, t(n - FRAME_CRC, 2))
        tree:add(F.crc_ok, t(n - FRAME_CRC, 2), got == want):set_generated()
        if got ~= want then
            ci:append_text(string.format(" [incorrect, should be 0x%04x]", want))
            tree:add(F.crc_calc, t(n - FRAME_CRC, 2), want):set_generated()
        else
            ci:append_text(" [correct]")
        end
    end

    -- A monitor accepts every destination (reserved and broadcast too), as
    -- slink-dump's deframer does with own address 0; the source must be
    -- unicast for any receiver.
    local why
    if n > max_frame then why = "ERR_FRAME_OVERSIZE"
    elseif got ~= want then why = "ERR_FRAME_CRC"
    elseif src < 0x01 or src > 0xEF then why = "ERR_FRAME_ADDR" end
    if why then
        -- What the frame claimed; its body is not interpreted, as no
        -- receiver would.
        tree:add(F.type, t(2, 1))
        tree:add(F.body_len, t(2, 0), n - FRAME_MIN):set_generated()
        add_crc()
        return drop(why, head .. why)
    end
    local info = dissect_good(t, tree, pinfo, pinfo.number .. ":" .. index)
    add_crc()
    tree:append_text(", " .. info)
    pinfo.cols.src = string.format("0x%02x", src)
    pinfo.cols.dst = string.format("0x%02x", dst)
    return head .. info
end

function slink.dissector(tvb, pinfo, root)
    pinfo.cols.protocol = "slink"
    local n = tvb:len()
    local pos, index, infos = 0, 0, {}
    while pos < n do
        local idle_start = pos
        while pos < n and tvb(pos, 1):uint() == 0 do pos = pos + 1 end
        local idle = pos - idle_start
        if pos >= n then
            -- only idle bytes left
            local it = root:add(slink, tvb(idle_start, idle), "slink idle line")
            it:add(F.idle, tvb(idle_start, idle), idle)
            infos[#infos + 1] = string.format("idle (%d)", idle)
            break
        end
        local z = pos
        while z < n and tvb(z, 1):uint() ~= 0 do z = z + 1 end
        index = index + 1
        infos[#infos + 1] = dissect_frame(tvb, pinfo, root, idle_start, idle, pos, z - pos, z < n, index)
        pos = z < n and z + 1 or n
    end
    pinfo.cols.info = table.concat(infos, " | ")
    return n
end

local encaps = wtap_encaps or wtap
DissectorTable.get("wtap_encap"):add(encaps.USER0, slink)
