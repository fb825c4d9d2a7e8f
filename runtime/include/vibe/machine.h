/*
 * The contract between vibegen's output and the runtime.
 *
 * vibegen compiles a machine file into build/gen/<machine>/machine.c, which
 * defines `vibe_machine` and the three decode functions declared below, and
 * machine.h, which includes this header and adds VIBE_NUM_* constants so the
 * runtime can size its arrays at compile time.
 *
 * Nothing here is searched at run time: the decode functions are generated
 * nested comparisons on constant boundaries (see docs/architecture/architecture.md).
 * Bump VIBE_GEN_ABI whenever a struct below changes; generated code checks it.
 */
#ifndef VIBE_MACHINE_H
#define VIBE_MACHINE_H

#include <stdint.h>
#include <stddef.h>

#define VIBE_GEN_ABI 1

enum vibe_arch { VIBE_ARCH_X86_64 = 1, VIBE_ARCH_ARM64 = 2 };
enum vibe_space { VIBE_SPACE_MMIO = 1, VIBE_SPACE_PIO = 2 };

/* RAM region flags (machine file: memory[].options). */
#define VIBE_RAM_HUGEPAGES 0x1u /* back with MAP_HUGETLB; error if unavailable */
#define VIBE_RAM_PREFAULT  0x2u /* MAP_POPULATE at start-up */
#define VIBE_RAM_READONLY  0x4u /* KVM_MEM_READONLY slot: guest writes exit as MMIO */
#define VIBE_RAM_RESIZABLE 0x8u /* --mem sets its size, up to max_size */

struct vibe_ram_desc {
	const char *name;
	uint64_t base;     /* guest-physical */
	uint64_t size;     /* default size in bytes */
	uint64_t max_size; /* == size unless RESIZABLE; decode boundaries use this */
	uint32_t flags;
	const char *rom_file; /* NULL, or a file whose bytes are loaded at base */
	const char *src;      /* "machines/virt.yaml:12" */
};

enum vibe_prop_kind { VIBE_PROP_U64 = 1, VIBE_PROP_STR = 2, VIBE_PROP_BOOL = 3 };

/* A type-specific device property, defaults already applied by vibegen. */
struct vibe_prop {
	const char *key;
	enum vibe_prop_kind kind;
	uint64_t u; /* U64 and BOOL */
	const char *s; /* STR */
};

struct vibe_device_ops; /* runtime/include/vibe/device.h */

struct vibe_dev_desc {
	const char *name;
	const char *type; /* "uart8250", "virtio-blk", ... */
	/* &vibe_dev_<type>_ops ('-' becomes '_'): referencing it is what links
	 * the device's code, so a machine links only the devices it declares. */
	const struct vibe_device_ops *ops;
	enum vibe_space space;
	uint64_t base, size;
	int irq; /* -1: none */
	const struct vibe_prop *props;
	unsigned nprops;
	const char *src;
};

struct vibe_vcpu_desc {
	unsigned id;
	int has_entry;  /* per-vCPU entry point (raw binaries: secondary vCPUs) */
	uint64_t entry;
	const char *src;
};

struct vibe_boot_desc {
	const char *kernel;  /* NULL when absent */
	const char *initrd;
	const char *cmdline;
	const char *mode;    /* "long", "protected", "real" (raw binaries); NULL = default */
	int has_entry;
	uint64_t entry;
	int has_load_addr;
	uint64_t load_addr;
};

struct vibe_machine_desc {
	unsigned abi;         /* VIBE_GEN_ABI at generation time */
	const char *name;     /* machine name (file stem or `name:` key) */
	const char *source;   /* path of the machine file as given to vibegen */
	const char *source_hash; /* sha256 hex of the machine file */
	enum vibe_arch arch;
	unsigned phys_bits;   /* guest physical address width */
	unsigned nvcpus;
	const struct vibe_vcpu_desc *vcpus;
	unsigned nram;
	const struct vibe_ram_desc *ram;  /* sorted by base */
	unsigned ndevs;
	const struct vibe_dev_desc *devs; /* sorted: MMIO by base, then PIO by base */
	struct vibe_boot_desc boot;
	uint64_t mmio_window_base, mmio_window_size; /* where auto-placed devices go */
};

extern const struct vibe_machine_desc vibe_machine;

/* Index into vibe_machine.ram whose [base, base+max_size) holds gpa, or -1. */
int vibe_decode_ram(uint64_t gpa);
/* Index into vibe_machine.devs of the MMIO device holding gpa, or -1. */
int vibe_decode_mmio(uint64_t gpa);
/* Index into vibe_machine.devs of the port-I/O device holding port, or -1.
 * Always -1 on arm64. */
int vibe_decode_pio(uint64_t port);

#endif
