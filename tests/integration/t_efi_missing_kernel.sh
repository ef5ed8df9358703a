#!/usr/bin/env bash
# BOOTX64.EFI with an hv.cfg naming a kernel that is not on the ESP must say so
# clearly (path + EFI_NOT_FOUND) on COM1 and hand control back to the firmware
# instead of hanging. Needs build/BOOTX64.EFI (make). Serial log:
# build/logs/efi_missing_kernel.log.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
efi="$root/build/BOOTX64.EFI"
log="$root/build/logs/efi_missing_kernel.log"
timeout_s=25

if [ ! -f "$efi" ]; then
    echo "FAIL t_efi_missing_kernel: $efi missing (run make first)"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_efi_missing_kernel.XXXXXX")
job=""
cleanup() {
    # Stop our QEMU run (its own process group) if we are interrupted.
    if [ -n "$job" ] && kill -0 "$job" 2>/dev/null; then
        kill -TERM -- "-$job" 2>/dev/null || true
        wait "$job" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$tmp/esp/EFI/BOOT" "$tmp/esp/hv" "$(dirname "$log")"
cp "$efi" "$tmp/esp/EFI/BOOT/BOOTX64.EFI"
cat > "$tmp/esp/hv/hv.cfg" <<'EOF'
# The kernel named here deliberately does not exist.
kernel \hv\no-such-kernel.elf
cmdline console=com1
EOF

# Run QEMU as its own process group (set -m) so that, once the loader has
# said it is returning to the firmware, the whole run can be stopped early.
rm -f "$log"                            # no stale text from an earlier run
set -m
"$root/scripts/run-qemu.sh" --esp "$tmp/esp" --serial "$log" --timeout "$timeout_s" \
    -nic none >/dev/null 2>"$tmp/qemu.err" &
job=$!
set +m
stopped=0
while kill -0 "$job" 2>/dev/null; do
    if grep -aq '^hv-efi: boot failed; returning' "$log" 2>/dev/null; then
        sleep 1                         # let the firmware take over
        kill -TERM -- "-$job" 2>/dev/null || true
        stopped=1
        break
    fi
    sleep 0.5
done
rc=0
wait "$job" 2>/dev/null || rc=$?
job=""

# The firmware does not power off after a failed boot option: either we stop
# QEMU above, or the timeout (124) ends it; 0 means OVMF tried to reset.
if [ "$stopped" -eq 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 0 ]; then
    echo "FAIL t_efi_missing_kernel: QEMU exited with $rc: $(head -c 300 "$tmp/qemu.err" | tr '\n' ' ')"
    exit 1
fi
# Lines printed directly on COM1 end in \r\n; strip the \r for matching.
clean=$(tr -d '\r' < "$log" 2>/dev/null || true)
want='hv-efi: error: open kernel \hv\no-such-kernel.elf: EFI_NOT_FOUND (0x800000000000000e)'
if ! grep -aq '^hv-efi: hypervisor loader' <<<"$clean"; then
    echo "FAIL t_efi_missing_kernel: loader banner not in $log (did OVMF start BOOTX64.EFI?)"
    exit 1
fi
if ! grep -aqxF "$want" <<<"$clean"; then
    echo "FAIL t_efi_missing_kernel: no line '$want' in $log"
    exit 1
fi
if ! grep -aq '^hv-efi: boot failed; returning EFI_NOT_FOUND' <<<"$clean"; then
    echo "FAIL t_efi_missing_kernel: loader printed the error but never returned to the firmware (hang?)"
    exit 1
fi
echo "PASS t_efi_missing_kernel"
exit 0
