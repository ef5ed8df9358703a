#!/usr/bin/env bash
# The test root image (build/root-test.elf) booted without a test mode runs
# nothing: it says which modes it has and fails, rather than passing quietly.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_root_test_nomode.log
iso=$(ROOT_ELF=$ROOT/build/root-test.elf iso_variant root_test_nomode "console=com1 guest=demo") || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 120
expect_status $? 1 "bochs"
expect "$log" '^root: started, [0-9]+ boot modules'
expect "$log" '^root: test root image: no test mode asked \(test=hypercalls, test=fuzz or test=bench\); guests run in the VMM, build/root.elf$'
expect "$log" '^shutdown: status 1$'
reject "$log" '^demo: |^PASS|^bench|exception|PANIC'
finish "$log"
