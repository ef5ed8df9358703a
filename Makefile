# Microhypervisor build. Everything lands in build/.
#   make run    build, install missing packages, boot in the best emulator
#   make test   host unit tests + emulator integration tests
BUILD   := build
CC      := gcc
LD      := ld
NASM    := nasm
DEPS    := $(BUILD)/.deps-ok

# ---- kernel ---------------------------------------------------------------
KCFLAGS := -std=c11 -ffreestanding -mno-red-zone -mgeneral-regs-only -fno-pic -fno-pie \
           -mcmodel=small -fno-stack-protector -fno-omit-frame-pointer \
           -fno-asynchronous-unwind-tables -fno-builtin -O2 -g \
           -Wall -Wextra -Werror -Iinclude -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld

# Pure logic: compiled into the kernel and into the host unit tests.
PURE_SRCS := boot/bootinfo_build.c boot/mb2_parse.c kernel/format.c kernel/cmdline_parse.c \
             mm/frame_alloc.c mm/heap.c kernel/acpi_tables.c vmx/vmx_caps.c \
             mm/ept.c vmx/insn_decode.c vmx/guest_walk.c vmx/vmx_names.c boot/kelf.c \
             kernel/handle_table.c
KERNEL_SRCS := $(PURE_SRCS) boot/boot_main.c kernel/main.c kernel/console.c kernel/cmdline.c \
               kernel/shutdown.c kernel/pic.c kernel/string.c kernel/gdt.c kernel/idt.c kernel/trap.c kernel/lapic.c \
               kernel/acpi.c mm/memory.c mm/paging.c vmx/vmx_on.c vmx/vmcs.c vmx/vmx_setup.c \
               vmx/vcpu.c vmx/event.c vmx/exit.c vmx/emulate.c vmx/vm.c vmx/diagnose.c \
               vmx/vmx_selftest.c kernel/percpu.c kernel/process.c kernel/root_task.c \
               kernel/syscall.c kernel/sys_guest.c mm/vspace.c kernel/sched.c kernel/port.c \
               kernel/sys_thread.c
KERNEL_ASMS := boot/mb2_entry.asm boot/entry64.asm kernel/isr.asm vmx/entry.asm \
               kernel/syscall_entry.asm kernel/switch.asm

KOBJS := $(KERNEL_SRCS:%.c=$(BUILD)/k/%.o) $(KERNEL_ASMS:%.asm=$(BUILD)/k/%.o)

.PHONY: all kernel efi iso esp run test unit integration bench debug clean deps
all: $(BUILD)/kernel.elf $(BUILD)/BOOTX64.EFI $(BUILD)/root.elf guests iso esp

kernel: $(BUILD)/kernel.elf

$(DEPS): scripts/deps.sh
	@mkdir -p $(BUILD)
	@bash scripts/deps.sh
	@touch $@
deps:
	@bash scripts/deps.sh

# The VM-exit fast path: leaf handlers skip the frame-pointer set-up (a fault
# there shows the faulting rip, but its caller, vmx_handle_exit, is not listed).
$(BUILD)/k/vmx/exit.o $(BUILD)/k/vmx/emulate.o: KCFLAGS += -momit-leaf-frame-pointer

$(BUILD)/k/%.o: %.c Makefile | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.o: %.asm Makefile | $(DEPS)
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -g -F dwarf -Iinclude/ $< -o $@

$(BUILD)/kernel.elf: $(KOBJS) linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJS)

# ---- EFI loader -------------------------------------------------------------
include boot/efi/efi.mk

# ---- test guests --------------------------------------------------------------
include guest/guest.mk

# ---- the root task (ring 3 VMM) ---------------------------------------------------
include root/root.mk

# ---- images -----------------------------------------------------------------
# guest=NAME: the boot module guest:NAME the root task's VMM runs.
CMDLINE ?= console=com1 log=info guest=demo

iso: $(BUILD)/hv.iso
$(BUILD)/hv.iso: $(BUILD)/kernel.elf $(BUILD)/root.elf $(GUEST_BINS) scripts/mkiso.sh | $(DEPS)
	bash scripts/mkiso.sh $@ "$(CMDLINE)"

esp: $(BUILD)/esp/.stamp
$(BUILD)/esp/.stamp: $(BUILD)/kernel.elf $(BUILD)/BOOTX64.EFI $(BUILD)/root.elf $(GUEST_BINS) scripts/mkesp.sh
	bash scripts/mkesp.sh $(BUILD)/esp "$(CMDLINE)"
	@touch $@

# ---- run / debug ------------------------------------------------------------
EMU ?= auto
run: $(BUILD)/hv.iso esp
	bash scripts/run.sh $(EMU)

bench: $(BUILD)/kernel.elf $(BUILD)/root.elf $(GUEST_BINS) | $(DEPS)
	bash scripts/bench.sh

debug: $(BUILD)/kernel.elf esp
	bash scripts/debug.sh

# ---- tests --------------------------------------------------------------------
HOST_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Iinclude -Iboot/efi -fsanitize=address,undefined \
               -fno-sanitize-recover=all -MMD -MP
# The EFI loader's parsers are pure too, but not part of the kernel.
UNIT_SRCS := $(wildcard tests/unit/*.c) $(PURE_SRCS) boot/efi/cfg.c $(ROOT_UNIT_SRCS)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/host/%.o)

$(BUILD)/host/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/unit_tests: $(UNIT_OBJS)
	$(CC) $(HOST_CFLAGS) -o $@ $(UNIT_OBJS)

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

test: all $(BUILD)/unit_tests
	bash tests/run_all.sh

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d) $(UNIT_OBJS:.o=.d)
