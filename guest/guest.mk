# guest/guest.mk - the test guests: nasm flat binaries (see guest/PROTOCOL.md),
# org 0x8000, as $(BUILD)/guest/NAME.bin, and the C guests below. Included from
# the top-level Makefile (BUILD, NASM, CC, LD, FREESTANDING_INC, DEPS).
#   make guests    build all of them into $(BUILD)/guest/

GUEST_NAMES := demo hello vmcall_loop cpuid_loop out_loop mmio_loop hlt_irq realmode long64 \
               triple_fault bad_cr0 ud beyond_ram ept_scan benchio spin_loop cpu_model lapic \
               lapic_bench cr8

GUEST_BINS := $(GUEST_NAMES:%=$(BUILD)/guest/%.bin)

$(BUILD)/guest/%.bin: guest/%.asm guest/lib.inc | $(DEPS)
	@mkdir -p $(dir $@)
	$(NASM) -f bin -Iguest/ -o $@ $<

# C guests (see guest/c/README.md): 32-bit Multiboot v1 ELF kernels on a small
# runtime, $(BUILD)/guest/NAME.elf. A guest's base address is 1 MiB unless
# GUEST_BASE_NAME says otherwise (--defsym, which must come before -T to count).
# mb_big's two boot modules are the files guest/data/mod1 and mod2.
GUEST_C_NAMES := mb_big fwcfg acpi_s5 probe chaosio pic_pit calib rtc ioapic_level uart_echo idle
GUEST_ELFS := $(GUEST_C_NAMES:%=$(BUILD)/guest/%.elf)
# What scripts/mkiso.sh and mkesp.sh put on every image.
GUEST_IMAGES := $(GUEST_BINS) $(GUEST_ELFS)
GUEST_BASE_mb_big := 0x400000

GUEST_RT_OBJS := $(addprefix $(BUILD)/guest/c/,entry.o rt.o rt_fmt.o rt_lib.o mb_util.o pc.o)
# -fno-builtin and no loop-to-memset rewriting: rt_lib.c's memset must not call itself.
GUEST_CFLAGS := -m32 -march=i686 -std=c11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
                -nostdlib -mgeneral-regs-only -fno-builtin -fno-tree-loop-distribute-patterns \
                -fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra -Werror -MMD -MP \
                $(FREESTANDING_INC) -Iguest/c
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack

$(BUILD)/guest/c/%.o: guest/c/%.c guest/guest.mk | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/c/%.o: guest/c/%.S guest/guest.mk | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/%.elf: $(BUILD)/guest/c/%.o $(GUEST_RT_OBJS) guest/c/guest.ld
	$(LD) $(GUEST_LDFLAGS) $(if $(GUEST_BASE_$*),--defsym GUEST_BASE=$(GUEST_BASE_$*)) \
	    -T guest/c/guest.ld -o $@ $< $(GUEST_RT_OBJS)

.PHONY: guests
guests: $(GUEST_BINS) $(GUEST_ELFS)

-include $(wildcard $(BUILD)/guest/c/*.d)
# Keep the objects (make would delete them as intermediates of the pattern rules).
.SECONDARY: $(GUEST_RT_OBJS) $(GUEST_C_NAMES:%=$(BUILD)/guest/c/%.o)
