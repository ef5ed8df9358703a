# root/root.mk - the root task (user-level VMM): a static ELF64 linked at
# 512 GiB, loaded by the kernel from the boot module "root". Included from
# the top-level Makefile, which defines BUILD, CC, LD and the order-only
# prerequisite DEPS.
#   make root        build $(BUILD)/root.elf (production: the VMM)
#   make root-test   build $(BUILD)/root-test.elf (the test modes)
#   make root-size   the size of both
#
# Code model: -mcmodel=large. The image lives at 0x8000000000, above the
# 2 GiB that the small and medium models (and -mcmodel=kernel's top 2 GiB)
# can reach with 32-bit absolute addresses, and there is no dynamic loader
# to relocate position-independent code, so every absolute address is a
# full 64-bit immediate (movabs / R_X86_64_64) that the static link fills in.

ROOT_CFLAGS := -std=c11 -ffreestanding -fno-pic -fno-pie -mcmodel=large -mno-red-zone \
               -mgeneral-regs-only -fno-stack-protector -fno-builtin \
               -fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra -Werror \
               -Iinclude -Ilib/include -Iroot/include -MMD -MP $(FREESTANDING_INC)
ROOT_LDFLAGS := -static -nostdlib -z max-page-size=0x1000 -z noexecstack -T root/root.ld

# Two images from one set of objects:
#   $(BUILD)/root.elf       production: the VMM (root/vmm/) on the runtime
#   $(BUILD)/root-test.elf  test=hypercalls, test=fuzz, test=bench (root/tests/,
#                           root/bench/; main in root/tests/main.c) on the runtime
# Sources by wildcard per folder: a new file in one of these folders needs no list.

# Pure sources: every root/vmm/ file but vmm*.c (the VMM loop, which makes the
# hypercalls) is a device model, the device table or the loader, and is also
# compiled into the host unit tests (only stdint/stddef/stdbool).
ROOT_UNIT_SRCS := $(filter-out root/vmm/vmm%.c,$(wildcard root/vmm/*.c))

# The runtime both images share: crt0, printf, status names, the start-up
# report, the hypercall stubs, and the parts of lib/ (shared with the kernel)
# it needs.
ROOT_RT_SRCS := $(wildcard root/lib/*.c root/libsys/*.c) \
                lib/string.c lib/format.c lib/vmx_names.c lib/cmdline_parse.c \
                lib/acpi_checksum.c lib/rtc_calendar.c
ROOT_RT_ASMS := root/crt0.S $(wildcard root/lib/*.S root/libsys/*.S)

ROOT_VMM_SRCS := $(wildcard root/vmm/*.c)
ROOT_TEST_SRCS := $(wildcard root/tests/*.c root/bench/*.c)
ROOT_TEST_ASMS := $(wildcard root/tests/*.S root/bench/*.S)

root_objs = $(patsubst %.c,$(BUILD)/root/%.o,$(filter %.c,$(1))) \
            $(patsubst %.S,$(BUILD)/root/%.o,$(filter %.S,$(1)))
ROOT_RT_OBJS := $(call root_objs,$(ROOT_RT_SRCS) $(ROOT_RT_ASMS))
ROOT_VMM_OBJS := $(call root_objs,$(ROOT_VMM_SRCS))
ROOT_TEST_OBJS := $(call root_objs,$(ROOT_TEST_SRCS) $(ROOT_TEST_ASMS))
ROOT_OBJS := $(ROOT_RT_OBJS) $(ROOT_VMM_OBJS)

.PHONY: root root-test root-size
root: $(BUILD)/root.elf
root-test: $(BUILD)/root-test.elf

# The guest's DSDT: root/vmm/dsdt.asl compiled by iasl (acpica-tools, installed
# by scripts/deps.sh) into $(BUILD)/gen/root/dsdt.hex, a C array (dsdt_aml_code)
# that root/vmm/acpi_dsdt.c includes. The host unit tests compile acpi_dsdt.c
# too (the Makefile gives their object the same prerequisite and -I).
ACPI_DSDT_HEX := $(BUILD)/gen/root/dsdt.hex
$(ACPI_DSDT_HEX): root/vmm/dsdt.asl root/root.mk | $(DEPS)
	@mkdir -p $(dir $@)
	iasl -vs -we -p $(basename $@) -tc $< > $(basename $@).log 2>&1 || \
	  { cat $(basename $@).log >&2; rm -f $@; exit 1; }
$(BUILD)/root/root/vmm/acpi_dsdt.o: $(ACPI_DSDT_HEX)
$(BUILD)/root/root/vmm/acpi_dsdt.o: ROOT_CFLAGS += -I$(BUILD)/gen/root

# The test modes see each other's headers (root/tests/root_tests.h, root/bench/root_bench.h).
$(BUILD)/root/root/tests/%.o $(BUILD)/root/root/bench/%.o: ROOT_CFLAGS += -Iroot/tests -Iroot/bench

$(BUILD)/root/%.o: %.c root/root.mk | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ROOT_CFLAGS) -c $< -o $@

$(BUILD)/root/%.o: %.S root/root.mk | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ROOT_CFLAGS) -c $< -o $@

$(BUILD)/root.elf: $(ROOT_OBJS) root/root.ld
	$(LD) $(ROOT_LDFLAGS) -o $@ $(ROOT_OBJS)

$(BUILD)/root-test.elf: $(ROOT_RT_OBJS) $(ROOT_TEST_OBJS) root/root.ld
	$(LD) $(ROOT_LDFLAGS) -o $@ $(ROOT_RT_OBJS) $(ROOT_TEST_OBJS)

# The sizes of both images (the production one's text should stay under 64 KiB).
root-size: $(BUILD)/root.elf $(BUILD)/root-test.elf
	@size $^

# The host unit tests include the root task's headers (HOST_CFLAGS in the Makefile).

-include $(ROOT_RT_OBJS:.o=.d) $(ROOT_VMM_OBJS:.o=.d) $(ROOT_TEST_OBJS:.o=.d)

# ---- Hypervisor.framework (Intel) API headers (root/hvf/) -----------------------
# The headers live under their own include root (root/hvf/include/Hypervisor/),
# seen only by programs written against that API, never by the kernel or the
# VMM. Until the library exists, a sample program is compiled (not linked),
# freestanding and -pedantic, so a wrong prototype or a missing name fails
# `make all`; the values are checked by tests/unit/test_hvf_headers.c.
HVF_INC := -Iroot/hvf/include
HVF_CHECK_OBJS := $(BUILD)/root/root/hvf/tests/api_sample.o
$(HVF_CHECK_OBJS): ROOT_CFLAGS += -pedantic $(HVF_INC)
all: $(HVF_CHECK_OBJS)
-include $(HVF_CHECK_OBJS:.o=.d)
