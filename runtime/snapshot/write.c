/*
 * Writing a snapshot (format.h) of a paused VM.
 *
 * Memory: a page bitmap plus only the pages worth storing. mincore(2)
 * tells which pages of the private anonymous RAM mapping were ever
 * touched (an untouched page is not resident and reads as zero); of
 * those, all-zero pages are skipped too. The pages are packed, so the
 * file's apparent and allocated sizes are both about the guest's working
 * set on any filesystem (no reliance on holes), and restore reads only
 * what is there.
 *
 * The file is written as PATH.tmp and renamed over PATH at the end: a
 * reader sees the old snapshot or the complete new one, never a torn file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hv/hv.h"
#include "snapshot/format.h"
#include "snapshot/snapshot.h"
#include "vibe/log.h"
#include "vm.h"

struct out {
	int fd;
	uint8_t *buf;
	size_t n, cap;
	uint64_t off; /* bytes after the header */
	uLong crc;    /* of those bytes */
	uint32_t nsections;
	int err;
};

static void out_flush(struct out *o)
{
	size_t done = 0;
	while (!o->err && done < o->n) {
		ssize_t w = write(o->fd, o->buf + done, o->n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_err("snapshot: write: %s", w < 0 ? strerror(errno) : "short write");
			o->err = 1;
			break;
		}
		done += (size_t)w;
	}
	o->n = 0;
}

static void out_bytes(struct out *o, const void *p, size_t len)
{
	o->crc = crc32_z(o->crc, p, len);
	o->off += len;
	while (len && !o->err) {
		size_t k = o->cap - o->n < len ? o->cap - o->n : len;
		memcpy(o->buf + o->n, p, k);
		o->n += k;
		p = (const uint8_t *)p + k;
		len -= k;
		if (o->n == o->cap)
			out_flush(o);
	}
}

static void out_section(struct out *o, uint32_t type, uint32_t index, const void *p, uint64_t len)
{
	struct snap_sec s = { type, index, len };
	static const uint8_t zero[8];
	out_bytes(o, &s, sizeof(s));
	if (p)
		out_bytes(o, p, len);
	o->nsections++;
	(void)zero;
}

static void out_pad(struct out *o)
{
	static const uint8_t zero[8];
	if (o->off % 8)
		out_bytes(o, zero, 8 - o->off % 8);
}

static int page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)(const void *)p;
	uint64_t acc = 0;
	for (unsigned i = 0; i < SNAP_PAGE / 8; i += 8)
		acc |= q[i] | q[i + 1] | q[i + 2] | q[i + 3] | q[i + 4] | q[i + 5] | q[i + 6] | q[i + 7];
	return acc == 0;
}

static int write_ram(struct out *o, struct vibe_vm *vm, unsigned r)
{
	uint8_t *hva = vm->ram[r].hva;
	uint64_t npages = vm->ram[r].size / SNAP_PAGE;
	size_t words = (size_t)((npages + 63) / 64);
	uint64_t *bitmap = calloc(words ? words : 1, sizeof(uint64_t));
	unsigned char *vec = malloc(npages ? npages : 1);
	struct snap_ram h = { vm->m->ram[r].base, vm->ram[r].size, 0 };

	if (!bitmap || !vec) {
		free(bitmap);
		free(vec);
		log_err("out of memory");
		return -1;
	}
	/* mincore: a page never touched is not resident; reading it would
	 * only map the zero page, but skipping it is cheaper still. */
	if (mincore(hva, vm->ram[r].size, vec) < 0)
		memset(vec, 1, npages); /* fall back to scanning everything */
	for (uint64_t p = 0; p < npages; p++) {
		if ((vec[p] & 1) && !page_is_zero(hva + p * SNAP_PAGE)) {
			bitmap[p / 64] |= 1ull << (p % 64);
			h.npages_stored++;
		}
	}
	free(vec);
	uint64_t len = sizeof(h) + words * 8 + h.npages_stored * SNAP_PAGE;
	out_section(o, SEC_RAM, r, NULL, len);
	out_bytes(o, &h, sizeof(h));
	out_bytes(o, bitmap, words * 8);
	for (uint64_t p = 0; p < npages && !o->err; p++)
		if (bitmap[p / 64] >> (p % 64) & 1)
			out_bytes(o, hva + p * SNAP_PAGE, SNAP_PAGE);
	free(bitmap);
	log_debug("snapshot: RAM '%s': %llu of %llu pages stored", vm->m->ram[r].name ? vm->m->ram[r].name : "ram",
		  (unsigned long long)h.npages_stored, (unsigned long long)npages);
	return o->err ? -1 : 0;
}

static int write_devices(struct out *o, struct vibe_vm *vm)
{
	uint8_t *blob = malloc(SNAP_DEV_TYPE_LEN + VIBE_DEV_STATE_MAX);
	if (!blob) {
		log_err("out of memory");
		return -1;
	}
	for (unsigned i = 0; i < vm->m->ndevs; i++) {
		const struct vibe_dev_desc *d = &vm->m->devs[i];
		if (!d->ops || !d->ops->save || (int)i >= vm->devs_inited)
			continue;
		memset(blob, 0, SNAP_DEV_TYPE_LEN);
		snprintf((char *)blob, SNAP_DEV_TYPE_LEN, "%s", d->type);
		long n = d->ops->save(&vm->devs[i], blob + SNAP_DEV_TYPE_LEN, VIBE_DEV_STATE_MAX);
		if (n < 0 || (unsigned long)n > VIBE_DEV_STATE_MAX) {
			log_err("snapshot: device %s (%s) could not save its state", d->name, d->type);
			free(blob);
			return -1;
		}
		out_section(o, SEC_DEV, i, blob, SNAP_DEV_TYPE_LEN + (uint64_t)n);
		out_pad(o);
	}
	free(blob);
	return 0;
}

static const char *user_cmdline;

void vibe_snapshot_note_cmdline(const char *cmdline)
{
	user_cmdline = cmdline;
}

static int write_body(struct out *o, struct vibe_vm *vm)
{
	const struct vibe_machine_desc *m = vm->m;
	struct snap_config c = { vm->nvcpus, m->nram, m->ndevs, (uint32_t)vm->has_irqchip };
	out_section(o, SEC_CONFIG, 0, NULL, sizeof(c) + m->nram * 8ull);
	out_bytes(o, &c, sizeof(c));
	for (unsigned i = 0; i < m->nram; i++)
		out_bytes(o, &vm->ram[i].size, 8);
	if (user_cmdline) {
		out_section(o, SEC_CMDLINE, 0, user_cmdline, strlen(user_cmdline) + 1);
		out_pad(o);
	}

	uint8_t *blob = malloc(HV_STATE_MAX);
	size_t len;
	if (!blob || hv_vm_save(vm->hv, blob, HV_STATE_MAX, &len) < 0) {
		free(blob);
		return -1;
	}
	out_section(o, SEC_HV_VM, 0, blob, len);
	out_pad(o);
	free(blob);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const void *s = vibe_pause_vcpu_state(vm, i, &len);
		if (!s)
			return -1;
		out_section(o, SEC_VCPU, i, s, len);
		out_pad(o);
	}
	if (write_devices(o, vm) < 0)
		return -1;
	for (unsigned i = 0; i < m->nram; i++)
		if (write_ram(o, vm, i) < 0)
			return -1;
	return 0;
}

int vibe_snapshot_write(struct vibe_vm *vm, const char *path, uint64_t *bytes)
{
	char tmp[4096];
	struct snap_hdr h;
	struct out o = { .fd = -1, .cap = 1u << 20 };

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		log_err("snapshot: path too long: %s", path);
		return -1;
	}
	o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (o.fd < 0) {
		log_err("snapshot: cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	o.buf = malloc(o.cap);
	o.crc = crc32_z(0, NULL, 0);
	memset(&h, 0, sizeof(h));
	/* The header is written last, once the size and checksum are known;
	 * its room is reserved now. */
	if (!o.buf || lseek(o.fd, sizeof(h), SEEK_SET) < 0) {
		log_err("snapshot: %s", o.buf ? strerror(errno) : "out of memory");
		o.err = 1;
	}
	if (!o.err && write_body(&o, vm) == 0)
		out_flush(&o);
	else
		o.err = 1;
	if (!o.err) {
		memcpy(h.magic, SNAP_MAGIC, 8);
		h.version = SNAP_VERSION;
		h.hdr_size = sizeof(h);
		h.file_size = sizeof(h) + o.off;
		h.nsections = o.nsections;
		h.arch = (uint32_t)vm->m->arch;
		snprintf(h.machine_hash, sizeof(h.machine_hash), "%s", vm->m->source_hash);
		snprintf(h.machine_name, sizeof(h.machine_name), "%s", vm->m->name);
		h.created = (uint64_t)time(NULL);
		uLong hc = crc32_z(crc32_z(0, NULL, 0), (const Bytef *)&h, sizeof(h));
		h.crc = (uint32_t)crc32_combine(hc, o.crc, (z_off_t)o.off);
		if (pwrite(o.fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
			log_err("snapshot: writing the header of %s: %s", tmp, strerror(errno));
			o.err = 1;
		}
	}
	free(o.buf);
	if (close(o.fd) < 0 && !o.err) {
		log_err("snapshot: %s: %s", tmp, strerror(errno));
		o.err = 1;
	}
	if (!o.err && rename(tmp, path) < 0) {
		log_err("snapshot: rename %s -> %s: %s", tmp, path, strerror(errno));
		o.err = 1;
	}
	if (o.err) {
		unlink(tmp);
		return -1;
	}
	*bytes = h.file_size;
	return 0;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int vibe_snapshot_take(struct vibe_vm *vm, const char *path)
{
	double t0 = now_ms();
	uint64_t bytes = 0;
	if (vibe_pause(vm) < 0)
		return -1;
	double t1 = now_ms();
	int rc = vibe_snapshot_write(vm, path, &bytes);
	vibe_resume(vm);
	if (rc == 0)
		log_info("snapshot: %s, %llu bytes, paused in %.2f ms, written in %.2f ms", path,
			 (unsigned long long)bytes, t1 - t0, now_ms() - t1);
	return rc;
}
