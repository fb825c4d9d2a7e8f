/* See fake_vm.h. Same contract as runtime's guest_ptr(): the whole
 * [gpa, gpa+len) must lie in one region, checked without overflow. */
#include "fake_vm.h"

#include <stdlib.h>
#include <string.h>

void fake_vm_add(struct vibe_vm *vm, uint64_t base, uint64_t size)
{
	vm->r[vm->n].base = base;
	vm->r[vm->n].size = size;
	vm->r[vm->n].mem = calloc(1, size);
	if (!vm->r[vm->n].mem)
		abort();
	vm->n++;
}

void fake_vm_free(struct vibe_vm *vm)
{
	for (unsigned i = 0; i < vm->n; i++)
		free(vm->r[i].mem);
	vm->n = 0;
}

void *guest_ptr(struct vibe_vm *vm, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < vm->n; i++) {
		uint64_t off = gpa - vm->r[i].base;

		if (gpa >= vm->r[i].base && off <= vm->r[i].size && len <= vm->r[i].size - off)
			return vm->r[i].mem + off;
	}
	return NULL;
}

