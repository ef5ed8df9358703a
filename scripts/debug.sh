#!/usr/bin/env bash
# make debug: QEMU+OVMF paused with its gdb stub on :1234; attach with
#   gdb build/kernel.elf -ex 'target remote :1234'
set -u
cd "$(dirname "$0")/.."
echo "debug: QEMU paused, gdb stub on localhost:1234; in another shell:"
echo "  gdb build/kernel.elf -ex 'target remote :1234' -ex 'hbreak kmain' -ex c"
exec bash scripts/run-qemu.sh --esp build/esp --serial build/logs/debug.log --timeout 3600 --gdb
