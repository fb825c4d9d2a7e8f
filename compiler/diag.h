/*
 * The one error path of vibegen. Every problem in a machine file is reported
 * as `FILE:LINE:COL: error[E0NN]: MESSAGE`, followed by the source line and a
 * caret, like a C compiler, so users always see their own file (never
 * generated code) and can search for the stable code. The codes below are
 * documented in docs/api/machine-files.md; never renumber them.
 */
#ifndef VIBEGEN_DIAG_H
#define VIBEGEN_DIAG_H

#include <stddef.h>
#include "model.h"

enum diag_code {
	E_IO = 1,           /* cannot read the machine file (exit status 2) */
	E_YAML = 2,         /* malformed YAML (libyaml's message) */
	E_EMPTY = 3,        /* file holds no document */
	E_ROOT = 4,         /* top level is not a mapping */
	E_TAB = 5,          /* tab in indentation */
	E_DUPKEY = 6,       /* the same key twice in one mapping */
	E_ALIAS = 7,        /* anchors/aliases, multiple documents: not supported */
	E_UNKNOWN_KEY = 10, /* with a "did you mean" suggestion */
	E_TYPE = 11,        /* wrong YAML type (mapping/sequence/scalar/bool) */
	E_MISSING = 12,     /* required field absent */
	E_VALUE = 13,       /* value not one of the allowed words */
	E_NAME = 14,        /* name is not an identifier */
	E_DUPNAME = 15,     /* two regions/devices with one name */
	E_NUMBER = 20,      /* malformed number */
	E_OVERFLOW = 21,    /* number does not fit in 64 bits */
	E_SUFFIX = 22,      /* unknown size suffix */
	E_EXPR = 23,        /* expression syntax */
	E_DIVZERO = 24,     /* division by zero */
	E_ARITH = 25,       /* overflow or negative result in an expression */
	E_REF = 26,         /* reference to an unknown name */
	E_CYCLE = 27,       /* references form a cycle */
	E_REF_FIELD = 28,   /* NAME.x where x is not base, size or end */
	E_REF_AUTO = 29,    /* reference to the base of an auto-placed device */
	E_DEVTYPE = 30,     /* unknown device type */
	E_ARCH = 31,        /* device type not available on this arch */
	E_SPACE = 32,       /* mmio/pio not allowed for this type or arch */
	E_BOTH_SPACES = 33, /* both mmio: and pio: */
	E_SIZE = 34,        /* size differs from the type's fixed size */
	E_RAM_ALIGN = 40,   /* RAM base/size not page-aligned */
	E_DEV_ALIGN = 41,   /* device base not aligned for its type */
	E_ZERO = 42,        /* zero size */
	E_WRAP = 43,        /* range wraps past 2^64 */
	E_PHYS = 44,        /* range beyond phys_bits (or port beyond 0xffff) */
	E_OVERLAP = 45,     /* two RAM/MMIO ranges overlap */
	E_PIO_OVERLAP = 46, /* two port ranges overlap */
	E_NOSPACE = 47,     /* MMIO window full: cannot auto-place */
	E_IRQ_RANGE = 50,   /* IRQ outside the arch's range */
	E_IRQ_CONFLICT = 51,/* two devices on one IRQ */
	E_IRQ_NONE = 52,    /* no free IRQ left for auto-assignment */
	E_IRQ_UNUSED = 53,  /* irq given to a type without interrupts */
	E_VCPU = 60,        /* vcpu count or id out of range, duplicate id */
	E_PHYS_BITS = 61,   /* phys_bits out of range */
	E_MAX_SIZE = 62,    /* max_size smaller than size */
	E_WINDOW = 64,      /* MMIO window invalid */
	E_PAYLOAD = 70,     /* vibegen --appliance: a payload file is missing or unreadable */
	E_NO_PAYLOAD = 71,  /* vibegen --appliance: the machine has no boot.kernel */
};

#define DIAG_MAX_ERRORS 20

/* Start reporting against a file; buf holds its bytes (for the caret lines). */
void diag_begin(const char *path, const char *buf, size_t len);
void diag_error(struct loc at, enum diag_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A note attached to the last error, printed right after it. */
void diag_note(struct loc at, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int diag_errors(void);
/* Print the collected errors sorted by position (at most DIAG_MAX_ERRORS,
 * then a count of the rest). diag_errors() still counts them after. */
void diag_flush(void);
/* Where messages go (stderr by default; tests capture). */
void diag_stream(FILE *f);

/* Edit distance, for "did you mean" suggestions. */
unsigned diag_distance(const char *a, const char *b);
/* Best of cands[0..n) within a sensible distance of word, or NULL. */
const char *diag_suggest(const char *word, const char *const *cands, unsigned n);

#endif
