/*
 * Run a program (vibevmm) as a child with a deadline and capture what it
 * says: the boot tests and the CLI tests judge vibevmm from the outside,
 * by its output and exit status, exactly as a user would see it.
 */
#ifndef VMM_RUN_H
#define VMM_RUN_H

#include <stddef.h>

struct vmm_result {
	int exited, status;     /* normal exit and its status */
	int signaled, sig;      /* died of a signal (a crash, or our kill) */
	int timed_out;          /* we killed it at the deadline */
	char *out, *err;        /* NUL-terminated captures */
	size_t out_len, err_len;
};

struct vmm_opts {
	const char *stdin_data;  /* NULL: stdin is /dev/null */
	int timeout_ms;          /* 0: 20 s */
	void (*child_setup)(void); /* runs in the child before exec */
};

/* Returns 0, or -1 if the child could not be started at all. */
int vmm_run(const char *const argv[], const struct vmm_opts *opts, struct vmm_result *r);
void vmm_result_free(struct vmm_result *r);

/* Lines of `text` containing every one of the NULL-terminated needles. */
unsigned count_lines_with(const char *text, const char *const needles[]);

/* One-line description of how it ended, for failure messages. */
const char *vmm_describe(const struct vmm_result *r);

/* 1 when /dev/kvm can be opened read-write. */
int have_kvm(void);

#endif
