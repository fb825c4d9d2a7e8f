/*
 * Errors into a caller's buffer. The loaders and table builders
 * (runtime/arch/x86_64/) are pure functions that unit tests and fuzzers
 * call without the runtime's logging, so they report what went wrong as
 * text in `err` and let the caller decide how to show it.
 */
#ifndef VIBE_ERRBUF_H
#define VIBE_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Formats into err (if any) and returns -1, so `return errbuf(...)`. */
static inline int errbuf(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int errbuf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

#endif
