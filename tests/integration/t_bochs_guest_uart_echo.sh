#!/usr/bin/env bash
# The C guest uart_echo (guest/c/uart_echo.c) under the production VMM: once
# the guest says "uart_echo: ready" the test types a line into COM1 (through
# scripts/run-bochs.sh --type-after, a pty); the guest receives it with
# IER.RDI on IRQ 4 through the 8259A and echoes it as "uart_echo: got <line>".
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_uart_echo.log
if ! grep -q -- '--type-after' scripts/run-bochs.sh; then
    echo "scripts/run-bochs.sh has no --type-after: this test needs the typed-input harness"
    exit 1
fi
iso=$(iso_variant guest_uart_echo 'console=com1 guest=uart_echo') || exit 1
text='hello from the pty 42'
bash scripts/run-bochs.sh --type-after '^uart_echo: uart_echo: ready$' "$text\\r" "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^uart_echo: guest uart_echo: start$'
expect "$log" '^uart_echo:   \[ok\] IER reads back RDI \(0x01\)$'
expect "$log" '^uart_echo: uart_echo: ready$'
expect "$log" "^uart_echo: uart_echo: got $text\$"
expect "$log" '^uart_echo:   \[ok\] IIR named received data'
expect "$log" '^uart_echo: guest uart_echo: ok$'
expect "$log" '^root: guest uart_echo exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
expect "$log" '^root: guest uart_echo: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
