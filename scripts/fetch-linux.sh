#!/usr/bin/env bash
# Debian's kernel and a busybox initramfs for a Linux guest, in build/linux/:
#   vmlinuz     the bzImage of linux-image-amd64's current versioned package
#   initrd.gz   an initramfs (cpio newc, gzip): busybox-static and /init
#               (scripts/linux-init.sh), built by scripts/mkinitramfs.py
# The packages are fetched with `apt-get download` (no install into the
# system) into build/linux/debs/ and unpacked with dpkg-deb -x. Cached: a file
# that is there already is not made again (vmlinuz, the .debs), and initrd.gz
# is rebuilt only when /init or the builder changed.
# Usage: scripts/fetch-linux.sh [OUTDIR]    (default build/linux)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-build/linux}
mkdir -p "$out/debs"
out=$(cd "$out" && pwd)

# The versioned kernel package linux-image-amd64 depends on (one ~70 MB .deb,
# not a glob over every kernel the archive has).
kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

# `apt-get download NAME` into debs/ unless a NAME_*.deb is there.
fetch_deb() {
    local name=$1 deb
    deb=$(ls "$out/debs/${name}_"*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        echo "fetch-linux: apt-get download $name" >&2
        (cd "$out/debs" && apt-get download -q "$name" >&2)
        deb=$(ls "$out/debs/${name}_"*.deb | head -n 1)
    fi
    echo "$deb"
}

if [ ! -s "$out/vmlinuz" ] || [ ! -s "$out/busybox" ]; then
    pkg=$(kernel_package)
    if [ -z "$pkg" ]; then                  # a fresh machine has no package lists
        echo "fetch-linux: apt-get update (apt-cache knows no linux-image-amd64)" >&2
        apt-get update -q >&2
        pkg=$(kernel_package)
    fi
    [ -n "$pkg" ] || { echo "fetch-linux: no versioned package behind linux-image-amd64" >&2; exit 1; }

    if [ ! -s "$out/vmlinuz" ]; then
        deb=$(fetch_deb "$pkg")
        rm -rf "$out/kernel-pkg"
        dpkg-deb -x "$deb" "$out/kernel-pkg"
        cp "$(ls "$out"/kernel-pkg/boot/vmlinuz-* | head -n 1)" "$out/vmlinuz.tmp"
        mv "$out/vmlinuz.tmp" "$out/vmlinuz"
        rm -rf "$out/kernel-pkg"
        echo "$pkg" > "$out/vmlinuz.package"
    fi
    if [ ! -s "$out/busybox" ]; then
        deb=$(fetch_deb busybox-static)
        rm -rf "$out/busybox-pkg"
        dpkg-deb -x "$deb" "$out/busybox-pkg"
        cp "$out/busybox-pkg/bin/busybox" "$out/busybox.tmp"
        mv "$out/busybox.tmp" "$out/busybox"
        rm -rf "$out/busybox-pkg"
    fi
fi

if [ ! -s "$out/initrd.gz" ] || [ "$here/linux-init.sh" -nt "$out/initrd.gz" ] ||
   [ "$here/mkinitramfs.py" -nt "$out/initrd.gz" ] || [ "$out/busybox" -nt "$out/initrd.gz" ]; then
    python3 "$here/mkinitramfs.py" "$out/busybox" "$here/linux-init.sh" "$out/initrd.gz.tmp"
    mv "$out/initrd.gz.tmp" "$out/initrd.gz"
fi
echo "fetch-linux: $out/vmlinuz ($(stat -c %s "$out/vmlinuz") bytes, $(cat "$out/vmlinuz.package" 2>/dev/null || echo '?')), $out/initrd.gz ($(stat -c %s "$out/initrd.gz") bytes)"
