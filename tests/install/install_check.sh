#!/usr/bin/env bash
# make install into a DESTDIR, then use the installed tree as a user would:
# every installed tool has a man page that renders without warnings, the
# program tests/install/slink_installed.c builds against the installed
# library with pkg-config (PKG_CONFIG_SYSROOT_DIR = the DESTDIR) and with
# CMake (find_package(slink), when cmake is installed) and gives its known
# answers; make uninstall removes every file again.
set -u
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
D=$(realpath -m "$BUILD/install-test")
R=$D/root
P=/usr/local
fail() { echo "FAIL install-check: $*"; exit 1; }
rm -rf "$D"; mkdir -p "$D"

$MAKE -s --no-print-directory BUILD="$BUILD" DESTDIR="$R" PREFIX=$P install > "$D/install.log" 2>&1 \
    || fail "make install: $(tail -5 "$D/install.log")"
for f in sbin/slinkd bin/slinkctl bin/slink-pki bin/slink-dump bin/slink-linesim lib/libslink.a \
         include/slink/slink.h lib/pkgconfig/slink.pc lib/cmake/slink/slinkConfig.cmake \
         lib/cmake/slink/slinkConfigVersion.cmake lib/systemd/system/slinkd.service \
         lib/systemd/system/slinkd@.service lib/sysusers.d/slinkd.conf share/doc/slink/slinkd.conf.example \
         share/man/man5/slinkd.conf.5; do
    [ -f "$R$P/$f" ] || fail "$P/$f not installed"
done
for h in include/slink/*.h; do
    cmp -s "$h" "$R$P/include/slink/$(basename "$h")" || fail "header $h not installed"
done
[ -d "$R/etc/slink" ] || fail "/etc/slink not created"
grep -q "^ExecStart=$P/sbin/slinkd --config /etc/slink/%i.conf --instance %i --foreground$" \
    "$R$P/lib/systemd/system/slinkd@.service" || fail "slinkd@.service ExecStart: $(grep ExecStart "$R$P/lib/systemd/system/slinkd@.service")"
if command -v systemd-analyze > /dev/null; then
    # the unit as systemd parses it (a missing binary is expected in a DESTDIR)
    systemd-analyze verify "$R$P/lib/systemd/system/slinkd@.service" > "$D/verify.log" 2>&1
    if grep -v "Command $P/sbin/slinkd is not executable\|slinkd@.service: Unit has no\|Failed to prepare filename\|is not a valid unit name\|Unit configuration has fatal error" "$D/verify.log" \
        | grep -qi "unknown\|invalid\|ignoring"; then
        fail "systemd-analyze verify slinkd@.service: $(cat "$D/verify.log")"
    fi
fi
n=0
for t in "$R$P"/bin/* "$R$P"/sbin/*; do
    name=$(basename "$t")
    "$t" --version | grep -q "^$name " || fail "installed $name --version"
    page=$(ls "$R$P"/share/man/man[18]/"$name".[18] 2>/dev/null | head -1)
    [ -n "$page" ] || fail "no man page for $name"
    w=$(LC_ALL=C MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null)
    [ -z "$w" ] || fail "man page $(basename "$page"): $w"
    n=$((n + 1))
done
w=$(LC_ALL=C MANWIDTH=80 man --warnings -l "$R$P/share/man/man5/slinkd.conf.5" 2>&1 > /dev/null)
[ -z "$w" ] || fail "slinkd.conf.5: $w"
[ $n = 5 ] || fail "$n tools installed, want 5"
echo "install: $n tools each with a man page (groff: no warnings), slinkd.conf(5), libslink.a, $(ls include/slink/*.h | wc -l) headers, slink.pc, slinkConfig.cmake, units"

# pkg-config, as a cross build would: the .pc from the DESTDIR, paths
# prefixed with it
export PKG_CONFIG_LIBDIR=$R$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R
[ "$(pkg-config --modversion slink)" = "$(sed -n 's/^#define SLINK_VERSION_STRING "\(.*\)"/\1/p' include/slink/version.h)" ] \
    || fail "pkg-config --modversion slink: $(pkg-config --modversion slink 2>&1)"
cflags=$(pkg-config --cflags slink) && libs=$(pkg-config --libs slink) || fail "pkg-config slink"
case "$cflags $libs" in *"-I$R$P/include"*"-L$R$P/lib"*) ;; *) fail "pkg-config paths not in the DESTDIR: $cflags $libs" ;; esac
${CC:-cc} -std=c99 -Wall -Wextra -Werror $cflags tests/install/slink_installed.c $libs -o "$D/prog-pc" 2> "$D/cc.log" \
    || fail "build with pkg-config ($cflags $libs): $(cat "$D/cc.log")"
"$D/prog-pc" > "$D/pc.out" || fail "pkg-config build: $(cat "$D/pc.out")"
echo "pkg-config ($cflags $libs): $(cat "$D/pc.out")"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

if command -v cmake > /dev/null; then
    cmake -S tests/install -B "$D/cmake" -DCMAKE_PREFIX_PATH="$R$P" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON > "$D/cmake.log" 2>&1 || fail "cmake configure: $(tail -20 "$D/cmake.log")"
    grep -q "^slink_DIR:PATH=$R$P/lib/cmake/slink$" "$D/cmake/CMakeCache.txt" || fail "found another slink: $(grep slink_DIR "$D/cmake/CMakeCache.txt")"
    cmake --build "$D/cmake" > "$D/cmake-build.log" 2>&1 || fail "cmake build: $(tail -20 "$D/cmake-build.log")"
    "$D/cmake/slink_installed" > "$D/cmake.out" || fail "CMake build: $(cat "$D/cmake.out")"
    echo "CMake find_package(slink 0.1) + slink::slink: $(cat "$D/cmake.out")"
    # a version it is not: refused by slinkConfigVersion.cmake
    mkdir -p "$D/cmake7"; sed 's/find_package(slink 0.1 /find_package(slink 7.0 /' tests/install/CMakeLists.txt > "$D/cmake7/CMakeLists.txt"
    cp tests/install/slink_installed.c "$D/cmake7/"
    if cmake -S "$D/cmake7" -B "$D/cmake7/b" -DCMAKE_PREFIX_PATH="$R$P" > "$D/cmake7.log" 2>&1; then
        fail "find_package(slink 7.0) accepted version $(sed -n 's/^#define SLINK_VERSION_STRING "\(.*\)"/\1/p' include/slink/version.h)"
    fi
    grep -q "considered but not accepted" "$D/cmake7.log" && grep -q "slinkConfig.cmake, version: " "$D/cmake7.log" || fail "find_package(slink 7.0): $(tail -5 "$D/cmake7.log")"
    echo "CMake find_package(slink 7.0): refused by the version file"
else
    echo "cmake not installed: the CMake package config was installed but not tested"
fi

$MAKE -s --no-print-directory BUILD="$BUILD" DESTDIR="$R" PREFIX=$P uninstall > "$D/uninstall.log" 2>&1 \
    || fail "make uninstall: $(tail -5 "$D/uninstall.log")"
left=$(find "$R" -type f)
[ -z "$left" ] || fail "left after uninstall: $left"
echo "uninstall: no file left"
rm -rf "$D"
echo "install-check: OK"
