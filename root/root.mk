# root/root.mk - the root task (user-level VMM): a static ELF64 linked at
# 512 GiB, loaded by the kernel from the boot module "root". Included from
# the top-level Makefile, which defines BUILD, CC, LD and the order-only
# prerequisite DEPS.
#   make root    build $(BUILD)/root.elf
#
# Code model: -mcmodel=large. The image lives at 0x8000000000, above the
# 2 GiB that the small and medium models (and -mcmodel=kernel's top 2 GiB)
# can reach with 32-bit absolute addresses, and there is no dynamic loader
# to relocate position-independent code, so every absolute address is a
# full 64-bit immediate (movabs / R_X86_64_64) that the static link fills in.

ROOT_CFLAGS := -std=c11 -ffreestanding -fno-pic -fno-pie -mcmodel=large -mno-red-zone \
               -mgeneral-regs-only -fno-stack-protector -fno-builtin \
               -fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra -Werror \
               -Iinclude -Ilib/include -Iroot/include -MMD -MP
ROOT_LDFLAGS := -static -nostdlib -z max-page-size=0x1000 -z noexecstack -T root/root.ld

# Pure sources: also compiled into the host unit tests (only stdint/stddef/stdbool).
ROOT_UNIT_SRCS := root/vmm/uart16550.c root/vmm/loader.c

# lib/ (format, string, cmdline_parse, vmx_names) is shared with the kernel.
ROOT_SRCS := $(ROOT_UNIT_SRCS) root/vmm/vmm.c root/lib/printf.c lib/string.c \
             root/lib/status.c root/libsys/libsys.c lib/format.c lib/vmx_names.c \
             lib/cmdline_parse.c root/bench/bench.c
ROOT_ASMS := root/crt0.S
# Test modes (test=hypercalls, test=fuzz): root/tests/.
ROOT_SRCS += root/tests/common.c root/tests/hypercalls.c root/tests/threads.c root/tests/fuzz.c
ROOT_ASMS += root/tests/guest_code.S root/tests/thread_stubs.S

ROOT_OBJS := $(ROOT_SRCS:%.c=$(BUILD)/root/%.o) $(ROOT_ASMS:%.S=$(BUILD)/root/%.o)

.PHONY: root
root: $(BUILD)/root.elf

$(BUILD)/root/%.o: %.c root/root.mk | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ROOT_CFLAGS) -c $< -o $@

$(BUILD)/root/%.o: %.S root/root.mk | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ROOT_CFLAGS) -c $< -o $@

$(BUILD)/root.elf: $(ROOT_OBJS) root/root.ld
	$(LD) $(ROOT_LDFLAGS) -o $@ $(ROOT_OBJS)

# The host unit tests include the root task's headers.
$(ROOT_UNIT_SRCS:%.c=$(BUILD)/host/%.o) $(BUILD)/host/tests/unit/test_uart16550.o \
$(BUILD)/host/tests/unit/test_guest_loader.o: HOST_CFLAGS += -Iroot/include

-include $(ROOT_OBJS:.o=.d)
