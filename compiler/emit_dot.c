/*
 * `vibegen --dot`: the machine's decode trees (RAM, MMIO, port I/O) as one
 * Graphviz digraph, a cluster per tree. Inner nodes are the generated
 * `if (a < CONST)` tests; leaves are what the lookup returns.
 * Render: vibegen --dot machines/virt.yaml | dot -Tsvg > decode.svg
 */
#include "emit_util.h"

int emit_dot(const struct machine *m, FILE *out)
{
	struct m_trees t;
	if (machine_trees_build(m, &t))
		return -1;
	fputs("digraph vibe_decode {\n\tlabel=\"", out);
	/* Reuse the dot escaper through a cluster-free label: names are plain. */
	for (const char *s = m->name; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputs(" decode trees\";\n\tnode [fontname=monospace];\n", out);
	decode_emit_dot(&t.ram, "ram", "vibe_decode_ram (gpa -> RAM region)", out);
	decode_emit_dot(&t.mmio, "mmio", "vibe_decode_mmio (gpa -> device)", out);
	if (m->arch == M_ARCH_X86_64)
		decode_emit_dot(&t.pio, "pio", "vibe_decode_pio (port -> device)", out);
	fputs("}\n", out);
	machine_trees_free(&t);
	return ferror(out) ? -1 : 0;
}
