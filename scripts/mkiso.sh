#!/usr/bin/env bash
# Build a hybrid BIOS+UEFI GRUB rescue ISO that boots the kernel by Multiboot2.
# usage: mkiso.sh OUT.iso "CMDLINE" [MODULE_FILE NAME]...
# The kernel is build/kernel.elf (KERNEL_ELF=path picks another, e.g. the test kernel);
# build/root.elf is added as module root (ROOT_ELF=path picks another, e.g. the test
# root image build/root-test.elf; ROOT_ELF= none),
# every build/guest/NAME.bin and NAME.elf (the C guests) as guest:NAME.
# C_GUESTS="NAME ..." ships only those C guests (the kernel takes at most
# BOOT_MAX_MODULES boot modules, and the flat guests, the C guests and the root
# task together come close to it).
set -eu
out=$1 cmdline=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
log=$(mktemp)          # outside $stage: xorriso packs $stage and must not see a growing file
trap 'rm -rf "$stage" "$log"' EXIT

mkdir -p "$stage/boot/grub"
cp "${KERNEL_ELF:-$here/build/kernel.elf}" "$stage/boot/kernel.elf"
mods=""
# The C test guests (guest/c/) as "guest:NAME" too; NO_TEST_GUESTS=1 leaves them out.
for g in "$here"/build/guest/*.elf; do
    [ "${NO_TEST_GUESTS:-0}" = 1 ] && break
    [ -e "$g" ] || continue
    if [ -n "${C_GUESTS:-}" ]; then
        case " $C_GUESTS " in *" $(basename "$g" .elf) "*) ;; *) continue ;; esac
    fi
    set -- "$@" "$g" "guest:$(basename "$g" .elf)"
done
# The root task rides along as module "root", every built test guest as "guest:NAME".
# An image asked for by name must exist; the default one is left out when not built.
root_elf=${ROOT_ELF-$here/build/root.elf}
if [ -n "${ROOT_ELF-}" ] && [ ! -e "$root_elf" ]; then
    echo "mkiso.sh: ROOT_ELF=$root_elf does not exist" >&2
    exit 1
fi
[ -n "$root_elf" ] && [ -e "$root_elf" ] && set -- "$@" "$root_elf" root
# NO_TEST_GUESTS=1 leaves the test guests out (make run GUEST=... ships only the user's).
for g in "$here"/build/guest/*.bin; do
    [ "${NO_TEST_GUESTS:-0}" = 1 ] && break
    [ -e "$g" ] || continue
    set -- "$@" "$g" "guest:$(basename "$g" .bin)"
done
i=0
while [ $# -ge 2 ]; do
    [ -r "$1" ] || { echo "mkiso.sh: cannot read module file $1" >&2; exit 1; }
    i=$((i + 1))
    copy="m$i-$(basename "$1")"        # two modules may share a file name
    cp "$1" "$stage/boot/$copy"
    mods="$mods    module2 /boot/$copy $2
"
    shift 2
done
cat > "$stage/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "hv" {
    multiboot2 /boot/kernel.elf $cmdline
$mods    boot
}
CFG
grub-mkrescue -o "$out" "$stage" >/dev/null 2>"$log" || {
    cat "$log" >&2
    exit 1
}
