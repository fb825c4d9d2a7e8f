/*
 * --restore FILE: check the snapshot as a whole before touching KVM, then
 * rebuild the VM as the saved run had it (same RAM sizes, irqchip or not)
 * and load every state into it. The file is mapped read-only; its checksum
 * is verified over all of it, so a flipped byte anywhere is refused, not
 * run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hv/hv.h"
#include "snapshot/format.h"
#include "snapshot/snapshot.h"
#include "vcpu.h"
#include "vibe/log.h"
#include "vm.h"

struct snapfile {
	const uint8_t *p;
	size_t size;
	const struct snap_hdr *h;
};

/* One line per refusal, naming the file and what is wrong with it. */
static int check(struct snapfile *f, const char *path)
{
	const struct snap_hdr *h = (const void *)f->p;
	if (f->size < 8 || memcmp(h->magic, SNAP_MAGIC, 8) != 0) {
		log_err("--restore %s: not a vibevmm snapshot (bad magic)", path);
		return -1;
	}
	if (f->size < sizeof(*h)) {
		log_err("--restore %s: truncated (%zu bytes, the header alone is %zu)", path, f->size,
			sizeof(*h));
		return -1;
	}
	if (h->version != SNAP_VERSION || h->hdr_size != sizeof(*h)) {
		log_err("--restore %s: snapshot format version %u, this vibevmm reads version %u", path,
			h->version, SNAP_VERSION);
		return -1;
	}
	if (h->file_size != f->size) {
		log_err("--restore %s: truncated or extended: %zu bytes, the snapshot has %llu", path,
			f->size, (unsigned long long)h->file_size);
		return -1;
	}
	struct snap_hdr copy = *h;
	copy.crc = 0;
	uLong c = crc32_z(crc32_z(0, NULL, 0), (const Bytef *)&copy, sizeof(copy));
	c = crc32_z(c, f->p + sizeof(copy), f->size - sizeof(copy));
	if ((uint32_t)c != h->crc) {
		log_err("--restore %s: corrupted (checksum 0x%08x, expected 0x%08x)", path, (unsigned)c,
			h->crc);
		return -1;
	}
	if (strncmp(h->machine_hash, vibe_machine.source_hash, sizeof(h->machine_hash)) != 0) {
		log_err("--restore %s: taken on machine '%.64s' (machine file sha256 %.12s...), this vibevmm is machine '%s' (%s, sha256 %.12s...)",
			path, h->machine_name, h->machine_hash, vibe_machine.name, vibe_machine.source,
			vibe_machine.source_hash);
		return -1;
	}
	f->h = h;
	return 0;
}

/* Walks the sections; returns the next one or NULL (end or malformed). */
static const struct snap_sec *next_sec(const struct snapfile *f, size_t *off, int *bad)
{
	if (*off >= f->size)
		return NULL;
	if (f->size - *off < sizeof(struct snap_sec)) {
		*bad = 1;
		return NULL;
	}
	const struct snap_sec *s = (const void *)(f->p + *off);
	uint64_t padded = (s->len + 7) & ~7ull;
	if (s->len > f->size || padded > f->size - *off - sizeof(*s)) {
		*bad = 1;
		return NULL;
	}
	*off += sizeof(*s) + padded;
	return s;
}

static int load_ram(struct vibe_vm *vm, const struct snap_sec *s)
{
	const uint8_t *p = (const uint8_t *)(s + 1);
	struct snap_ram h;
	if (s->index >= vm->m->nram || s->len < sizeof(h))
		return -1;
	memcpy(&h, p, sizeof(h));
	struct vibe_ram *r = &vm->ram[s->index];
	uint64_t npages = r->size / SNAP_PAGE, words = (npages + 63) / 64;
	if (h.size != r->size || h.base != vm->m->ram[s->index].base || h.npages_stored > npages ||
	    s->len != sizeof(h) + words * 8 + h.npages_stored * SNAP_PAGE)
		return -1;
	const uint64_t *bitmap = (const void *)(p + sizeof(h));
	const uint8_t *page = p + sizeof(h) + words * 8;
	uint64_t seen = 0;
	for (uint64_t i = 0; i < npages; i++) {
		if (!(bitmap[i / 64] >> (i % 64) & 1))
			continue;
		if (++seen > h.npages_stored)
			return -1;
		memcpy(r->hva + i * SNAP_PAGE, page, SNAP_PAGE);
		page += SNAP_PAGE;
	}
	return seen == h.npages_stored ? 0 : -1;
}

static int load_dev(struct vibe_vm *vm, const struct snap_sec *s)
{
	const uint8_t *p = (const uint8_t *)(s + 1);
	if (s->index >= vm->m->ndevs || s->len < SNAP_DEV_TYPE_LEN)
		return -1;
	const struct vibe_dev_desc *d = &vm->m->devs[s->index];
	if (strncmp((const char *)p, d->type, SNAP_DEV_TYPE_LEN) != 0)
		return -1;
	if (!d->ops || !d->ops->restore) {
		log_err("--restore: device %s (%s) has saved state but this vibevmm cannot restore it",
			d->name, d->type);
		return -2;
	}
	return d->ops->restore(&vm->devs[s->index], p + SNAP_DEV_TYPE_LEN,
			       s->len - SNAP_DEV_TYPE_LEN) < 0 ? -2 : 0;
}

/* Loads everything but the config into the set-up VM. Order: vCPUs and
 * RAM as they come, then the VM (irqchip, PIT, clock: after the vCPUs, see
 * hv.h), then the devices, so that a device re-raising an interrupt the
 * guest had not acknowledged raises it in the restored irqchip. */
static int load_all(struct vibe_vm *vm, const struct snapfile *f)
{
	size_t off = sizeof(struct snap_hdr);
	const struct snap_sec *s, *hv_vm = NULL;
	unsigned vcpus = 0;
	int bad = 0, rc = 0;

	while (!rc && (s = next_sec(f, &off, &bad))) {
		const void *payload = s + 1;
		switch (s->type) {
		case SEC_CONFIG:
		case SEC_CMDLINE:
			break;
		case SEC_HV_VM:
			hv_vm = s;
			break;
		case SEC_VCPU:
			if (s->index >= vm->nvcpus)
				rc = -1;
			else if (hv_x86_restore_vcpu(vm->vcpus[s->index].hv, payload, s->len) < 0)
				rc = -2;
			vcpus++;
			break;
		case SEC_DEV:
			break; /* below */
		case SEC_RAM:
			rc = load_ram(vm, s);
			break;
		default:
			rc = -1;
		}
	}
	if (!rc && (bad || !hv_vm || vcpus != vm->nvcpus))
		rc = -1;
	if (rc == -1)
		log_err("--restore: the snapshot's sections do not match this machine");
	if (!rc && hv_vm_restore(vm->hv, hv_vm + 1, hv_vm->len) < 0)
		rc = -2;
	off = sizeof(struct snap_hdr);
	while (!rc && (s = next_sec(f, &off, &bad)))
		if (s->type == SEC_DEV)
			rc = load_dev(vm, s);
	if (rc == -1)
		log_err("--restore: the snapshot's device sections do not match this machine");
	return rc;
}

static const struct snap_config *find_config(const struct snapfile *f, const struct snap_sec **sec)
{
	size_t off = sizeof(struct snap_hdr);
	int bad = 0;
	const struct snap_sec *s;
	while ((s = next_sec(f, &off, &bad)))
		if (s->type == SEC_CONFIG && s->len >= sizeof(struct snap_config)) {
			*sec = s;
			return (const void *)(s + 1);
		}
	return NULL;
}

/* runtime/console.c, when linked (a machine with a console). */
void console_input_hint(const char *a, const char *b) __attribute__((weak));

/* The saved run's --cmdline, or NULL. */
static const char *find_cmdline(const struct snapfile *f)
{
	size_t off = sizeof(struct snap_hdr);
	int bad = 0;
	const struct snap_sec *s;
	while ((s = next_sec(f, &off, &bad)))
		if (s->type == SEC_CMDLINE && s->len && memchr(s + 1, 0, s->len) == (const char *)(s + 1) + s->len - 1)
			return (const char *)(s + 1);
	return NULL;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int vibe_snapshot_restore(struct vibe_vm *vm, const char *path)
{
	const struct vibe_machine_desc *m = vm->m;
	struct snapfile f = { 0 };
	struct stat st;
	double t0 = now_ms();
	int rc = 1;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_err("--restore %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	f.size = (size_t)st.st_size;
	if (f.size == 0) {
		log_err("--restore %s: empty file, not a vibevmm snapshot", path);
		close(fd);
		return 1;
	}
	f.p = mmap(NULL, f.size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (f.p == MAP_FAILED) {
		log_err("--restore %s: mmap: %s", path, strerror(errno));
		return 1;
	}
	madvise((void *)f.p, f.size, MADV_SEQUENTIAL);
	const struct snap_sec *cs = NULL;
	const struct snap_config *c;
	double t_map = now_ms();
	if (check(&f, path) < 0)
		goto out;
	double t_check = now_ms();
	c = find_config(&f, &cs);
	if (!c || c->nvcpus != (m->nvcpus ? m->nvcpus : 1) || c->nram != m->nram ||
	    c->ndevs != m->ndevs || cs->len != sizeof(*c) + c->nram * 8ull) {
		log_err("--restore %s: the snapshot's configuration does not match machine '%s'", path,
			m->name);
		goto out;
	}
	/* The saved run's --mem: the resizable region's size, if any. */
	struct vibe_vm_opts vo = { .want_irqchip = (int)c->has_irqchip };
	const uint64_t *sizes = (const void *)(c + 1);
	for (unsigned i = 0; i < m->nram; i++)
		if ((m->ram[i].flags & VIBE_RAM_RESIZABLE) && sizes[i] != m->ram[i].size)
			vo.mem_size = sizes[i];
	if (vibe_vm_init(vm, &vo) < 0)
		goto out;
	rc = 2;
	if (vibe_vcpu_signals_init() < 0)
		goto out;
	/* As run_linux() did (main.c), before the devices attach to stdin. */
	const char *cmdline = find_cmdline(&f);
	if (cmdline && console_input_hint)
		console_input_hint(m->boot.cmdline, cmdline);
	if ((rc = vibe_vm_setup(vm, &vo)) != 0)
		goto out;
	if (c->has_irqchip && !vm->has_irqchip) {
		log_err("--restore %s: the snapshot needs an in-kernel irqchip, KVM here gave none", path);
		rc = 2;
		goto out;
	}
	double t_setup = now_ms();
	int lr = load_all(vm, &f);
	rc = lr == 0 ? 0 : lr == -1 ? 1 : 2;
	if (rc == 0) {
		double t_end = now_ms();
		log_info("restored %s (%zu bytes) in %.2f ms", path, f.size, t_end - t0);
		log_debug("restore: map %.2f ms, checks %.2f ms, VM set-up %.2f ms, loading state %.2f ms",
			  t_map - t0, t_check - t_map, t_setup - t_check, t_end - t_setup);
	}
out:
	munmap((void *)f.p, f.size);
	return rc;
}
