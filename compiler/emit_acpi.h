/*
 * vibegen's ACPI emitter (emit_acpi.c). Kept out of model.h so the ACPI
 * part stays one optional file pair.
 */
#ifndef VIBEGEN_EMIT_ACPI_H
#define VIBEGEN_EMIT_ACPI_H

#include <stdio.h>

struct machine;

/* The machine's DSDT as ASL (x86_64 only; -1 with a message otherwise). */
int emit_acpi_asl(const struct machine *m, FILE *out);

#endif
