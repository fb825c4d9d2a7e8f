/*
 * --emit-schema: the JSON Schema (draft-07, which yaml-language-server and
 * most editors understand) of machine files, generated from the same device
 * type table the compiler validates with, so the schema cannot drift from
 * vibegen. schema/machine.schema.json is this output, committed; a test
 * fails when the two differ.
 */
#include <stdio.h>
#include <string.h>
#include "model.h"

static void jstr(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(o, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, o);
	}
	fputc('"', o);
}

/* The number/expression form every numeric field accepts. */
static const char number_def[] =
	"    \"number\": {\n"
	"      \"description\": \"a number (4096, 0x3f8, 0b1010, 1_000, 128M, 4KiB) or an expression "
	"with + - * / ( ) and NAME.base, NAME.size, NAME.end\",\n"
	"      \"anyOf\": [\n"
	"        { \"type\": \"integer\", \"minimum\": 0 },\n"
	"        { \"type\": \"string\", \"pattern\": \"^[-+*/()0-9A-Za-z_. \\\\t]+$\" }\n"
	"      ]\n"
	"    },\n"
	"    \"name\": {\n"
	"      \"description\": \"identifier: letters, digits and _, not starting with a digit\",\n"
	"      \"type\": \"string\", \"pattern\": \"^[A-Za-z_][A-Za-z0-9_]*$\"\n"
	"    },\n";

static const char ram_def[] =
	"    \"ram\": {\n"
	"      \"type\": \"object\",\n"
	"      \"additionalProperties\": false,\n"
	"      \"required\": [\"name\", \"base\", \"size\"],\n"
	"      \"properties\": {\n"
	"        \"name\": { \"$ref\": \"#/definitions/name\" },\n"
	"        \"base\": { \"$ref\": \"#/definitions/number\", \"description\": \"guest-physical base, page-aligned\" },\n"
	"        \"size\": { \"$ref\": \"#/definitions/number\", \"description\": \"default size, page-aligned\" },\n"
	"        \"max_size\": { \"$ref\": \"#/definitions/number\", \"description\": \"makes the region resizable: vibevmm --mem sets its size up to this\" },\n"
	"        \"options\": { \"type\": \"array\", \"items\": { \"enum\": [\"hugepages\", \"prefault\", \"readonly\"] } },\n"
	"        \"rom\": { \"type\": \"string\", \"description\": \"file whose bytes are loaded at base\" }\n"
	"      }\n"
	"    },\n";

static const char top_props[] =
	"    \"name\": { \"type\": \"string\", \"pattern\": \"^[A-Za-z0-9_-]+$\", \"description\": \"machine name (default: the file's stem)\" },\n"
	"    \"arch\": { \"enum\": [\"x86_64\", \"arm64\"] },\n"
	"    \"hvf\": { \"type\": \"boolean\", \"description\": \"meant for macOS HVF: RAM must be 16 KiB aligned\" },\n"
	"    \"vcpus\": {\n"
	"      \"description\": \"vCPU count, or {count:, cpus: [{id:, entry:}]} for per-vCPU entry points\",\n"
	"      \"anyOf\": [\n"
	"        { \"$ref\": \"#/definitions/number\" },\n"
	"        {\n"
	"          \"type\": \"object\", \"additionalProperties\": false, \"required\": [\"count\"],\n"
	"          \"properties\": {\n"
	"            \"count\": { \"$ref\": \"#/definitions/number\" },\n"
	"            \"cpus\": { \"type\": \"array\", \"items\": { \"type\": \"object\", \"additionalProperties\": false,\n"
	"              \"required\": [\"id\"], \"properties\": { \"id\": { \"$ref\": \"#/definitions/number\" }, \"entry\": { \"$ref\": \"#/definitions/number\" } } } }\n"
	"          }\n"
	"        }\n"
	"      ]\n"
	"    },\n"
	"    \"phys_bits\": { \"$ref\": \"#/definitions/number\", \"description\": \"guest physical address width, 32..52 (default x86_64 46, arm64 40)\" },\n"
	"    \"mmio_window\": {\n"
	"      \"description\": \"where devices without a base are placed (default x86_64 0xd0000000+256M, arm64 0x0a000000+16M)\",\n"
	"      \"type\": \"object\", \"additionalProperties\": false, \"required\": [\"base\", \"size\"],\n"
	"      \"properties\": { \"base\": { \"$ref\": \"#/definitions/number\" }, \"size\": { \"$ref\": \"#/definitions/number\" } }\n"
	"    },\n"
	"    \"memory\": { \"type\": \"array\", \"minItems\": 1, \"items\": { \"$ref\": \"#/definitions/ram\" } },\n"
	"    \"devices\": { \"type\": \"array\", \"items\": { \"$ref\": \"#/definitions/device\" } },\n"
	"    \"boot\": {\n"
	"      \"type\": \"object\", \"additionalProperties\": false,\n"
	"      \"properties\": {\n"
	"        \"kernel\": { \"type\": \"string\" },\n"
	"        \"initrd\": { \"type\": \"string\" },\n"
	"        \"cmdline\": { \"type\": \"string\" },\n"
	"        \"entry\": { \"$ref\": \"#/definitions/number\" },\n"
	"        \"load_addr\": { \"$ref\": \"#/definitions/number\" },\n"
	"        \"mode\": { \"enum\": [\"long\", \"protected\", \"real\"] }\n"
	"      }\n"
	"    }\n";

static const char *kind_schema(enum m_prop_kind k)
{
	return k == M_PROP_U64 ? "\"$ref\": \"#/definitions/number\""
	     : k == M_PROP_BOOL ? "\"type\": \"boolean\"" : "\"type\": \"string\"";
}

/* One if/then per device type: the keys that type accepts, nothing else. */
static void emit_type_rule(FILE *o, const struct dev_type *t, int last)
{
	fputs("        {\n          \"if\": { \"properties\": { \"type\": { \"enum\": [", o);
	jstr(o, t->name);
	/* Editors read a bare `type: null` as YAML null; vibegen reads the word. */
	if (!strcmp(t->name, "null"))
		fputs(", null", o);
	fputs("] } } },\n          \"then\": {\n", o);
	if (!t->size || !(t->space_mask & (1u << M_SPACE_MMIO))) {
		fputs("            \"required\": [", o);
		const char *sep = "";
		if (!t->size) {
			fputs("\"size\"", o);
			sep = ", ";
		}
		if (!(t->space_mask & (1u << M_SPACE_MMIO)))
			fprintf(o, "%s\"pio\"", sep);
		fputs("],\n", o);
	}
	fputs("            \"additionalProperties\": false,\n            \"properties\": {\n", o);
	fputs("              \"name\": true, \"type\": true", o);
	if (t->space_mask & (1u << M_SPACE_MMIO))
		fputs(", \"mmio\": true", o);
	if (t->space_mask & (1u << M_SPACE_PIO))
		fputs(", \"pio\": true", o);
	fputs(", \"size\": true", o);
	if (t->irq)
		fputs(", \"irq\": true", o);
	for (const struct prop_def *p = t->props; p->key; p++) {
		fputs(",\n              ", o);
		jstr(o, p->key);
		fprintf(o, ": { %s, \"description\": ", kind_schema(p->kind));
		jstr(o, p->doc);
		if (p->kind == M_PROP_STR && p->dflt_s) {
			fputs(", \"default\": ", o);
			jstr(o, p->dflt_s);
		} else if (p->kind == M_PROP_U64 && !p->required) {
			fprintf(o, ", \"default\": %llu", (unsigned long long)p->dflt_u);
		} else if (p->kind == M_PROP_BOOL && !p->required) {
			fprintf(o, ", \"default\": %s", p->dflt_u ? "true" : "false");
		}
		fputs(" }", o);
	}
	fprintf(o, "\n            }\n          }\n        }%s\n", last ? "" : ",");
}

int emit_schema(FILE *o)
{
	fputs("{\n"
	      "  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n"
	      "  \"$comment\": \"Generated by vibegen --emit-schema from compiler/devtypes.c: do not edit.\",\n"
	      "  \"title\": \"vibevmm machine file\",\n"
	      "  \"type\": \"object\",\n"
	      "  \"additionalProperties\": false,\n"
	      "  \"required\": [\"arch\", \"memory\"],\n"
	      "  \"properties\": {\n", o);
	fputs(top_props, o);
	fputs("  },\n  \"definitions\": {\n", o);
	fputs(number_def, o);
	fputs(ram_def, o);
	fputs("    \"device\": {\n"
	      "      \"type\": \"object\",\n"
	      "      \"required\": [\"name\", \"type\"],\n"
	      "      \"properties\": {\n"
	      "        \"name\": { \"$ref\": \"#/definitions/name\" },\n"
	      "        \"type\": {\n          \"oneOf\": [\n", o);
	for (unsigned i = 0; i < dev_types_count; i++) {
		fputs("            { \"const\": ", o);
		jstr(o, dev_types[i].name);
		fputs(", \"description\": ", o);
		jstr(o, dev_types[i].doc);
		fputs(" },\n", o);
	}
	fputs("            { \"type\": \"null\", \"description\": \"a bare `null` (the null device type)\" }\n"
	      "          ]\n        },\n"
	      "        \"mmio\": { \"$ref\": \"#/definitions/number\", \"description\": \"MMIO base; omit both mmio and pio to auto-place in mmio_window\" },\n"
	      "        \"pio\": { \"$ref\": \"#/definitions/number\", \"description\": \"x86 port base\" },\n"
	      "        \"size\": { \"$ref\": \"#/definitions/number\", \"description\": \"only for types without a fixed size\" },\n"
	      "        \"irq\": { \"$ref\": \"#/definitions/number\", \"description\": \"x86: IOAPIC pin 0..23; arm64: SPI 0..987; omit to auto-assign\" }\n"
	      "      },\n"
	      "      \"allOf\": [\n", o);
	for (unsigned i = 0; i < dev_types_count; i++)
		emit_type_rule(o, &dev_types[i], i + 1 == dev_types_count);
	fputs("      ]\n    }\n  }\n}\n", o);
	return ferror(o) ? -1 : 0;
}
