/*
 * Booting a Linux kernel (x86_64): the glue between the VM and the pure
 * building blocks in runtime/arch/x86_64/ (bzimage, boot_params, acpi,
 * cpuid, linux_entry). docs/guides/boot-linux.md has the memory map.
 */
#ifndef VIBE_LINUX_BOOT_H
#define VIBE_LINUX_BOOT_H

struct vibe_vm;

struct vibe_blob;

struct vibe_linux_opts {
	const char *kernel;   /* bzImage or vmlinux ELF */
	const char *initrd;   /* NULL: none */
	const char *cmdline;  /* complete (see vibe_linux_cmdline); NULL = empty */
	/* Images in memory (an appliance's payload, vibe/appliance.h): when
	 * set, used instead of the file named above. */
	const struct vibe_blob *kernel_blob, *initrd_blob;
};

/* Call after vibe_vm_setup() (with want_irqchip = 1) and before
 * vibe_vm_run(). Loads kernel and initrd, writes the zero page, command
 * line, ACPI tables and entry page tables, and sets every vCPU's reset
 * MSRs and the boot vCPU's registers (the others wait for INIT/SIPI in the
 * in-kernel LAPIC; CPUID was set by arch_vcpu_init()). Returns 0, 1 for
 * bad input (one clear line logged:
 * unreadable or corrupt kernel, RAM too small, command line too long) or
 * 2 for a VMM failure. */
int vibe_linux_boot(struct vibe_vm *vm, const struct vibe_linux_opts *o);

/* The machine file's boot.cmdline followed by the user's --cmdline,
 * space-separated (either may be NULL). malloc'd; NULL if out of memory. */
char *vibe_linux_cmdline(const char *machine, const char *extra);

#endif
