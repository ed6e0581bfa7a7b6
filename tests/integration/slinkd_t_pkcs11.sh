#!/usr/bin/env bash
# The host's identity key lives in a SoftHSM2 token and never leaves it:
# a P-256 key pair is generated inside a fresh token (pkcs11-tool), slink-pki
# certifies the token's public key (--pubkey pkcs11:..., and the same from a
# SubjectPublicKeyInfo file exported by pkcs11-tool), slinkd runs with
# key = pkcs11:... (RFC 7512; the PIN from pin-source) and signs its
# handshakes through PKCS#11; a session with a file-key daemon establishes
# and data flows both ways.  A certificate for another key, a wrong PIN and
# a URI that names no key are refused at start with their reasons.
# Exits 77 (skip, printed by slinkd_run.sh) only when SoftHSM2 or OpenSC's
# pkcs11-tool is not installed, and never under CI (tools/install-deps.sh
# installs both).
source "$(dirname "$0")/slinkd_lib.sh"

MOD=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
    [ -f "$m" ] && { MOD=$m; break; }
done
missing=
[ -n "$MOD" ] || missing="libsofthsm2.so (package softhsm2)"
command -v softhsm2-util >/dev/null || missing="$missing softhsm2-util (package softhsm2)"
command -v pkcs11-tool >/dev/null || missing="$missing pkcs11-tool (package opensc)"
if [ -n "$missing" ]; then
    [ "${CI:-}" = true ] && fail "PKCS#11 test cannot run under CI: missing$missing (tools/install-deps.sh installs them)"
    echo "SKIP: PKCS#11 test needs$missing: run 'make deps'"
    exit 77
fi

# A token of our own: SoftHSM2 reads its token directory from SOFTHSM2_CONF.
export SOFTHSM2_CONF=$T/softhsm2.conf
mkdir -p "$T/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$T/tokens" > "$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label slink-test --pin 1234 --so-pin 5678 >"$T/hsm.out" 2>&1 \
    || fail "softhsm2-util --init-token: $(cat "$T/hsm.out")"
P11="pkcs11-tool --module $MOD --token-label slink-test"
$P11 --login --pin 1234 --keypairgen --key-type EC:prime256v1 --id 01 --label host-key >"$T/gen.out" 2>&1 \
    || fail "keypairgen in the token: $(cat "$T/gen.out")"
$P11 --login --pin 1234 --list-objects --type privkey > "$T/objs.out" 2>&1
grep -q "never extractable" "$T/objs.out" || fail "the token's key is extractable: $(cat "$T/objs.out")"
echo "P-256 key generated in SoftHSM2 token (sensitive, never extractable)"

printf '1234\n' > "$T/pin"
chmod 600 "$T/pin"
BASE="pkcs11:token=slink-test;object=host-key;type=private"
URI="$BASE?module-path=$MOD&pin-source=file:$T/pin"

mint_ca; mint pump
"$PKI_TOOL" issue --ca-cert "$T/ca.crt" --ca-key "$T/ca.key" --name host --days 30 \
    --out-cert "$T/host.crt" --pubkey "$BASE?module-path=$MOD&pin-value=1234" >"$T/pki.out" 2>&1 \
    || fail "slink-pki issue --pubkey pkcs11:...: $(cat "$T/pki.out")"
grep -q "1234" "$T/pki.out" && fail "slink-pki printed the PIN: $(cat "$T/pki.out")"
$P11 --read-object --type pubkey --id 01 -o "$T/host.pub.der" >/dev/null 2>&1 || fail "export the public key"
"$PKI_TOOL" issue --ca-cert "$T/ca.crt" --ca-key "$T/ca.key" --name host --days 30 \
    --out-cert "$T/host-file.crt" --pubkey "$T/host.pub.der" >"$T/pki2.out" 2>&1 \
    || fail "slink-pki issue --pubkey FILE: $(cat "$T/pki2.out")"
a=$(openssl x509 -in "$T/host.crt" -pubkey -noout); b=$(openssl x509 -in "$T/host-file.crt" -pubkey -noout)
c=$(openssl pkey -pubin -inform DER -in "$T/host.pub.der")
[ "$a" = "$c" ] && [ "$b" = "$c" ] || fail "certified public keys differ from the token's"
echo "slink-pki certified the token's public key (read from the token and from an exported file)"

# host: key in the token; pump: an ordinary key file.
tdaemon() {   # tdaemon NAME DEVICE ADDR PEER PEERNAME CERT KEY
    "$SLINKD" --foreground --device "$2" --baud 4000000 --addr "$3" --ca "$T/ca.crt" \
        --cert "$T/$6.crt" --key "$7" --peer "$4" --peer-name "$5" \
        --socket "$T/$1.sock" --ctl "$T/$1.ctl" ${ROOT_OPT[@]+"${ROOT_OPT[@]}"} >>"$T/$1.log" 2>&1 &
    DPID=$!
    PIDS+=("$DPID")
}

# Refusals first, each at start with its reason.
refused() {   # refused LOGNAME CERT KEY PATTERN
    line r
    tdaemon "$1" "$T/r.a" 1 7 pump "$2" "$3"
    local pid=$DPID
    wait_for 20 bash -c "! kill -0 $pid" || fail "$1: slinkd did not refuse to start"
    grep -q "$4" "$T/$1.log" || fail "$1: refusal without '$4'"
    # the next refusal reuses the name: socat must be gone (it removes its
    # links on exit), or the new one finds the old links and cannot link
    kill "$LINE_PID" 2>/dev/null
    wait "$LINE_PID" 2>/dev/null
}
refused wrongcert pump "$URI" "does not sign for own certificate"
refused wrongpin host "$BASE?module-path=$MOD&pin-value=9999" "login refused"
refused nokey host "pkcs11:token=slink-test;object=nothing?module-path=$MOD&pin-value=1234" "no EC private key"
grep -q "9999" "$T/wrongpin.log" && fail "slinkd logged the PIN: $(cat "$T/wrongpin.log")"
echo "refused: certificate of another key, wrong PIN, no such key"

line l
tdaemon host "$T/l.a" 1 7 pump host "$URI"
HPID=$DPID
tdaemon pump "$T/l.b" 7 1 host pump "$T/pump.key"
wait_for 30 is_established host || fail "no session with the token-held key within 30 s"
wait_for 5 is_established pump || fail "pump side not established"
status_json pump | grep -q '"CN=host"' || fail "pump does not see CN=host: $(status_json pump)"

$APP exchange "$T/host.sock" A 100000 "$T/host.out" > "$T/x1" & X=$!
$APP exchange "$T/pump.sock" B 100000 "$T/pump.out" > "$T/x2" & Y=$!
wait $X || fail "host application: $(cat "$T/x1")"
wait $Y || fail "pump application: $(cat "$T/x2")"
$APP gen A 100000 "$T/A"; $APP gen B 100000 "$T/B"
cmp -s "$T/A" "$T/pump.out" || fail "host->pump stream differs"
cmp -s "$T/B" "$T/host.out" || fail "pump->host stream differs"
echo "session with the host key in the token: 100000 bytes each way byte-exact"

# A second handshake signs through the token again (the host restarts).
kill "$HPID"; wait "$HPID" 2>/dev/null
tdaemon host "$T/l.a" 1 7 pump host "$URI"
wait_for 30 is_established host || fail "no new session after the token-key daemon restarted"
echo OK
