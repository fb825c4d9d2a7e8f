/* Run a command through the shell and capture its output and exit status. */
#ifndef TESTS_COMPILER_RUN_H
#define TESTS_COMPILER_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Returns the exit status (-1 when it did not exit normally); *out is
 * malloc'd and NUL-terminated (stdout and stderr together). */
static inline int run_capture(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!p || !buf) {
		free(buf);
		*out = NULL;
		return -1;
	}
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (cap - n < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	buf[n] = 0;
	*out = buf;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What sanitizers print; a corpus run must show none of them. */
static inline const char *sanitizer_report(const char *out)
{
	static const char *const marks[] = { "AddressSanitizer", "LeakSanitizer",
					     "runtime error:", "UndefinedBehaviorSanitizer" };
	for (unsigned i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strstr(out, marks[i]))
			return marks[i];
	return NULL;
}

#endif
