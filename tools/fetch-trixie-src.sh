#!/usr/bin/env bash
# Fetches one Debian trixie source package (Debian patches applied) into a
# directory, through an apt configuration of our own: shared by
# tools/bench/fetch-wolfssl.sh (wolfssl 5.7) and firmware/fetch-mbedtls.sh
# (mbedtls 3.6 LTS).  Nothing is committed: the source is downloaded at
# build time and cached by the caller under build/.
#
#   fetch-trixie-src.sh PACKAGE VERSION-GLOB APT-DIR OUT-DIR CHECK-FILE
#
# The trixie deb-src entry lives under APT-DIR (its own source list,
# package lists and cache, passed to apt with -o Dir::...), so the
# machine's apt setup is never touched and binary installs stay on the
# machine's own suites.  The entry copies the mirror and key of the
# machine's Debian entry (/etc/apt/sources.list.d/debian.sources), only
# with Types: deb-src and Suites: trixie.  The version trixie has must
# match VERSION-GLOB (a shell pattern such as '3.6.*'); the unpacked tree
# must contain CHECK-FILE (relative) and is moved to OUT-DIR.
# Needs dpkg-dev (tools/install-deps.sh installs it).
set -euo pipefail

if [ $# -ne 5 ]; then
    echo "usage: $0 PACKAGE VERSION-GLOB APT-DIR OUT-DIR CHECK-FILE" >&2
    exit 2
fi
PKG=$1 GLOB=$2 APT=$3 OUT=$4 CHECK=$5
SRCLIST=/etc/apt/sources.list.d/debian.sources
SUITE=trixie
me="fetch-trixie-src ($PKG)"

for tool in dpkg-source apt-get apt-cache; do
    if ! command -v "$tool" >/dev/null; then
        echo "$me: $tool missing (bash tools/install-deps.sh installs it)" >&2
        exit 1
    fi
done
if [ ! -f "$SRCLIST" ]; then
    echo "$me: $SRCLIST not found: cannot tell which Debian mirror to use" >&2
    exit 1
fi
mkdir -p "$APT/sources.d" "$APT/lists/partial" "$APT/cache/archives/partial"
APT=$(cd "$APT" && pwd)
# First stanza whose URIs is not the security archive (trixie's security
# suite has another name; the main suite is all we need).
awk -v suite="$SUITE" '
    BEGIN { RS = ""; FS = "\n" }
    {
        uris = ""; key = ""; comps = ""
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^URIs:/) uris = $i
            if ($i ~ /^Signed-By:/) key = $i
            if ($i ~ /^Components:/) comps = $i
        }
        if (uris != "" && uris !~ /security/ && !done) {
            print "Types: deb-src"; print uris; print "Suites: " suite
            print (comps != "" ? comps : "Components: main")
            if (key != "") print key
            done = 1
        }
    }' "$SRCLIST" > "$APT/sources.d/slink-trixie-src.sources"
if ! grep -q '^URIs:' "$APT/sources.d/slink-trixie-src.sources"; then
    echo "$me: no usable stanza in $SRCLIST" >&2
    exit 1
fi
APTO=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$APT/sources.d"
      -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache")
# One update per apt directory is enough: the lists are reused by the next
# package fetched into the same directory.
if ! ls "$APT/lists/"*Sources* >/dev/null 2>&1; then
    apt-get "${APTO[@]}" update -qq
fi
ver=$(apt-cache "${APTO[@]}" showsrc "$PKG" | awk '/^Version:/ { print $2; exit }')
# shellcheck disable=SC2254
case "$ver" in
    $GLOB) ;;
    *) echo "$me: $SUITE has $PKG '$ver', expected $GLOB" >&2; exit 1 ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slink-$PKG.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get source drops privileges to _apt for the download when it can;
# a world-writable scratch dir keeps that working under root.
chmod 0777 "$tmp"
( cd "$tmp" && apt-get "${APTO[@]}" source -qq "$PKG=$ver" >/dev/null )
tree=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name "$PKG-*" | head -n 1)
if [ -z "$tree" ] || [ ! -f "$tree/$CHECK" ]; then
    echo "$me: apt-get source produced no $PKG tree with $CHECK" >&2
    exit 1
fi
mkdir -p "$(dirname "$OUT")"
rm -rf "$OUT"
mv "$tree" "$OUT"
echo "$me: $PKG $ver source (Debian patches applied) in $OUT"
