# UEFI loader BOOTX64.EFI (GNU-EFI application). Included by the top Makefile,
# which provides BUILD, CC, LD and DEPS.

EFI_INC     := /usr/include/efi
EFI_LIBDIR  := /usr/lib
EFI_CRT0    := $(EFI_LIBDIR)/crt0-efi-x86_64.o
EFI_LDS     := $(EFI_LIBDIR)/elf_x86_64_efi.lds
OBJCOPY     ?= objcopy
OBJDUMP     ?= objdump

EFI_CFLAGS  := -std=c11 -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iinclude -Ilib/include -Iboot/include -fpic -fshort-wchar \
               -fno-stack-protector -mno-red-zone -ffreestanding -maccumulate-outgoing-args \
               -DGNU_EFI_USE_MS_ABI -Wall -Wextra -Werror -O2 -MMD -MP
EFI_LDFLAGS := -shared -Bsymbolic -nostdlib -T $(EFI_LDS)
EFI_SECTIONS := .text .sdata .data .rodata .dynamic .dynsym .rel .rela .rel.* .rela.* .reloc

EFI_SRCS    := boot/efi/loader.c boot/efi/con.c boot/efi/fs.c boot/efi/cfg.c \
               lib/kelf.c boot/bootinfo_build.c
EFI_OBJS    := $(EFI_SRCS:%.c=$(BUILD)/efi/%.o)

efi: $(BUILD)/BOOTX64.EFI

$(BUILD)/efi/%.o: %.c boot/efi/efi.mk | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/loader.so: $(EFI_OBJS) boot/efi/efi.mk
	$(LD) $(EFI_LDFLAGS) $(EFI_CRT0) $(EFI_OBJS) -L$(EFI_LIBDIR) -lefi -lgnuefi -o $@

# PE32+ EFI application (subsystem 10). Refuse to leave a non-PE file behind.
$(BUILD)/BOOTX64.EFI: $(BUILD)/efi/loader.so
	$(OBJCOPY) $(foreach s,$(EFI_SECTIONS),-j '$(s)') --target efi-app-x86_64 \
		--subsystem=10 $< $@.tmp
	@$(OBJDUMP) -h $@.tmp | grep -q 'file format pei-x86-64' || \
		{ echo "efi.mk: $@ is not a PE32+ x86_64 image" >&2; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

-include $(EFI_OBJS:.o=.d)
