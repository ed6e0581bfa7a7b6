#!/usr/bin/env bash
# Credential errors that say what to do (docs/DAEMON.md "Credentials"):
# swapped certificate and key, a certificate where the key belongs, an RSA,
# a P-384 and an encrypted key, a key that is not the certificate's; the
# same for slink-pki's --ca-key and --pubkey.  And our own certificate
# expired, or expiring within 30 days: a warning at start and in status.
source "$(dirname "$0")/slinkd_lib.sh"
[ -x "$PKI_TOOL" ] || { echo "SKIP: needs slink-pki"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: needs openssl (tools/install-deps.sh)"; exit 77; }
mint_ca; mint host; mint other
openssl genrsa -out "$T/rsa.key" 2048 2>/dev/null
openssl ecparam -name secp384r1 -genkey -noout -out "$T/p384.key"
openssl pkey -in "$T/host.key" -aes256 -passout pass:secret -out "$T/enc.key"
openssl pkey -in "$T/rsa.key" -pubout -out "$T/rsa.pub"
chmod 600 "$T"/*.key

# check CERT KEY EXPECTED...: --check-config fails (1) and says each EXPECTED
check() {
    local cert=$1 key=$2 out rc; shift 2
    out=$("$SLINKD" "${ROOT_OPT[@]}" --check-config --device /dev/null --baud 9600 --addr 1 --ca "$T/ca.crt" \
        --cert "$T/$cert" --key "$T/$key" --peer 7 --peer-name pump --socket "$T/s" 2>&1)
    rc=$?
    [ $rc = 1 ] || fail "cert $cert key $key: exit $rc, want 1: $out"
    for want in "$@"; do
        grep -qF -- "$want" <<<"$out" || fail "cert $cert key $key: no '$want' in: $out"
    done
    echo "cert $cert, key $key: $(grep -o 'refused: .*' <<<"$out" | head -1 | cut -c10-130)..."
}
check host.key host.crt "cert and key are swapped" "exchange the two paths (cert = $T/host.crt, key = $T/host.key)"
check host.crt host.crt "key $T/host.crt holds a certificate, not a private key" "--out-key"
check host.key host.key "cert $T/host.key holds a private key, not a certificate"
check host.crt rsa.key "is an RSA key of 2048 bits: unsupported: slink keys are ECDSA P-256" "slink-pki issue"
check host.crt p384.key "is an EC key on curve secp384r1: unsupported: slink keys are ECDSA P-256"
check host.crt enc.key "encrypted keys are not supported" "openssl pkey -in $T/enc.key -out PLAIN.key" "pkcs11:"
check host.crt other.key "key $T/other.key does not match the public key in cert $T/host.crt" "--pubkey"

# slink-pki: pki CMD... EXPECTED: exits 2 with EXPECTED on stderr
pki() {
    local want=$1 out rc; shift
    out=$("$PKI_TOOL" "$@" 2>&1); rc=$?
    [ $rc = 2 ] || fail "slink-pki $*: exit $rc, want 2: $out"
    grep -qF -- "$want" <<<"$out" || fail "slink-pki $*: no '$want' in: $out"
}
pki "--ca-key $T/rsa.key is an RSA key of 2048 bits: unsupported: slink keys are ECDSA P-256; create one with: slink-pki ca" \
    issue --ca-cert "$T/ca.crt" --ca-key "$T/rsa.key" --name x --out-cert "$T/x.crt" --out-key "$T/x.key"
pki "--ca-key $T/enc.key is encrypted: encrypted keys are not supported" \
    issue --ca-cert "$T/ca.crt" --ca-key "$T/enc.key" --name x --out-cert "$T/x.crt" --out-key "$T/x.key"
pki "--ca-key $T/ca.crt holds a certificate, not a private key" \
    issue --ca-cert "$T/ca.crt" --ca-key "$T/ca.crt" --name x --out-cert "$T/x.crt" --out-key "$T/x.key"
pki "is not the key of the CA certificate given with --ca-cert" \
    issue --ca-cert "$T/ca.crt" --ca-key "$T/host.key" --name x --out-cert "$T/x.crt" --out-key "$T/x.key"
pki "--pubkey $T/rsa.pub is an RSA key of 2048 bits: unsupported" \
    issue --ca-cert "$T/ca.crt" --ca-key "$T/ca.key" --name x --out-cert "$T/x.crt" --pubkey "$T/rsa.pub"
pki "holds a private key: --pubkey takes only its public half" \
    issue --ca-cert "$T/ca.crt" --ca-key "$T/ca.key" --name x --out-cert "$T/x.crt" --pubkey "$T/host.key"
[ ! -e "$T/x.crt" ] || fail "slink-pki wrote a certificate despite the error"
echo "slink-pki: --ca-key and --pubkey errors name the problem"

# Our own certificate: expiring in 10 days, and expired 30 days ago
"$PKI_TOOL" issue --ca-cert "$T/ca.crt" --ca-key "$T/ca.key" --name soon --days 10 \
    --out-cert "$T/soon.crt" --out-key "$T/soon.key" >/dev/null || fail "minting soon"
if command -v faketime >/dev/null; then
    faketime -f '-60d' "$PKI_TOOL" issue --ca-cert "$T/ca.crt" --ca-key "$T/ca.key" --name old --days 30 \
        --out-cert "$T/old.crt" --out-key "$T/old.key" >/dev/null || fail "minting old under faketime"
fi
own_cert() {   # own_cert NAME FIELD
    status_json "$1" | python3 -c 'import json,sys; print(str(json.load(sys.stdin)["daemon"]["own_cert"][sys.argv[1]]).lower())' "$2"
}
line l
CERT=soon daemon soon "$T/l.a" 1 7 pump
wait_for 10 test -S "$T/soon.ctl" || fail "daemon with the soon-expiring certificate did not start"
wait_for 5 "$SLINKCTL" --ctl "$T/soon.ctl" status || fail "no status"
grep -q "own certificate $T/soon.crt expires on .* (in [0-9]* day(s)): peers will refuse it then; renew it" "$T/soon.log" ||
    fail "no expiry warning at start: $(head -3 "$T/soon.log")"
[ "$(grep -c "own certificate" "$T/soon.log")" = 1 ] || fail "expiry warned more than once"
"$SLINKCTL" --ctl "$T/soon.ctl" status | grep -q "own certificate valid until .*: EXPIRES in [0-9]* day(s)" ||
    fail "text status: $("$SLINKCTL" --ctl "$T/soon.ctl" status | head -4)"
[ "$(own_cert soon expires_soon)" = true ] && [ "$(own_cert soon expired)" = false ] || fail "JSON own_cert"
left=$(own_cert soon expires_in_s)
[ "$left" -gt $((9 * 86400)) ] && [ "$left" -le $((10 * 86400)) ] || fail "expires_in_s $left"
m=$("$SLINKCTL" --ctl "$T/soon.ctl" metrics | grep '^slink_own_certificate_expiry_timestamp_seconds{' | awk '{print $2}')
[ "$m" = "$(own_cert soon not_after_unix)" ] || fail "metric expiry '$m', status $(own_cert soon not_after_unix)"
echo "expiring: warned at start, status says EXPIRES (in $((left / 86400)) days)"
kill $DPID; wait $DPID 2>/dev/null
if [ -f "$T/old.crt" ]; then
    CERT=old daemon old "$T/l.a" 1 7 pump; O=$DPID
    wait_for 10 test -S "$T/old.ctl" || fail "daemon with the expired certificate did not start"
    grep -q "own certificate $T/old.crt EXPIRED on .* ago): peers refuse it; issue a new one" "$T/old.log" ||
        fail "no warning for the expired certificate: $(head -3 "$T/old.log")"
    wait_for 5 "$SLINKCTL" --ctl "$T/old.ctl" status || fail "no status"
    "$SLINKCTL" --ctl "$T/old.ctl" status | grep -q "own certificate valid until .*: EXPIRED [0-9]* day(s) ago" ||
        fail "text status does not say EXPIRED"
    [ "$(own_cert old expired)" = true ] || fail "JSON own_cert.expired"
    echo "expired: warned at start, status says EXPIRED"
    kill $O; wait $O 2>/dev/null
else
    echo "faketime missing: the expired case was not run"
fi
# a certificate far from expiry: no warning, status without EXPIRES
CERT=host daemon host "$T/l.a" 1 7 pump
wait_for 10 test -S "$T/host.ctl" || fail "daemon did not start"
wait_for 5 "$SLINKCTL" --ctl "$T/host.ctl" status || fail "no status"
grep -q "own certificate" "$T/host.log" && fail "warned about a certificate a year from expiry"
"$SLINKCTL" --ctl "$T/host.ctl" status | grep -q "EXPIRE" && fail "status warns about a valid certificate"
[ "$(own_cert host expires_soon)" = false ] || fail "JSON expires_soon for a valid certificate"
echo OK
