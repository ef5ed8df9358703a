# Shared by the integration tests: image variants, emulator runs, log checks.
# Each test sources this, runs one boot, checks its serial log and exits 0/1.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
LOGS=$ROOT/build/logs
mkdir -p "$LOGS"
fail=0

# iso_variant NAME CMDLINE -> prints the path of an ISO booting with CMDLINE.
# Boots of the kernel's own tests (test=vmx, test=bench) get the test kernel;
# boots of the root task's test modes (test=hypercalls, test=fuzz, test=bench,
# test=console)
# get the test root image, build/root-test.elf, as module root. Everything
# else gets the production kernel and root task (build/kernel.elf, build/root.elf).
# ROOT_ELF=path (ROOT_ELF= for none) in the environment overrides the root image.
# A boot of a C guest (guest=NAME with build/guest/NAME.elf) ships only that one
# of the C guests (C_GUESTS, scripts/mkiso.sh): all of them and the flat guests
# would come close to the kernel's limit of boot modules.
iso_variant() {
    local iso=$ROOT/build/variants/$1.iso kernel=$ROOT/build/kernel.elf
    local root_elf=$ROOT/build/root.elf c_guests=
    local name=$(printf '%s\n' " $2 " | sed -En 's/.* guest=([A-Za-z0-9_]+) .*/\1/p')
    [ -n "$name" ] && [ -e "$ROOT/build/guest/$name.elf" ] && c_guests=$name
    case " $2 " in *" test="*vmx*|*" test="*bench*) kernel=$ROOT/build/kernel-test.elf ;; esac
    case " $2 " in
        *" test="*hypercalls*|*" test="*fuzz*|*" test="*bench*|*" test="*console*)
            root_elf=$ROOT/build/root-test.elf ;;
    esac
    root_elf=${ROOT_ELF-$root_elf}
    mkdir -p "$ROOT/build/variants"
    C_GUESTS=$c_guests KERNEL_ELF=$kernel ROOT_ELF=$root_elf bash scripts/mkiso.sh "$iso" "$2" >&2 || return 1
    echo "$iso"
}

# esp_variant NAME CMDLINE -> prints the path of an ESP directory booting with CMDLINE
esp_variant() {
    local dir=$ROOT/build/variants/$1.esp
    mkdir -p "$ROOT/build/variants"
    bash scripts/mkesp.sh "$dir" "$2" >&2 || return 1
    echo "$dir"
}

# expect LOG REGEX: the serial log must have a line matching REGEX
expect() {
    if ! tr -d '\r' < "$1" | grep -Eq -- "$2"; then
        echo "missing in $(basename "$1"): $2"
        fail=1
    fi
}

# reject LOG REGEX: no line may match
reject() {
    if tr -d '\r' < "$1" | grep -Eq -- "$2"; then
        echo "unexpected in $(basename "$1"): $(tr -d '\r' < "$1" | grep -E -m1 -- "$2")"
        fail=1
    fi
}

# expect_status GOT WANT WHAT
expect_status() {
    if [ "$1" != "$2" ]; then
        echo "$3: exit status $1, expected $2"
        fail=1
    fi
}

# expect_no_vmx LOG LOADER-REGEX: a TCG boot that reaches the kernel and stops at "no VMX"
expect_no_vmx() {
    expect "$1" "^hv: microhypervisor starting, loaded by $2"
    expect "$1" '^mm: memory [0-9]+ MiB usable'
    expect "$1" '^acpi: [0-9]+ CPUs'
    expect "$1" '^error: vmx: this CPU has no VMX'
    expect "$1" '^shutdown: status 2$'
    reject "$1" 'exception|PANIC'
}

finish() {
    if [ "$fail" -ne 0 ]; then
        echo "serial log tail ($1):"
        tr -d '\r' < "$1" | tail -15 | sed 's/^/  | /'
    fi
    exit "$fail"
}
