/*
 * The snapshot file format (docs/architecture/snapshots.md). Little-endian,
 * host layout (x86_64 only for now). Any change to a struct or a section
 * payload bumps SNAP_VERSION: there is no compatibility across versions,
 * and a different version is refused with one line.
 *
 *   header (struct snap_hdr, hdr_size bytes)
 *   section*: struct snap_sec, then `len` payload bytes, padded to 8
 *
 * crc is zlib's crc32 of the whole file (file_size bytes) with the crc field
 * itself read as zero.
 */
#ifndef VIBE_SNAPSHOT_FORMAT_H
#define VIBE_SNAPSHOT_FORMAT_H

#include <stdint.h>

#define SNAP_MAGIC   "VIBESNAP"
#define SNAP_VERSION 1u
#define SNAP_PAGE    4096u

struct snap_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;       /* sizeof(struct snap_hdr) */
	uint64_t file_size;      /* the whole file: truncation check */
	uint32_t crc;
	uint32_t nsections;
	uint32_t arch;           /* enum vibe_arch */
	uint32_t reserved;
	char machine_hash[72];   /* vibe_machine.source_hash, NUL-padded */
	char machine_name[64];   /* for messages only */
	uint64_t created;        /* Unix time, informational */
};

enum snap_sec_type {
	SEC_CONFIG = 1, /* struct snap_config + nram u64 RAM sizes */
	SEC_HV_VM = 2,  /* hv_vm_save() blob */
	SEC_VCPU = 3,   /* index = vCPU; hv_x86_save_vcpu() blob */
	SEC_DEV = 4,    /* index = device; char type[32], then the device's blob */
	SEC_RAM = 5,    /* index = RAM region; struct snap_ram, bitmap, pages */
	SEC_CMDLINE = 6, /* the run's --cmdline (NUL-terminated): restore gives
			  * console_input_hint() the same words, so stdin goes
			  * to the same console as in the saved run */
};

struct snap_sec {
	uint32_t type;
	uint32_t index;
	uint64_t len; /* payload bytes, before padding */
};

struct snap_config {
	uint32_t nvcpus, nram, ndevs, has_irqchip;
};

/* Guest RAM: one bit per 4 KiB page (set: the page follows), then the set
 * pages in address order. Only pages that were ever touched (resident,
 * mincore(2)) and are not all zero are stored. */
struct snap_ram {
	uint64_t base, size, npages_stored;
};

#define SNAP_DEV_TYPE_LEN 32

#endif
