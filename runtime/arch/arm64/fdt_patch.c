/*
 * Patch the generated FDT at run time (see fdt_patch.h). The nodes it
 * touches are the ones compiler/emit_fdt.c writes: /chosen (bootargs,
 * linux,initrd-start/-end as 64-bit values) and /memory@<base>.
 */
#include "fdt_patch.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

static long fail(const char **why, const char *what, int err)
{
	static __thread char buf[128];
	snprintf(buf, sizeof buf, "%s: %s", what, err ? fdt_strerror(err) : "missing");
	*why = buf;
	return -1;
}

long arm64_fdt_patch(void *dst, size_t cap, const void *src, const struct arm64_fdt_patch *p,
		     const char **why)
{
	int r, chosen;

	if ((r = fdt_check_header(src)) != 0)
		return fail(why, "generated device tree", r);
	if ((r = fdt_open_into(src, dst, (int)cap)) != 0)
		return fail(why, "copying the device tree", r);
	chosen = fdt_path_offset(dst, "/chosen");
	if (chosen < 0)
		return fail(why, "/chosen", chosen);
	if (p->bootargs && (r = fdt_setprop_string(dst, chosen, "bootargs", p->bootargs)) != 0)
		return fail(why, "/chosen/bootargs", r);
	if (p->has_initrd) {
		/* booting.rst: the initrd's location is given by the 64-bit
		 * linux,initrd-start and linux,initrd-end (exclusive). */
		if ((r = fdt_setprop_u64(dst, chosen, "linux,initrd-start", p->initrd_start)) != 0 ||
		    (r = fdt_setprop_u64(dst, chosen, "linux,initrd-end", p->initrd_end)) != 0)
			return fail(why, "/chosen/linux,initrd-*", r);
	} else {
		/* 0..0 would still read as an (empty) initrd: drop both. */
		fdt_delprop(dst, chosen, "linux,initrd-start");
		fdt_delprop(dst, chosen, "linux,initrd-end");
	}
	for (unsigned i = 0; i < p->nmem && i < 8; i++) {
		char path[64];
		snprintf(path, sizeof path, "/memory@%llx", (unsigned long long)p->mem[i].base);
		int off = fdt_path_offset(dst, path);
		if (off < 0)
			return fail(why, "memory node for a RAM region", off);
		fdt64_t reg[2] = { cpu_to_fdt64(p->mem[i].base), cpu_to_fdt64(p->mem[i].size) };
		if ((r = fdt_setprop(dst, off, "reg", reg, sizeof reg)) != 0)
			return fail(why, path, r);
	}
	/* A device whose code is not linked reads all ones: without its node
	 * the guest does not probe it at all. Top-level nodes only, matched
	 * by the first address of reg (emit_fdt.c puts every device there). */
	for (unsigned i = 0; i < p->ndrop && i < 32; i++) {
		int off;
		fdt_for_each_subnode(off, dst, 0) {
			int len;
			const fdt64_t *reg = fdt_getprop(dst, off, "reg", &len);
			const char *type = fdt_getprop(dst, off, "device_type", NULL);
			fdt64_t base;
			if (!reg || len < 8 || (type && !strcmp(type, "memory")))
				continue;
			memcpy(&base, reg, 8); /* properties are 4-byte aligned */
			if (fdt64_to_cpu(base) == p->drop[i]) {
				if ((r = fdt_del_node(dst, off)) != 0)
					return fail(why, "deleting a device node", r);
				break;
			}
		}
	}
	if ((r = fdt_pack(dst)) != 0)
		return fail(why, "packing the device tree", r);
	*why = "ok";
	return (long)fdt_totalsize(dst);
}
