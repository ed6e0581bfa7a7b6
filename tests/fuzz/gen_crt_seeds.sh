#!/bin/sh
# Seed certificates for fuzz_crt (tests/fuzz/fuzz_crt.c): the test PKI's
# certificates already kept for fuzz_cert, plus openssl-made ones that
# reach the decoder's other paths (GeneralizedTime, SANs of every common
# type, critical basicConstraints, multi-attribute subjects, extensions
# slink skips, v1, foreign keys and digests).  Keys are fresh each run, so
# the bytes differ between runs; any run's output is a good seed set.
# Usage: tests/fuzz/gen_crt_seeds.sh [OUTDIR]   (default tests/fuzz/corpus/fuzz_crt)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/tests/fuzz/corpus/fuzz_crt}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cp "$top"/tests/fuzz/corpus/fuzz_cert/*.der "$out"/

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ec() { openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:"$1" -nodes -keyout "$2.key" -out "$2.csr" -subj "$3" 2>/dev/null; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt \
    -subj '/C=DE/O=Plant/CN=plant CA' -days 7300 \
    -addext 'basicConstraints=critical,CA:TRUE,pathlen:0' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
openssl x509 -in ca.crt -outform der -out "$out/ossl_ca.der"

mkdir db && : > db/index.txt
cat > ca.cnf <<'EOF'
[ca]
default_ca = c
[c]
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = p
unique_subject = no
preserve = yes
email_in_dn = no
[p]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
EOF
# $1 name, $2 extensions (empty: none, a v1 certificate), $3 startdate, $4 enddate, [$5 digest]
issue() {
    if [ -n "$2" ]; then printf '%b' "$2" > "$1.ext"; extopt="-extfile $1.ext"; else extopt=""; fi
    # shellcheck disable=SC2086
    openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in "$1.csr" -out "$1.crt" -notext \
        -create_serial -startdate "$3" -enddate "$4" -md "${5:-sha256}" $extopt 2>/dev/null
    openssl x509 -in "$1.crt" -outform der -out "$out/ossl_$1.der"
}

ec prime256v1 san '/CN=dev-7/O=plant/OU=line 2'
issue san 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nsubjectAltName=DNS:dev-7.plant,DNS:addr-7.slink,IP:10.0.0.7,email:dev7@plant.example,URI:urn:slink:7\nsubjectKeyIdentifier=hash\n' \
    250101000000Z 20550102030405Z
ec prime256v1 gentime '/CN=dev-8'
issue gentime 'keyUsage=critical,digitalSignature,decipherOnly\n' 19491231235959Z 99991231235959Z
ec prime256v1 eku '/CN=dev-9'
issue eku 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth,serverAuth\ncertificatePolicies=1.3.6.1.4.1.99999.1\nsubjectAltName=otherName:1.3.6.1.4.1.99999.2;UTF8:x\n' \
    250101000000Z 350101000000Z
ec prime256v1 v1 '/CN=dev-10'
issue v1 '' 250101000000Z 350101000000Z
ec secp384r1 p384 '/CN=p384'
issue p384 'keyUsage=critical,digitalSignature\n' 250101000000Z 350101000000Z
ec prime256v1 sha384 '/CN=sha384'
issue sha384 'keyUsage=critical,digitalSignature\n' 250101000000Z 350101000000Z sha384
ls "$out"
