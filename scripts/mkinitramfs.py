#!/usr/bin/env python3
"""Build the Linux guest's initramfs: a gzip-compressed cpio archive in the
"newc" format (the kernel's Documentation/driver-api/early-userspace/
buffer-format.rst), written directly so that no cpio tool and no root
privilege are needed for the device nodes.

Usage: mkinitramfs.py BUSYBOX INIT OUTPUT.gz

Contents: /bin/busybox, /bin/sh -> busybox, /init (the INIT script),
/dev/console and /dev/null (character devices 5:1 and 1:3: the kernel opens
/dev/console for init's standard streams), and empty /proc, /sys, /sbin,
/tmp. Every time stamp is 0, so the same inputs give the same bytes.
"""
import gzip
import stat
import sys

MAGIC = b"070701"


def pad4(n):
    return (4 - n % 4) % 4


class Archive:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name_b), 0]
        self.ino += 1
        hdr = MAGIC + b"".join(b"%08x" % f for f in fields)
        self.out += hdr + name_b + b"\0" * pad4(len(hdr) + len(name_b))
        self.out += data + b"\0" * pad4(len(data))

    def directory(self, name):
        self.entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, data, perm=0o755):
        self.entry(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        self.entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, perm):
        self.entry(name, stat.S_IFCHR | perm, rdev=(major, minor))

    def finish(self):
        self.entry("TRAILER!!!", 0, nlink=1)
        self.out += b"\0" * pad4(len(self.out))
        return bytes(self.out)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: mkinitramfs.py BUSYBOX INIT OUTPUT.gz")
    busybox_path, init_path, output = sys.argv[1:]
    with open(busybox_path, "rb") as f:
        busybox = f.read()
    with open(init_path, "rb") as f:
        init = f.read()
    if not init.startswith(b"#!/bin/sh"):
        sys.exit("mkinitramfs: %s must start with #!/bin/sh" % init_path)

    a = Archive()
    for d in ("bin", "dev", "proc", "sys", "sbin", "tmp"):
        a.directory(d)
    a.chardev("dev/console", 5, 1, 0o600)
    a.chardev("dev/null", 1, 3, 0o666)
    a.file("bin/busybox", busybox)
    a.symlink("bin/sh", "busybox")
    a.file("init", init)
    data = a.finish()
    with open(output, "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))


if __name__ == "__main__":
    main()
