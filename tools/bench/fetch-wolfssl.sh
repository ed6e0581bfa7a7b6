#!/usr/bin/env bash
# Fetches Debian trixie's wolfssl 5.7.x source package and builds a static
# wolfSSL with DTLS 1.3 and connection IDs for the benchmark's DTLS 1.3 side
# (tools/bench/dtls13_side.c).  Nothing is committed: the source is
# downloaded at build time and everything is cached under $1 (default
# build/wolfssl).  Bookworm ships wolfssl 5.5, without the DTLS 1.3 fixes
# 5.7 has, so the source comes from trixie.
#
# The trixie deb-src entry lives in an apt configuration of our own under
# $DEST/apt (its own source list, package lists and cache, passed to apt with
# -o Dir::...), so the machine's apt setup is never touched and binary
# installs stay on the machine's own suites.  The entry copies the mirror
# and key of the machine's Debian entry (/etc/apt/sources.list.d/
# debian.sources), only with Types: deb-src and Suites: trixie.
#
# Result: $DEST/install/{include,lib/libwolfssl.a}; $DEST/install/stamp
# holds the version and build options, and a different stamp rebuilds.
# Needs cmake and dpkg-dev (tools/install-deps.sh installs both).
set -euo pipefail

DEST=${1:-build/wolfssl}
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
INST=$DEST/install
JOBS=${WOLFSSL_JOBS:-2}

# Only what the comparison needs, plus WOLFSSL_DTLS_MTU for
# wolfSSL_dtls_set_mtu (datagrams must fit one slink frame body).  The
# generated options.h does not carry CMAKE_C_FLAGS defines, so the extra
# ones are appended to the installed copy: programs must see what the
# library was built with.  -Wno-error: wolfSSL's CMakeLists adds -Werror,
# and gcc 12 reports a false stringop-overflow in its tls.c.
EXTRA_DEFS="-DWOLFSSL_DTLS_MTU -DWOLFSSL_ASN_ORIGINAL"
CMAKE_OPTS=(
    -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=no
    -DWOLFSSL_DTLS=yes -DWOLFSSL_DTLS13=yes -DWOLFSSL_DTLS_CID=yes
    -DWOLFSSL_EXAMPLES=no -DWOLFSSL_CRYPT_TESTS=no
    -DWOLFSSL_RSA=no -DWOLFSSL_DH=no -DWOLFSSL_SHA384=no -DWOLFSSL_SHA512=no
    -DWOLFSSL_ENC_THEN_MAC=no
    "-DCMAKE_C_FLAGS=-Wno-error $EXTRA_DEFS"
)
STAMP="wolfssl 5.7 from trixie; ${CMAKE_OPTS[*]}"

if [ -f "$INST/lib/libwolfssl.a" ] && [ -f "$INST/stamp" ] && [ "$(cat "$INST/stamp")" = "$STAMP" ]; then
    echo "fetch-wolfssl: cached in $INST"
    exit 0
fi

for tool in cmake; do
    if ! command -v "$tool" >/dev/null; then
        echo "fetch-wolfssl: $tool missing (bash tools/install-deps.sh installs it)" >&2
        exit 1
    fi
done

# ---- source: our own apt configuration with one deb-src entry ----
# (tools/fetch-trixie-src.sh, shared with firmware/fetch-mbedtls.sh)
SRC=$DEST/src/wolfssl
if [ ! -f "$SRC/CMakeLists.txt" ] || [ ! -f "$SRC/src/dtls13.c" ]; then
    bash "$(dirname "$0")/../fetch-trixie-src.sh" wolfssl '5.7.*' "$DEST/apt" "$SRC" src/dtls13.c
fi

# ---- build ----
rm -rf "$DEST/cmake" "$INST"
echo "fetch-wolfssl: building the static library (takes a minute or two) ..."
cmake -S "$SRC" -B "$DEST/cmake" "${CMAKE_OPTS[@]}" -DCMAKE_INSTALL_PREFIX="$INST" \
    > "$DEST/cmake.log" 2>&1 || { tail -n 30 "$DEST/cmake.log" >&2; echo "fetch-wolfssl: cmake failed (log: $DEST/cmake.log)" >&2; exit 1; }
cmake --build "$DEST/cmake" --target wolfssl -j "$JOBS" > "$DEST/build.log" 2>&1 ||
    { tail -n 30 "$DEST/build.log" >&2; echo "fetch-wolfssl: build failed (log: $DEST/build.log)" >&2; exit 1; }
cmake --install "$DEST/cmake" > "$DEST/install.log" 2>&1 ||
    { tail -n 30 "$DEST/install.log" >&2; echo "fetch-wolfssl: install failed" >&2; exit 1; }
opts=$INST/include/wolfssl/options.h
if [ ! -f "$opts" ] || [ ! -f "$INST/lib/libwolfssl.a" ]; then
    echo "fetch-wolfssl: install produced no options.h or libwolfssl.a" >&2
    exit 1
fi
{
    echo
    echo "/* Added by tools/bench/fetch-wolfssl.sh: defined in CMAKE_C_FLAGS for the build. */"
    for d in $EXTRA_DEFS; do
        d=${d#-D}
        echo "#undef ${d%%=*}"
        echo "#define ${d/=/ }"
    done
} >> "$opts"
printf '%s' "$STAMP" > "$INST/stamp"
echo "fetch-wolfssl: $(grep -E '#define LIBWOLFSSL_VERSION_STRING' "$INST/include/wolfssl/version.h" | awk '{print $3}') in $INST"
