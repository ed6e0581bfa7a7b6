#!/usr/bin/env bash
# Firmware end-to-end: the example device (unchanged core + mbedTLS,
# cross-compiled for Cortex-M3) runs on QEMU mps2-an385 with UART0 on a
# pty; fw-host (host build of the core) drives it through termios.
#   1. a host with a certificate from another CA is refused (CERT_CHAIN)
#   2. a host with the wrong name from the right CA is refused (CERT_NAME)
#   3. handshake, 4 KiB stream echoed upper-cased byte-exact, datagrams,
#      authenticated close; then the impostor is refused again
#   4. the host crashes (no close) and restarts: the device re-handshakes
#   5. power cycle: the NV seed record persists (harness plays the flash),
#      the boot counter advances, and a new session works
#   6. no RTC: the same device built with a time floor past the host
#      certificate's notAfter refuses that host (CERT_EXPIRED)
#   0. (first) an erased NV sector and a corrupt seed record: the device
#      refuses to start (fail closed, never a silent first boot); every
#      other run starts from the provisioned record ($PKI_DIR/nv.bin)
# The device prints errors as numeric codes; $SLINKCTL (`slinkctl err NAME`)
# gives the code each check expects.
# Usage: SLINKCTL=PATH fw_e2e.sh DEVICE_ELF FW_HOST PKI_DIR WORKDIR [FUTURE_FLOOR_ELF]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
fwq_require
elf=$1 host=$2 pki=$3 dir=$4 future_elf=${5:-}
mkdir -p "$dir"
rm -f "$dir/nv.bin"
trap 'fwq_stop "$dir"; fwq_stop "$dir/future"; fwq_stop "$dir/nv-refused/erased"; fwq_stop "$dir/nv-refused/corrupt"' EXIT
# The console's "err=N" for an error name (the word boundary keeps 7 from matching 71).
err_is() { local c; c=$("${SLINKCTL:?set SLINKCTL to the slinkctl binary}" err "$1" | cut -d' ' -f1)
           [[ $c =~ ^[0-9]+$ ]] || { echo "fw_e2e: slinkctl err $1 gave no code" >&2; return 1; }
           echo "err=$c\b"; }
e_chain=$(err_is CERT_CHAIN) && e_name=$(err_is CERT_NAME) && e_expired=$(err_is CERT_EXPIRED) ||
    { echo "fw_e2e: 0 passed, 1 failed"; exit 1; }
pass=0 fail=0
ok()  { echo "ok   - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1"; fail=$((fail + 1)); }

# Waits (bounded) until the console shows N lines matching a pattern.
console_wait() { # PATTERN N SECONDS
    local i
    for i in $(seq 1 $(($3 * 10))); do
        [ "$(grep -c -- "$1" "$dir/console.log" 2>/dev/null)" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

run_host() { # LOGNAME ARGS...
    local name=$1; shift
    timeout 90 "$host" --pty "$FWQ_PTY" --peer-name slink-dev-7 "$@" >"$dir/$name.log" 2>&1
}

good=(--ca "$pki/ca.der" --cert "$pki/host.der" --key "$pki/host.key")

# 0. no provisioned seed record: erased sector (QEMU's RAM is zero), then a
#    record with one bit of its seed flipped
ndir=$dir/nv-refused
mkdir -p "$ndir"
cp "$pki/nv.bin" "$ndir/corrupt.bin"
printf '\x01' | dd of="$ndir/corrupt.bin" bs=1 seek=20 count=1 conv=notrunc 2>/dev/null
for case in erased corrupt; do
    nvf=""; [ "$case" = corrupt ] && nvf=$ndir/corrupt.bin
    if fwq_start "$ndir/$case" "$elf" $nvf; then
        fwq_cont "$ndir/$case"
        want="NV seed record $case"
        for i in $(seq 1 300); do grep -q "$want" "$ndir/$case/console.log" 2>/dev/null && break; sleep 0.1; done
        if grep -q "$want" "$ndir/$case/console.log" && ! grep -q "fw: ready" "$ndir/$case/console.log"; then
            ok "NV seed record $case: device refuses to start ($(tr -d '\r' <"$ndir/$case/console.log" | grep "$want"))"
        else
            bad "NV seed record $case: $(tr -d '\r' <"$ndir/$case/console.log" | tail -n 2)"
        fi
        fwq_stop "$ndir/$case"
    else
        bad "QEMU did not start ($case NV)"
    fi
done

fwq_start "$dir" "$elf" "$pki/nv.bin" || { echo "fw_e2e: 0 passed, 1 failed"; exit 1; }
fwq_cont "$dir"
console_wait "fw: ready" 1 30 || bad "device did not boot (console: $(tr -d '\r' <"$dir/console.log" | tail -n 3))"

# 1. certificate from another CA (first, while the device holds no
#    cached host certificate, so the full certificate is presented)
n_fail=$(grep -c "handshake failed" "$dir/console.log")
if run_host otherca --ca "$pki/other-ca.der" --cert "$pki/host-otherca.der" --key "$pki/host-otherca.key" \
        --trust-ca "$pki/ca.der" --expect-fail --timeout 20 &&
   console_wait "handshake failed" $((n_fail + 1)) 10 &&
   tail -n 5 "$dir/console.log" | grep -q "handshake failed $e_chain"; then
    ok "host certificate from another CA refused by the device (CERT_CHAIN)"
else
    bad "other-CA host: $(tail -n 2 "$dir/otherca.log") / device: $(grep 'handshake failed' "$dir/console.log" | tail -n 1)"
fi

# 2. right CA, wrong identity for address 1
n_fail=$(grep -c "handshake failed" "$dir/console.log")
if run_host wrongname --ca "$pki/ca.der" --cert "$pki/host-wrongname.der" --key "$pki/host-wrongname.key" \
        --expect-fail --timeout 20 &&
   console_wait "handshake failed" $((n_fail + 1)) 10 &&
   tail -n 5 "$dir/console.log" | grep -q "handshake failed $e_name"; then
    ok "host certificate with the wrong name refused by the device (CERT_NAME)"
else
    bad "wrong-name host: $(tail -n 2 "$dir/wrongname.log") / device: $(grep 'handshake failed' "$dir/console.log" | tail -n 1)"
fi

# 3. session, stream, datagrams, authenticated close
if run_host good "${good[@]}" --bytes 4096 --count 3 --timeout 60; then
    ok "handshake + 4096-byte upper-case echo + datagrams + close ($(grep -h 'stream ok' "$dir/good.log" | sed 's/.*in \([0-9]* ms\).*/\1/'))"
else
    bad "good host: $(tail -n 2 "$dir/good.log")"
fi
grep -h "device stats" "$dir/good.log" | sed 's/^fw-host: device stats: //' >"$dir/stats.txt"

# 3b. the impostor again, now that the device caches the real host's
#     certificate (it asks for a reference, which the impostor cannot match)
if run_host otherca2 --ca "$pki/other-ca.der" --cert "$pki/host-otherca.der" --key "$pki/host-otherca.key" \
        --trust-ca "$pki/ca.der" --expect-fail --timeout 20; then
    ok "other-CA host refused after a good session too ($(grep 'handshake failed' "$dir/console.log" | tail -n 1 | sed 's/.*err=//' | tr -d '\r'))"
else
    bad "other-CA host after a good session: $(tail -n 2 "$dir/otherca2.log")"
fi

# 4. host crash (no close) then restart: a fresh handshake must succeed
n_est=$(grep -c "fw: established" "$dir/console.log")
if run_host crash "${good[@]}" --bytes 1024 --count 1 --no-close --timeout 60 &&
   run_host restart "${good[@]}" --bytes 2048 --count 2 --timeout 60 &&
   console_wait "fw: established" $((n_est + 2)) 5; then
    ok "host restart after a crash: device re-handshakes and serves ($(grep -c 'fw: established' "$dir/console.log") sessions so far)"
else
    bad "host restart: $(tail -n 2 "$dir/crash.log") / $(tail -n 2 "$dir/restart.log")"
fi

# 5. power cycle with the NV sector persisted by the harness
fwq_stop "$dir" "$dir/nv.bin"
boot1=$(grep -o "fw: ready .*boot=[0-9]*" "$dir/console.log" | sed 's/.*boot=//' | tail -n 1)
cp "$dir/console.log" "$dir/console-boot1.log"
if fwq_start "$dir" "$elf" "$dir/nv.bin"; then
    fwq_cont "$dir"
    console_wait "fw: ready" 1 30
    boot2=$(grep -o "fw: ready .*boot=[0-9]*" "$dir/console.log" | sed 's/.*boot=//' | tail -n 1)
    if grep -q "nv seed: restored" "$dir/console.log" && [ "${boot2:-0}" -eq $((boot1 + 1)) ] &&
       run_host reboot "${good[@]}" --bytes 1024 --count 1 --timeout 60; then
        ok "power cycle: NV seed restored, boot counter $boot1 -> $boot2, new session works"
    else
        bad "power cycle: boot $boot1 -> ${boot2:-?}; $(grep 'nv seed' "$dir/console.log"); $(tail -n 1 "$dir/reboot.log")"
    fi
else
    bad "QEMU did not restart"
fi
fwq_stop "$dir"
cat "$dir/console-boot1.log" "$dir/console.log" >"$dir/console-all.log"

# 6. the no-RTC time policy: valid dates, but notAfter before the floor
if [ -n "$future_elf" ]; then
    fdir=$dir/future
    file_wait() { # FILE PATTERN SECONDS
        local i
        for i in $(seq 1 $(($3 * 10))); do
            tr -d '\r' <"$1" 2>/dev/null | grep -q -- "$2" && return 0
            sleep 0.1
        done
        return 1
    }
    if fwq_start "$fdir" "$future_elf" "$pki/nv.bin"; then
        fwq_cont "$fdir"
        if file_wait "$fdir/console.log" "fw: ready" 30 &&
           timeout 90 "$host" --pty "$FWQ_PTY" --peer-name slink-dev-7 "${good[@]}" \
               --expect-fail --timeout 20 >"$dir/future.log" 2>&1 &&
           file_wait "$fdir/console.log" "handshake failed $e_expired" 10; then
            ok "time floor past the host certificate's notAfter: host refused (CERT_EXPIRED)"
        else
            bad "time floor: $(tail -n 1 "$dir/future.log") / device: $(grep -E 'handshake failed|established' "$fdir/console.log" | tail -n 1)"
        fi
    else
        bad "QEMU did not start the time-floor image"
    fi
    fwq_stop "$fdir"
fi
echo "device stats after the first session: $(cat "$dir/stats.txt")"
echo "fw_e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
