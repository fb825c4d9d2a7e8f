/*
 * vibegen's machine model: what the front end (parse.c, validate.c, layout.c)
 * hands to the emitters (emit_*.c), fully resolved: every expression
 * evaluated, defaults applied, auto-placed devices given a base and IRQ,
 * arrays sorted by address. Every entry keeps the YAML position it came
 * from so emitters can point generated code back at the user's file.
 */
#ifndef VIBEGEN_MODEL_H
#define VIBEGEN_MODEL_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

struct loc { int line, col; }; /* 1-based; 0 = unknown */

enum m_arch { M_ARCH_X86_64 = 1, M_ARCH_ARM64 = 2 }; /* == enum vibe_arch */
enum m_space { M_SPACE_MMIO = 1, M_SPACE_PIO = 2 };  /* == enum vibe_space */

/* RAM flags: same bits as VIBE_RAM_* in runtime/include/vibe/machine.h */
#define M_RAM_HUGEPAGES 0x1u
#define M_RAM_PREFAULT  0x2u
#define M_RAM_READONLY  0x4u
#define M_RAM_RESIZABLE 0x8u

enum m_prop_kind { M_PROP_U64 = 1, M_PROP_STR = 2, M_PROP_BOOL = 3 };

/* A property a device type accepts (the compiler's type table). */
struct prop_def {
	const char *key;
	enum m_prop_kind kind;
	bool required;
	uint64_t dflt_u;     /* default for U64/BOOL when !required */
	const char *dflt_s;  /* default for STR, NULL = none */
	const char *doc;     /* one line, used by --emit-schema and docs */
};

/* One row of the device type table (devtypes.c): the only place a device
 * type is described to the compiler. */
struct dev_type {
	const char *name;      /* "virtio-blk" */
	const char *c_ident;   /* "virtio_blk": runtime symbol vibe_dev_<c_ident>_ops */
	unsigned arch_mask;    /* 1u << M_ARCH_X86_64 | 1u << M_ARCH_ARM64 */
	unsigned space_mask;   /* 1u << M_SPACE_MMIO | 1u << M_SPACE_PIO */
	uint64_t size;         /* required size (0 = any, then `size:` is required) */
	uint64_t align;        /* required base alignment */
	int irq;               /* 0 = no irq, 1 = optional, 2 = required (auto-assigned if absent) */
	const struct prop_def *props;
	const char *doc;
	/* Added by the front end (appended, so existing initialisers still work): */
	uint64_t size_per_vcpu; /* size grows by this per vCPU (gicv3 redistributors) */
	int default_irq;        /* irq used when optional and absent; 0 = none */
};

extern const struct dev_type dev_types[];
extern const unsigned dev_types_count;
const struct dev_type *dev_type_find(const char *name);

struct m_prop {
	const char *key;
	enum m_prop_kind kind;
	uint64_t u;
	const char *s;
	struct loc loc;
};

struct m_ram {
	const char *name;
	uint64_t base, size, max_size; /* max_size == size unless RESIZABLE */
	unsigned flags;
	const char *rom_file; /* NULL or path as written */
	struct loc loc;
};

struct m_dev {
	const char *name;
	const struct dev_type *type;
	enum m_space space;
	uint64_t base, size;
	int irq; /* -1 none */
	bool auto_base, auto_irq; /* placed by layout.c, for --map */
	struct m_prop *props;
	unsigned nprops;
	struct loc loc;
};

struct m_vcpu {
	unsigned id;
	bool has_entry;
	uint64_t entry;
	struct loc loc;
};

struct m_boot {
	const char *kernel, *initrd, *cmdline, *mode;
	bool has_entry, has_load_addr;
	uint64_t entry, load_addr;
	struct loc loc;
	struct loc kernel_loc, initrd_loc; /* their values: appliance payload errors */
};

/* vibegen --appliance: one file embedded in the binary (compiler/appliance.c). */
struct m_payload {
	const char *kind;  /* "kernel", "initrd" or "disk" */
	const char *path;  /* as written in the machine file */
	char *abspath;     /* resolved at generation time, for .incbin and make */
	uint64_t size;
	int dev;           /* disk: index into devs (the virtio-blk it seeds); else -1 */
	struct loc loc;
};

struct machine {
	const char *file;        /* path as given on the command line */
	const char *name;        /* `name:` or the file's stem */
	char sha256[65];         /* of the file's bytes */
	enum m_arch arch;
	unsigned phys_bits;
	unsigned nvcpus;
	struct m_vcpu *vcpus;
	unsigned nram;
	struct m_ram *ram;       /* sorted by base */
	unsigned ndevs;
	struct m_dev *devs;      /* sorted: MMIO by base, then PIO by base */
	struct m_boot boot;
	uint64_t mmio_base, mmio_size; /* window for auto-placement */
	/* vibegen --appliance only (appliance_resolve), else 0/NULL */
	unsigned npayloads;
	struct m_payload *payloads;
	void *priv;              /* front end's allocations, released by machine_free() */
};

/* Front end: parse, validate, lay out. Returns 0 with *out filled, or the
 * number of errors (already printed through diag.h), or -1 when the file
 * cannot be read at all (also printed; vibegen exits 2 then, not 1). */
int machine_load(const char *path, struct machine *out);
/* The same on bytes in memory (the fuzzer, tests): `name` stands for the
 * path in diagnostics and gives the default machine name; it must outlive
 * *out. data is copied; it need not be NUL-terminated. */
int machine_load_buffer(const char *name, const char *data, size_t len, struct machine *out);
/* Release what machine_load allocated (tests; sanitizer-clean exits). */
void machine_free(struct machine *m);

/* Emitters. Each writes to an open stream and returns 0 or -1. */
int emit_machine_c(const struct machine *m, FILE *out);  /* machine.c */
int emit_machine_h(const struct machine *m, FILE *out);  /* machine.h */
int emit_machine_mk(const struct machine *m, FILE *out); /* machine.mk: device list for make */
int emit_map(const struct machine *m, FILE *out);        /* --map */
int emit_dot(const struct machine *m, FILE *out);        /* --dot */
int emit_schema(FILE *out);                              /* --emit-schema */

/* appliance.c (vibegen --appliance): check and resolve the payload files,
 * reporting against the YAML (returns the error count, like machine_load);
 * then the extra outputs. appliance_free releases what resolve allocated. */
int appliance_resolve(struct machine *m);
int emit_payload_s(const struct machine *m, FILE *out);      /* payload.S */
int emit_appliance_c(const struct machine *m, FILE *out);    /* appliance.c */
int emit_appliance_mk(const struct machine *m, FILE *out);   /* machine.mk + VIBE_APPLIANCE* */
void appliance_free(struct machine *m);
/* load.c: report against m's file again after machine_load() (later passes). */
void machine_diag_reopen(const struct machine *m);

#endif
