#!/usr/bin/env python3
"""Give an emulator's serial port a pseudo-terminal, keep a log of what it sends,
and type into it.

usage: serial_pty.py --log FILE [--subst FILE]... [--type-after REGEX TEXT]...
                     [--interactive] [--child-output FILE] -- COMMAND [ARG]...

Opens a pty (raw: bytes pass unchanged, no echo), replaces every "@PTY@" in each
--subst FILE and in COMMAND's arguments by the slave's path (e.g. in a bochsrc:
com1: mode=term, dev=@PTY@; for QEMU: -serial @PTY@), then runs COMMAND. Everything the emulator writes to the port is appended to the
--log FILE as it arrives (so the log reads as with a plain file-backed serial port),
and with --interactive also shown on stdout.

--type-after REGEX TEXT (repeatable, in order): once a line of the log (carriage
returns dropped) matches REGEX, TEXT is typed into the port; the next pair then
waits for a later line. TEXT takes Python escapes (\\x01, \\t, \\r, \\\\); its
characters are bytes 0-255. They are typed one at a time, --type-delay seconds apart
(default 0.005), as a person or a paced link would.

--interactive: what is typed on stdin goes to the port. On a terminal, stdin is set
to no-echo, no-line-editing mode while the command runs (Ctrl-C still ends the run)
and restored afterwards.

--child-output FILE: COMMAND's stdout and stderr go there (stdin: /dev/null).

Exits with COMMAND's status (128+N for a signal).
"""
import argparse
import codecs
import os
import re
import select
import signal
import subprocess
import sys
import termios
import tty


def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--subst", action="append", default=[])
    ap.add_argument("--type-after", nargs=2, action="append", default=[],
                    metavar=("REGEX", "TEXT"))
    ap.add_argument("--interactive", action="store_true")
    ap.add_argument("--child-output")
    ap.add_argument("--type-delay", type=float, default=0.005)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if a.command and a.command[0] == "--":
        a.command = a.command[1:]
    if not a.command:
        ap.error("no command")
    return a


def unescape(text):
    return codecs.decode(text.encode("latin-1"), "unicode_escape").encode("latin-1")


def main():
    a = parse()
    pending = [(re.compile(r), unescape(t)) for r, t in a.type_after]
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    for f in a.subst:
        with open(f) as fh:
            s = fh.read()
        with open(f, "w") as fh:
            fh.write(s.replace("@PTY@", path))

    a.command = [arg.replace("@PTY@", path) for arg in a.command]
    stdin_fd = sys.stdin.fileno() if a.interactive else None
    saved = None
    if stdin_fd is not None and os.isatty(stdin_fd):
        saved = termios.tcgetattr(stdin_fd)
        mode = termios.tcgetattr(stdin_fd)
        mode[3] &= ~(termios.ICANON | termios.ECHO)     # lflag; ISIG stays: Ctrl-C works
        mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
        termios.tcsetattr(stdin_fd, termios.TCSANOW, mode)

    log = open(a.log, "ab", buffering=0)
    if a.child_output:
        with open(a.child_output, "ab") as out:
            child = subprocess.Popen(a.command, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT)
    else:
        child = subprocess.Popen(a.command)
    # Ctrl-C ends the run: the child (timeout(1) runs in a group of its own) is told to.
    signal.signal(signal.SIGINT, lambda *_: child.poll() is None and child.terminate())
    line = b""
    typing = bytearray()                                # still to type, one byte per step

    def output(data):
        nonlocal line
        log.write(data)
        if a.interactive:
            os.write(sys.stdout.fileno(), data)
        line += data
        while b"\n" in line:
            done, line = line.split(b"\n", 1)
            text = done.replace(b"\r", b"").decode("latin-1")
            if pending and pending[0][0].search(text):
                typing.extend(pending.pop(0)[1])

    try:
        while True:
            fds = [master] + ([stdin_fd] if stdin_fd is not None else [])
            try:
                ready, _, _ = select.select(fds, [], [], a.type_delay if typing else 0.1)
            except InterruptedError:
                continue
            if master in ready:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    data = b""
                if data:
                    output(data)
            if stdin_fd is not None and stdin_fd in ready:
                data = os.read(stdin_fd, 1024)
                if data:
                    os.write(master, data)
                else:
                    stdin_fd = None                     # end of input: stop reading it
            if typing:
                os.write(master, typing[:1])
                del typing[:1]
            if child.poll() is not None and master not in ready:
                break
    finally:
        if saved is not None:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
        if child.poll() is None:
            child.terminate()
        rc = child.wait()
        log.close()
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())
