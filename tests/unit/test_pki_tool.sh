#!/bin/sh
# End-to-end test of slink-pki: ca, issue, show, ref, verify (good and bad),
# key file modes, bad input, and agreement with openssl.
# usage: test_pki_tool.sh path/to/slink-pki
set -u
PKI=${1:?usage: $0 path/to/slink-pki}
case $PKI in /*) ;; *) PKI=$(pwd)/$PKI ;; esac
T=$(mktemp -d /tmp/slink-pki-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
pass=0 fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
expect() { # expect <exit code> <description> <command...>
    want=$1 desc=$2; shift 2
    "$@" >out.txt 2>err.txt; got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$desc (exit $got, want $want)"; cat err.txt; fi
}

expect 0 "help" "$PKI" --help
grep -q "usage: slink-pki" out.txt && ok || bad "help text"
expect 0 "-h" "$PKI" -h
grep -q "usage: slink-pki" out.txt && ok || bad "-h text"
expect 0 "version" "$PKI" --version
grep -q "^slink-pki [0-9]" out.txt && ok || bad "version line"
expect 0 "ca" "$PKI" ca --out-cert ca.crt --out-key ca.key --cn "plant CA"
expect 0 "issue pump-7" "$PKI" issue --ca-cert ca.crt --ca-key ca.key --name pump-7 --addr 7 --out-cert p7.crt --out-key p7.key
expect 0 "issue pump-9 der" "$PKI" issue --ca-cert ca.crt --ca-key ca.key --name pump-9 --out-cert p9.der --out-key p9.key --der
[ "$(stat -c %a ca.key)" = 600 ] && ok || bad "ca.key mode $(stat -c %a ca.key)"
[ "$(stat -c %a p7.key)" = 600 ] && ok || bad "p7.key mode"
# An existing key is never replaced without --force: the refusal comes
# before anything is written (the key and the certificate stay as they were),
# and --force replaces both.
cp ca.key ca.key.orig; cp ca.crt ca.crt.orig; cp p7.key p7.key.orig
expect 2 "ca over an existing key" "$PKI" ca --out-cert ca.crt --out-key ca.key
grep -q "refusing to overwrite the key ca.key" err.txt && grep -q -- "--force" err.txt && ok || bad "overwrite refusal message"
cmp -s ca.key ca.key.orig && cmp -s ca.crt ca.crt.orig && ok || bad "refused ca changed its outputs"
expect 2 "issue over an existing key" "$PKI" issue --ca-cert ca.crt --ca-key ca.key --name pump-7 --addr 7 --out-cert p7.crt --out-key p7.key
cmp -s p7.key p7.key.orig && ok || bad "refused issue changed the key"
expect 0 "issue --force" "$PKI" issue --force --ca-cert ca.crt --ca-key ca.key --name pump-7 --addr 7 --out-cert p7.crt --out-key p7.key
cmp -s p7.key p7.key.orig && bad "--force did not replace the key" || ok
[ "$(stat -c %a p7.key)" = 600 ] && ok || bad "replaced p7.key mode"
rm -f ca.key.orig ca.crt.orig p7.key.orig

expect 0 "show" "$PKI" show p7.crt
grep -q "subject: *CN=pump-7" out.txt && ok || bad "show subject"
grep -q "issuer: *CN=plant CA" out.txt && ok || bad "show issuer"
grep -q "DNS:addr-7.slink" out.txt && ok || bad "show address SAN"
# with a SAN the CN no longer counts (RFC 6125), so --addr puts the name there too
grep -q "DNS:pump-7" out.txt && ok || bad "show: --addr also writes dNSName=NAME"
# default leaf validity: 825 days (PKI.md 5), notBefore back-dated an hour
nb=$(date -d "$(openssl x509 -in p7.crt -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in p7.crt -noout -enddate | cut -d= -f2)" +%s)
[ $(( (na - nb - 3600) / 86400 )) -eq 825 ] && ok || bad "default leaf validity $(( (na - nb) / 86400 )) days, want 825"
grep -q "CA:FALSE" out.txt && ok || bad "show basicConstraints"
grep -q "keyUsage: digitalSignature" out.txt && ok || bad "show keyUsage"
grep -q "^slink: *within the profile" out.txt && ok || bad "show: within slink's profile"
size=$(sed -n 's/^size: *\([0-9]*\) bytes DER/\1/p' out.txt)
der=$(openssl x509 -in p7.crt -outform der | wc -c)
[ "$size" = "$der" ] && ok || bad "show size $size vs openssl $der"

expect 0 "ref" "$PKI" ref p7.crt
want=$(openssl x509 -in p7.crt -outform der | sha256sum | cut -c1-16)
[ "$(cat out.txt)" = "$want" ] && ok || bad "ref $(cat out.txt) vs sha256 $want"
expect 0 "ref der" "$PKI" ref p9.der
[ "$(cat out.txt)" = "$(sha256sum < p9.der | cut -c1-16)" ] && ok || bad "ref of DER input"

# fingerprint: SHA-256 of the DER; revoke: that, then a comment
fp=$(openssl x509 -in p7.crt -outform der | sha256sum | cut -c1-64)
expect 0 "fingerprint" "$PKI" fingerprint p7.crt
[ "$(cat out.txt)" = "$fp" ] && ok || bad "fingerprint $(cat out.txt) vs sha256 $fp"
"$PKI" show p7.crt > show.txt
grep -q "^fingerprint: *$fp$" show.txt && ok || bad "show prints the fingerprint"
expect 0 "revoke" "$PKI" revoke p7.crt
grep -Eq "^$fp  # CN=pump-7 serial [0-9A-F:]+ notAfter [0-9]{4}-[0-9]{2}-[0-9]{2}$" out.txt && ok ||
    bad "revoke line: $(cat out.txt)"
expect 0 "fingerprint der" "$PKI" fingerprint p9.der
[ "$(cat out.txt)" = "$(sha256sum < p9.der | cut -c1-64)" ] && ok || bad "fingerprint of DER input"
expect 2 "fingerprint junk" "$PKI" fingerprint nonexistent.crt

expect 0 "verify good" "$PKI" verify --ca ca.crt --name pump-7 p7.crt
[ "$(cat out.txt)" = OK ] && ok || bad "verify prints OK"
expect 0 "verify by address SAN" "$PKI" verify --ca ca.crt --name addr-7.slink p7.crt
expect 1 "verify wrong name" "$PKI" verify --ca ca.crt --name pump-7 p9.der
grep -q "^ERR_CERT_NAME" out.txt && ok || bad "wrong name prints ERR_CERT_NAME"
grep -q "certificate name 'pump-9' does not match expected 'pump-7'" err.txt && ok || bad "wrong name reason"
expect 1 "verify CA as peer" "$PKI" verify --ca ca.crt --name "plant CA" ca.crt
grep -q "^ERR_CERT_CA_LEAF" out.txt && ok || bad "CA as peer prints ERR_CERT_CA_LEAF"

expect 0 "second ca" "$PKI" ca --out-cert ca2.crt --out-key ca2.key
expect 1 "verify other CA" "$PKI" verify --ca ca2.crt --name pump-7 p7.crt
grep -q "^ERR_CERT_CHAIN" out.txt && ok || bad "other CA prints ERR_CERT_CHAIN"

# openssl agrees with the chain and can read the key
openssl verify -CAfile ca.crt p7.crt >/dev/null 2>&1 && ok || bad "openssl verify"
# RFC 5758 §3.2: ecdsa-with-SHA256 without parameters (no NULL) in the TBS
# and the outer signatureAlgorithm, in both the CA and the leaf
for c in ca.crt p7.crt; do
    n_alg=$(openssl asn1parse -in "$c" | grep -c ':ecdsa-with-SHA256')
    n_null=$(openssl asn1parse -in "$c" | grep -c 'prim: NULL')
    [ "$n_alg" = 2 ] && [ "$n_null" = 0 ] && ok || bad "$c: $n_alg ecdsa-with-SHA256, $n_null NULL"
done
openssl ec -in p7.key -noout -check >/dev/null 2>&1 && ok || bad "openssl reads key"

# a certificate mbedTLS reads but slink refuses: a critical extension slink
# does not know (extendedKeyUsage), and one with a P-384 key
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=critical,clientAuth\n' > eku.ext
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout eku.key \
    -out eku.csr -subj '/CN=eku' >/dev/null 2>&1 &&
openssl x509 -req -in eku.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out eku.crt -days 30 \
    -sha256 -extfile eku.ext >/dev/null 2>&1 && ok || bad "openssl makes the EKU leaf"
expect 0 "show EKU leaf" "$PKI" show eku.crt
grep -q "^slink: *REFUSED: not DER within the profile" out.txt && ok || bad "show: critical EKU refused"
expect 1 "verify EKU leaf" "$PKI" verify --ca ca.crt --name eku eku.crt
grep -q "^ERR_CERT_PARSE" out.txt && ok || bad "critical EKU prints ERR_CERT_PARSE"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -keyout p384.key \
    -out p384.csr -subj '/CN=p384' >/dev/null 2>&1 &&
openssl x509 -req -in p384.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out p384.crt -days 30 \
    -sha256 >/dev/null 2>&1 && ok || bad "openssl makes the P-384 leaf"
expect 0 "show P-384 leaf" "$PKI" show p384.crt
grep -q "^slink: *REFUSED: key or signature" out.txt && ok || bad "show: P-384 refused"

# bad input: non-zero exit, nothing half-written claimed as success
expect 2 "no command" "$PKI"
expect 2 "unknown command" "$PKI" frobnicate
expect 2 "unknown option" "$PKI" ca --out-cert x.crt --out-key x.key --colour red
expect 2 "missing outputs" "$PKI" ca --out-cert x.crt
expect 2 "leaf as issuer" "$PKI" issue --ca-cert p7.crt --ca-key p7.key --name x --out-cert x.crt --out-key x.key
expect 2 "wrong CA key" "$PKI" issue --ca-cert ca.crt --ca-key p7.key --name x --out-cert x.crt --out-key x.key
expect 2 "bad name" "$PKI" issue --ca-cert ca.crt --ca-key ca.key --name 'a,b=c' --out-cert x.crt --out-key x.key
expect 2 "bad addr" "$PKI" issue --ca-cert ca.crt --ca-key ca.key --name x --addr 255 --out-cert x.crt --out-key x.key
expect 2 "bad days" "$PKI" ca --out-cert x.crt --out-key x.key --days -3
expect 2 "show missing file" "$PKI" show nonexistent.crt
echo "not a certificate" > junk.crt
expect 2 "show junk" "$PKI" show junk.crt
expect 2 "verify junk" "$PKI" verify --ca ca.crt --name x junk.crt

echo "slink-pki tool test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
