# Microhypervisor build. Everything lands in build/.
#   make run    build, install missing packages, boot in the best emulator
#   make test   host unit tests + emulator integration tests
#   make layers check that no folder includes or calls upward
BUILD   := build
CC      := gcc
LD      := ld
NASM    := nasm
DEPS    := $(BUILD)/.deps-ok

# ---- kernel ---------------------------------------------------------------
# The floor plan, bottom up: a folder may include and call only its own layer
# and the layers before it. Each layer's headers live in <folder>/include/, and
# a layer is compiled with -I for itself and the layers below only, so an
# upward include does not build. include/ holds the contracts everyone shares:
# the hypercall ABI (include/hv/) and the loader hand-over (boot_info.h).
LAYERS := lib arch/x86 mm vmx kernel object syscall boot
# -I flags of layer number $(1) (1-based) and all below it.
layer_inc = -Iinclude $(foreach l,$(wordlist 1,$(1),$(LAYERS)),-I$(l)/include)

# Freestanding code sees the compiler's own headers (stdint.h, stddef.h, stdbool.h,
# stdarg.h) and no C library: a quoted include like "sched.h" can never fall through
# to the host's /usr/include when the layer's folder does not have it.
FREESTANDING_INC := -nostdinc -isystem $(shell $(CC) -print-file-name=include)
KCFLAGS := -std=c11 -ffreestanding -mno-red-zone -mgeneral-regs-only -fno-pic -fno-pie \
           -mcmodel=small -fno-stack-protector -fno-omit-frame-pointer \
           -fno-asynchronous-unwind-tables -fno-builtin -O2 -g \
           -Wall -Wextra -Werror -MMD -MP $(FREESTANDING_INC)
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld

# Sources by wildcard per folder: a new file needs no list. A layer's
# asm_offsets.c is not kernel code (see "constants shared with the assembly").
ASM_OFFSETS_SRCS := $(foreach l,$(LAYERS),$(wildcard $(l)/asm_offsets.c))
KERNEL_SRCS := $(filter-out $(ASM_OFFSETS_SRCS),$(foreach l,$(LAYERS),$(wildcard $(l)/*.c)))
KERNEL_ASMS := $(foreach l,$(LAYERS),$(wildcard $(l)/*.asm))
KOBJS := $(KERNEL_SRCS:%.c=$(BUILD)/k/%.o) $(KERNEL_ASMS:%.asm=$(BUILD)/k/%.o)
# The kernel's own tests (test=vmx, test=bench) are linked into the test kernel only.
KTEST_SRCS := $(wildcard tests/kernel/*.c)
KTEST_OBJS := $(KTEST_SRCS:%.c=$(BUILD)/k/%.o)

# Pure logic: compiled into the kernel and into the host unit tests.
PURE_SRCS := lib/acpi_checksum.c lib/byte_ring.c lib/rtc_calendar.c lib/format.c lib/cmdline_parse.c lib/vmx_names.c lib/kelf.c \
             boot/bootinfo_build.c boot/mb2_parse.c arch/x86/acpi_tables.c arch/x86/ioapic_route.c arch/x86/rtc_decode.c \
             mm/frame_alloc.c mm/heap.c mm/ept.c vmx/vmx_caps.c vmx/insn_decode.c \
             vmx/guest_walk.c vmx/cpu_model.c vmx/vlapic.c object/handle_table.c object/trap_map.c

.PHONY: all kernel efi iso esp run test unit integration bench debug clean deps layers
all: $(BUILD)/kernel.elf $(BUILD)/kernel-test.elf $(BUILD)/BOOTX64.EFI $(BUILD)/root.elf \
     $(BUILD)/root-test.elf guests iso esp

kernel: $(BUILD)/kernel.elf

$(DEPS): scripts/deps.sh
	@mkdir -p $(BUILD)
	@bash scripts/deps.sh
	@touch $@
deps:
	@bash scripts/deps.sh

# ---- constants shared with the assembly --------------------------------------
# Struct offsets, VMCS encodings and the like are defined once, in C: a
# layer's asm_offsets.c names them with ASM_CONST (lib/include/asm_offsets.h),
# is compiled with -S (never linked), and its markers become NASM %defines in
# $(BUILD)/gen/<layer>/<name>_offsets.inc (vmx_offsets.inc, arch_offsets.inc).
# A layer's .asm files find the generated includes of their own layer and the
# layers below, as its C files do the headers. Dependencies: gcc -MMD for the
# headers behind an .inc, nasm -M for the .incs behind an object (a pass of
# its own: nasm 2.16.01's -MD leaves included files out).
gen_inc = $(BUILD)/gen/$(1)/$(firstword $(subst /, ,$(1)))_offsets.inc
GEN_INCS := $(foreach s,$(ASM_OFFSETS_SRCS),$(call gen_inc,$(s:%/asm_offsets.c=%)))
# nasm -I flags and generated includes of layer number $(1) and all below it.
layer_asm_inc = -Iinclude/ $(foreach l,$(wordlist 1,$(1),$(LAYERS)),-I$(BUILD)/gen/$(l)/)
layer_gen_incs = $(filter $(foreach l,$(wordlist 1,$(1),$(LAYERS)),$(call gen_inc,$(l))),$(GEN_INCS))

# Include paths by layer (tests/kernel sees every layer). An .asm object waits
# for the generated includes it may use (order-only; nasm -M then names them).
$(foreach i,$(shell seq 1 $(words $(LAYERS))),\
  $(eval $(BUILD)/k/$(word $(i),$(LAYERS))/%.o: KINC := $(call layer_inc,$(i)))\
  $(eval $(BUILD)/k/$(word $(i),$(LAYERS))/%.o: ASMINC := $(call layer_asm_inc,$(i)))\
  $(if $(filter $(word $(i),$(LAYERS))/asm_offsets.c,$(ASM_OFFSETS_SRCS)),\
    $(eval $(call gen_inc,$(word $(i),$(LAYERS))): KINC := $(call layer_inc,$(i)))\
    $(eval $(call gen_inc,$(word $(i),$(LAYERS))): $(word $(i),$(LAYERS))/asm_offsets.c))\
  $(eval $(patsubst %.asm,$(BUILD)/k/%.o,$(wildcard $(word $(i),$(LAYERS))/*.asm)): | \
    $(call layer_gen_incs,$(i))))
$(BUILD)/k/tests/kernel/%.o: KINC := $(call layer_inc,$(words $(LAYERS)))

# The markers in the compiler's output: .ascii "->NAME value expression".
GEN_SED := -e 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Za-z_][A-Za-z0-9_]*\) \(-\{0,1\}[0-9][0-9]*\) \1"$$/%define \1 \2/p' \
           -e t \
           -e 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Za-z_][A-Za-z0-9_]*\) \(-\{0,1\}[0-9][0-9]*\) \(.*\)"$$/%define \1 \2\t; \3/p'
$(GEN_INCS): Makefile | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(KINC) -MT $@ -MF $(@:.inc=.d) -S $(filter %.c,$^) -o $(@:.inc=.s)
	@{ echo '; generated from $(filter %.c,$^), do not edit'; sed -n $(GEN_SED) $(@:.inc=.s); } > $@.tmp
	@test "$$(grep -c '"->' $(@:.inc=.s))" = "$$(grep -c '^%define' $@.tmp)" || \
	  { echo "$@: a marker in $(@:.inc=.s) did not convert" >&2; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

# The VM-exit fast path: leaf handlers skip the frame-pointer set-up (a fault
# there shows the faulting rip, but its caller, vmx_handle_exit, is not listed).
$(BUILD)/k/vmx/exit.o $(BUILD)/k/vmx/emulate.o: KCFLAGS += -momit-leaf-frame-pointer

$(BUILD)/k/%.o: %.c Makefile | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(KINC) -c $< -o $@

$(BUILD)/k/%.o: %.asm Makefile | $(DEPS)
	@mkdir -p $(dir $@)
	@$(NASM) $(ASMINC) -M -MP -MT $@ -MF $(@:.o=.d) $<
	$(NASM) -f elf64 -g -F dwarf $(ASMINC) $< -o $@

$(BUILD)/kernel.elf: $(KOBJS) linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJS)

$(BUILD)/kernel-test.elf: $(KOBJS) $(KTEST_OBJS) linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(KTEST_OBJS)

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
$(BUILD)/hv.iso: $(BUILD)/kernel.elf $(BUILD)/root.elf $(GUEST_IMAGES) scripts/mkiso.sh | $(DEPS)
	bash scripts/mkiso.sh $@ "$(CMDLINE)"

esp: $(BUILD)/esp/.stamp
$(BUILD)/esp/.stamp: $(BUILD)/kernel.elf $(BUILD)/BOOTX64.EFI $(BUILD)/root.elf $(GUEST_IMAGES) scripts/mkesp.sh
	bash scripts/mkesp.sh $(BUILD)/esp "$(CMDLINE)"
	@touch $@

# ---- run / debug ------------------------------------------------------------
EMU ?= auto
# make run GUEST=kernel.elf [GUEST_ARGS="..."] [GUEST_MEM=MiB] [GUEST_MODULES="f[=args] ..."] [GUEST_STATS=1]
# runs that kernel under hv instead of the demo; make's status is the guest's.
export GUEST GUEST_ARGS GUEST_MEM GUEST_MODULES GUEST_CPUS GUEST_TIMEOUT GUEST_STATS
run: $(BUILD)/hv.iso esp
	bash scripts/run.sh $(EMU)

# Bench boots run the test kernel and the test root image (root/root.mk).
bench: $(BUILD)/kernel-test.elf $(BUILD)/root-test.elf $(BUILD)/hv.iso esp $(GUEST_BINS) | $(DEPS)
	bash scripts/bench.sh

debug: $(BUILD)/kernel.elf esp
	bash scripts/debug.sh

# ---- tests --------------------------------------------------------------------
HOST_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror $(call layer_inc,$(words $(LAYERS))) \
               -Iboot/efi -Iroot/include -fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP
# The EFI loader's parsers are pure too, but not part of the kernel.
UNIT_SRCS := $(wildcard tests/unit/*.c) $(PURE_SRCS) boot/efi/cfg.c $(ROOT_UNIT_SRCS)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/host/%.o)
# The DSDT's AML, generated by iasl (root/root.mk).
$(BUILD)/host/root/vmm/acpi_dsdt.o: $(ACPI_DSDT_HEX)
$(BUILD)/host/root/vmm/acpi_dsdt.o: HOST_CFLAGS += -I$(BUILD)/gen/root
# The Hypervisor.framework API headers (root/root.mk), strict C11.
$(BUILD)/host/tests/unit/test_hvf_headers.o: HOST_CFLAGS += $(HVF_INC) -pedantic

$(BUILD)/host/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/unit_tests: $(UNIT_OBJS)
	$(CC) $(HOST_CFLAGS) -o $@ $(UNIT_OBJS)

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

# The floor plan, checked on the sources and the built objects: no include,
# symbol reference or VMCS access runs upward (tests/layers.py). Also a test.
LAYERS_ENV = LAYERS='$(LAYERS)' KOBJS='$(KOBJS)' ROOT_OBJS='$(ROOT_OBJS) $(ROOT_TEST_OBJS)'
layers: $(KOBJS) $(ROOT_OBJS) $(ROOT_TEST_OBJS)
	@$(LAYERS_ENV) python3 tests/layers.py

test: all $(BUILD)/unit_tests
	@echo bash tests/run_all.sh
	@$(LAYERS_ENV) bash tests/run_all.sh

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d) $(KTEST_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(GEN_INCS:.inc=.d)
