/*
 * The one checked guest-memory accessor (see vibe/guest_mem.h).
 *
 * The generated vibe_decode_ram() finds the region by its *maximum* extent
 * (the decode boundaries are constants), so the check here is against the
 * region's actual mapped size, which --mem may have made smaller. All
 * arithmetic is on offsets inside the region, so nothing can wrap:
 * off < size, then len <= size - off.
 */
#include <string.h>

#include "vibe/guest_mem.h"
#include "vm.h"

void *guest_ptr(struct vibe_vm *vm, uint64_t gpa, uint64_t len)
{
	int idx = vibe_decode_ram(gpa);
	if (idx < 0)
		return NULL;
	const struct vibe_ram *r = &vm->ram[idx];
	uint64_t off = gpa - vm->m->ram[idx].base;
	/* A zero-length range still needs its start inside mapped RAM, so a
	 * pointer is never returned for an address that is not backed. */
	if (!r->hva || off >= r->size || len > r->size - off)
		return NULL;
	return r->hva + off;
}

