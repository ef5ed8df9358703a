#!/usr/bin/env bash
# Console input (console_bind, root/tests/console.c with test=console,console-input):
# Bochs's COM1 is a pty (scripts/serial_pty.py via run-bochs.sh --type-after) and the
# harness types two texts after the root task's "type now" lines: the first while the
# bound port is full (the bytes wait in the kernel, then come as full 40-byte chunks
# after the queued packets), the second, with control bytes and bytes above 0x7f,
# while the only thread waits on the port with no deadline. Both must arrive as
# HV_PKT_CONSOLE packets in order, byte exact (the root task compares them with its
# own copy, and this script compares the hex dump it prints). Also every error of
# console_bind, rebinding, and no leaks.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_console_input.log
# The same bytes as CONSOLE_TEXT1/2 in root/tests/console.c.
text1='hv console input: the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ!?'
text2='second\x01\x7f\x1b[A\xff\x80\x02 end\r'
iso=$(iso_variant root_console "console=com1 test=console,console-input") || exit 1
TYPE_DELAY=0 bash scripts/run-bochs.sh --type-after '^console: port full, type now$' "$text1" \
    --type-after '^console: port empty, type now$' "$text2" "$iso" "$log" 240
expect_status $? 0 "bochs"
hex() { python3 -c 'import codecs,sys; b=codecs.decode(sys.argv[1].encode("latin-1"),"unicode_escape").encode("latin-1"); print(" ".join("%02x" % c for c in b))' "$1"; }
expect "$log" "^console: received \\(${#text1} bytes\\): $(hex "$text1")\$"
expect "$log" "^console: received \\([0-9]+ bytes\\): $(hex "$text2")\$"
expect "$log" "^console: ${#text1} bytes in 3 packets, first 40\$"
for c in errors bind_rebind cycles input_port_full input_waiting no_leaks; do
    expect "$log" "^PASS console_$c\$"
done
expect "$log" '^console: 6 passed, 0 failed$'
expect "$log" '^shutdown: status 0$'
reject "$log" '^FAIL|PANIC|exception'
finish "$log"
