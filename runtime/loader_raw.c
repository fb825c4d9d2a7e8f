/*
 * Raw binary loader (--binary FILE --load-addr ADDR): the file's bytes,
 * unchanged, at ADDR. The destination range is checked as a whole by
 * guest_ptr(), then the file is read straight into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "vibe/appliance.h"
#include "vibe/guest_mem.h"
#include "vibe/log.h"
#include "vibe/machine.h"
#include "vm.h"

int vibe_raw_open(struct vibe_raw_image *img, const char *path)
{
	struct stat st;
	img->path = path;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0) {
		log_err("--binary %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(img->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_err("--binary %s: not a regular file", path);
		vibe_raw_close(img);
		return -1;
	}
	if (st.st_size == 0) {
		log_err("--binary %s: file is empty", path);
		vibe_raw_close(img);
		return -1;
	}
	img->size = (uint64_t)st.st_size;
	return 0;
}

int vibe_raw_open_blob(struct vibe_raw_image *img, const struct vibe_blob *b)
{
	img->path = b->name;
	img->fd = -1;
	img->data = b->data;
	img->size = b->size;
	if (!b->size) {
		log_err("embedded binary %s is empty", b->name);
		return -1;
	}
	return 0;
}

void vibe_raw_close(struct vibe_raw_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
}

int vibe_raw_load(struct vibe_vm *vm, struct vibe_raw_image *img, uint64_t load_addr)
{
	uint8_t *dst = guest_ptr(vm, load_addr, img->size);
	if (!dst) {
		int r = vibe_decode_ram(load_addr);
		if (r < 0)
			log_err("--binary %s: load address 0x%llx is not in guest RAM", img->path,
				(unsigned long long)load_addr);
		else
			log_err("--binary %s (%llu bytes) does not fit at 0x%llx: RAM region '%s' ends at 0x%llx",
				img->path, (unsigned long long)img->size, (unsigned long long)load_addr,
				vm->m->ram[r].name,
				(unsigned long long)(vm->m->ram[r].base + vm->ram[r].size));
		vibe_raw_close(img);
		return -1;
	}
	if (img->data) {
		memcpy(dst, img->data, img->size);
		log_debug("loaded embedded %s: %llu bytes at 0x%llx", img->path,
			  (unsigned long long)img->size, (unsigned long long)load_addr);
		return 0;
	}
	uint64_t done = 0;
	while (done < img->size) {
		ssize_t n = pread(img->fd, dst + done, img->size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_err("--binary %s: %s", img->path, n < 0 ? strerror(errno) : "file shrank while reading");
			vibe_raw_close(img);
			return -1;
		}
		done += (uint64_t)n;
	}
	vibe_raw_close(img);
	log_debug("loaded %s: %llu bytes at 0x%llx", img->path, (unsigned long long)img->size,
		  (unsigned long long)load_addr);
	return 0;
}
