# guest/guest.mk - the test guests (see guest/PROTOCOL.md): nasm flat
# binaries, org 0x8000. Included from the top-level Makefile, which defines
# BUILD, NASM and the order-only prerequisite DEPS.
#   make guests    build all of them into $(BUILD)/guest/NAME.bin

GUEST_NAMES := demo hello vmcall_loop cpuid_loop out_loop mmio_loop hlt_irq realmode long64 \
               triple_fault bad_cr0 ud beyond_ram ept_scan spin_loop cpu_model

GUEST_BINS := $(GUEST_NAMES:%=$(BUILD)/guest/%.bin)

$(BUILD)/guest/%.bin: guest/%.asm guest/lib.inc | $(DEPS)
	@mkdir -p $(dir $@)
	$(NASM) -f bin -Iguest/ -o $@ $<

.PHONY: guests
guests: $(GUEST_BINS)
