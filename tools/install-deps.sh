#!/usr/bin/env bash
# Installs the Debian bookworm packages slink needs to build, test, fuzz,
# cross-compile the firmware and run it under QEMU (cmake: the bench's
# wolfSSL build, tools/bench/fetch-wolfssl.sh; p11-kit for PKCS#11 identity
# keys, SoftHSM2 and OpenSC's pkcs11-tool for their test).  Idempotent.
set -euo pipefail
PKGS=(
  build-essential pkg-config git
  libmbedtls-dev libserialport-dev check
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm dpkg-dev
  socat clang libclang-rt-14-dev valgrind faketime tshark spin
  openssl python3 python3-cryptography-vectors
  cmake
  p11-kit libp11-kit-dev softhsm2 opensc
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections || true
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
