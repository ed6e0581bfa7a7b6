#!/usr/bin/env bash
# Fetches Debian's mbedtls 2.28 source package into $1 (default
# build/mbedtls-src) for the firmware cross-build.  The source is never
# committed: it is downloaded at build time and cached under build/.
#
# Needs a deb-src entry; when the machine has none, one is made from the
# machine's own Debian sources entry (same mirror, same suites, same key),
# written to /etc/apt/sources.list.d/slink-deb-src.sources.  That and
# apt-get update need root.
#
# Result: $DEST/mbedtls/ is the unpacked source tree (library/, include/).
set -euo pipefail

DEST=${1:-build/mbedtls-src}
SRCLIST=/etc/apt/sources.list.d/debian.sources
OURLIST=/etc/apt/sources.list.d/slink-deb-src.sources

if [ -f "$DEST/mbedtls/include/mbedtls/version.h" ] && [ -d "$DEST/mbedtls/library" ]; then
    echo "fetch-mbedtls: cached in $DEST/mbedtls"
    exit 0
fi

have_deb_src() {
    grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

if [ "$(id -u)" -ne 0 ] && ! have_deb_src; then
    echo "fetch-mbedtls: no deb-src entry and not root." >&2
    echo "  Run as root (CI does), or add a deb-src entry for Debian bookworm" >&2
    echo "  and run 'apt-get update', then 'make firmware' again." >&2
    exit 1
fi

if ! have_deb_src; then
    if [ ! -f "$SRCLIST" ]; then
        echo "fetch-mbedtls: $SRCLIST not found; add a deb-src entry by hand" >&2
        exit 1
    fi
    # Same stanzas, source packages instead of binaries.
    sed -e 's/^Types:.*/Types: deb-src/' "$SRCLIST" > "$OURLIST"
    echo "fetch-mbedtls: wrote $OURLIST"
    apt-get update -qq
elif ! apt-cache showsrc mbedtls >/dev/null 2>&1 || [ -z "$(apt-cache showsrc mbedtls 2>/dev/null)" ]; then
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; fi
fi

if ! command -v dpkg-source >/dev/null; then
    echo "fetch-mbedtls: dpkg-source missing (package dpkg-dev; 'make deps' installs it)" >&2
    exit 1
fi

# The version that matches the installed headers, so host and firmware build
# the same mbedTLS; any 2.28.x works for the firmware.
want=$(dpkg-query -W -f='${source:Version}' libmbedtls-dev 2>/dev/null || true)
spec=mbedtls
if [ -n "$want" ] && apt-cache showsrc mbedtls 2>/dev/null | grep -qx "Version: $want"; then
    spec="mbedtls=$want"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slink-mbedtls.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get source drops privileges to _apt for the download when it can;
# a world-writable scratch dir keeps that working under root.
chmod 0777 "$tmp"
( cd "$tmp" && apt-get source -qq "$spec" )
tree=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'mbedtls-*' | head -n 1)
if [ -z "$tree" ] || [ ! -f "$tree/include/mbedtls/version.h" ]; then
    echo "fetch-mbedtls: apt-get source produced no mbedtls tree" >&2
    exit 1
fi
case "$(grep -E '#define MBEDTLS_VERSION_STRING ' "$tree/include/mbedtls/version.h")" in
    *'"2.28.'*) ;;
    *) echo "fetch-mbedtls: expected mbedtls 2.28.x, got: $(grep -E '#define MBEDTLS_VERSION_STRING ' "$tree/include/mbedtls/version.h")" >&2; exit 1 ;;
esac
mkdir -p "$DEST"
rm -rf "$DEST/mbedtls"
mv "$tree" "$DEST/mbedtls"
echo "fetch-mbedtls: $(grep -E '#define MBEDTLS_VERSION_STRING ' "$DEST/mbedtls/include/mbedtls/version.h" | awk '{print $3}') in $DEST/mbedtls"
