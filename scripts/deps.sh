#!/usr/bin/env bash
# Install the Debian packages the build, the images and the emulators need.
# Idempotent and fast when everything is present: it only asks dpkg.
set -eu

pkgs="gnu-efi nasm qemu-system-x86 ovmf bochs bochsbios vgabios grub-pc-bin
grub-efi-amd64-bin grub-common xorriso mtools gcc make binutils acpica-tools"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; update once before installing.
$sudo apt-get update -q >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >&2
