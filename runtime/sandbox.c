/*
 * The seccomp sandbox: see sandbox.h for the order of events and
 * docs/architecture/security.md for every call and why it is allowed.
 *
 * Each thread kind's list is a fixed core (what the runtime itself does
 * after setup) plus what the linked devices declare in
 * vibe_device_ops.syscalls. All programs are compiled with libseccomp and
 * exported to BPF before anything is installed, so a thread narrowing
 * itself later needs only the seccomp(2) call: no allocation, no libseccomp.
 */
#include "sandbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/hv.h"
#include "vibe/log.h"
#include "vm.h"

/* Built with AddressSanitizer: no filter (docs/architecture/security.md,
 * "Sanitizers and other builds": ASan and LeakSanitizer need mmap, clone,
 * ptrace... at will, and a missed call would kill the sanitizer's report). */
#if defined(__SANITIZE_ADDRESS__)
#define VIBE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIBE_SANITIZED 1
#endif
#endif

/* The console's input thread exists only when runtime/console.c is
 * linked (a machine with a UART). */
int console_attach_input() __attribute__((weak));

/* Snapshots (runtime/snapshot/, x86_64 only; weak so other builds link):
 * a parked vCPU's calls and ioctls, and the control thread's, which keeps
 * the process-wide filter (it never narrows), so they go into the union. */
extern const char *const vibe_snapshot_ctl_calls[] __attribute__((weak));
extern const char *const vibe_snapshot_vcpu_calls[] __attribute__((weak));
extern const struct hv_ioctl_name hv_snapshot_vcpu_ioctls[] __attribute__((weak));
extern const struct hv_ioctl_name hv_snapshot_vm_ioctls[] __attribute__((weak));

#define MAX_CALLS 160
#define MAX_IOCTLS 40

struct ioctl_req { unsigned long req; const char *name; };

struct sb_set {
	const char *calls[MAX_CALLS];
	unsigned ncalls;
	struct ioctl_req ioctls[MAX_IOCTLS];
	unsigned nioctls;
};

/* ---- the lists (docs/architecture/security.md explains each entry) ---- */

/* A name with '@' allows the call only with some arguments (add_rules()):
 *   write@stdio      write(2) to fd 1 or 2 only: the console and the log
 *   mmap@noexec      mmap(2) and mprotect(2) without PROT_EXEC: malloc may
 *   mprotect@noexec  map (glibc gives each thread its own arena), but
 *                    nothing can map new code
 * A plain name in the same list (a device declaring "write" for its
 * eventfd) allows the call with any arguments.
 *
 * Every thread: locks and condition variables (futex); log lines and the
 * guest's console output (write@stdio); log time stamps and rate limits
 * when the vDSO cannot answer (clock_gettime); vibe_vm_request_exit(),
 * which any thread may call and which sends pthread_kill (getpid, gettid,
 * tgkill, rt_sigprocmask); returning from a signal handler (rt_sigreturn,
 * restart_syscall); memory (brk, mmap@noexec, mprotect@noexec, munmap,
 * mremap, madvise: malloc and free, and glibc releasing a finished
 * thread's stack); a thread ending (exit). */
static const char *const core_calls[] = {
	"futex", "write@stdio", "clock_gettime", "rt_sigreturn", "restart_syscall",
	"getpid", "gettid", "tgkill", "rt_sigprocmask", "brk", "mmap@noexec",
	"mprotect@noexec", "munmap", "mremap", "madvise", "exit", NULL,
};
/* Main thread: waits in sigwaitinfo for the stop request or a signal,
 * joins the vCPUs, then vibe_vm_destroy() closes fds and unmaps guest RAM
 * and kvm_run areas (core), and the process exits. */
static const char *const main_calls[] = { "rt_sigtimedwait", "close", "exit_group", NULL };
/* The console's input thread: reads stdin (read, and poll when stdin is
 * non-blocking); Ctrl-a x without an owning device exits the process. */
static const char *const console_calls[] = { "read", "poll", "ppoll", "exit_group", NULL };
/* vCPU threads of a machine with a console: console_write() waits for a
 * non-blocking stdout to drain. */
static const char *const console_vcpu_calls[] = { "poll", "ppoll", NULL };
/* Main thread with the snapshot control thread linked: vibe_snapctl_stop()
 * wakes it through a pipe, and an exit handler removes the --api-socket
 * file. */
static const char *const snapshot_main_calls[] = { "write", "unlink", NULL };
/* Only the process-wide filter, between install and the threads' own:
 * the main thread creates the vCPU threads (clone3/clone, their stacks:
 * core's mmap and mprotect; glibc's per-thread set-up: set_robust_list,
 * rseq) and every thread narrows itself (seccomp). */
/* unused without VIBE_HAVE_SECCOMP (arm64 cross builds, macOS) */
static const char *const setup_calls[] __attribute__((unused)) = {
	"seccomp", "clone", "clone3", "set_robust_list", "rseq", NULL,
};

#ifdef VIBE_HAVE_SECCOMP
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#define REQ(r) { r, #r }
/* vCPU threads: KVM_RUN; KVM_IRQ_LINE (VM fd) when a device raises an
 * interrupt from its register write; the register reads of the crash dump
 * (x86) or the registers an emulated access and an injected abort touch
 * (arm64). Nothing that creates, maps or configures. */
static const struct ioctl_req vcpu_ioctls[] = {
	REQ(KVM_RUN), REQ(KVM_IRQ_LINE),
#if defined(__x86_64__)
	REQ(KVM_GET_REGS), REQ(KVM_GET_SREGS),
#elif defined(__aarch64__)
	REQ(KVM_GET_ONE_REG), REQ(KVM_SET_ONE_REG), REQ(KVM_SET_VCPU_EVENTS),
#endif
};
/* Device threads and the console's input thread: raising the device's
 * interrupt line where no irqfd carries it (vibe_vm_irq_line()). */
static const struct ioctl_req irq_ioctls[] = { REQ(KVM_IRQ_LINE) };
/* Main and console threads: console_restore() puts the terminal back. */
static const struct ioctl_req term_ioctls[] = { REQ(TCGETS), REQ(TCSETS) };
#define NREQ(a) (sizeof(a) / sizeof((a)[0]))
#else
#define NREQ(a) 0u
static const struct ioctl_req vcpu_ioctls[1], term_ioctls[1], irq_ioctls[1];
#endif

static void add_calls(struct sb_set *s, const char *const *list)
{
	for (; list && *list; list++) {
		unsigned i;
		for (i = 0; i < s->ncalls && strcmp(s->calls[i], *list); i++)
			;
		if (i == s->ncalls && s->ncalls < MAX_CALLS)
			s->calls[s->ncalls++] = *list;
	}
}

static void add_ioctls(struct sb_set *s, const struct ioctl_req *r, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned i;
		for (i = 0; i < s->nioctls && s->ioctls[i].req != r[k].req; i++)
			;
		if (i == s->nioctls && s->nioctls < MAX_IOCTLS)
			s->ioctls[s->nioctls++] = r[k];
	}
}

static void __attribute__((unused)) add_set(struct sb_set *s, const struct sb_set *o)
{
	add_calls(s, NULL);
	for (unsigned i = 0; i < o->ncalls; i++) {
		const char *one[2] = { o->calls[i], NULL };
		add_calls(s, one);
	}
	add_ioctls(s, o->ioctls, o->nioctls);
}

static void add_hv_ioctls(struct sb_set *s, const struct hv_ioctl_name *h)
{
	for (; h && h->name; h++) {
		struct ioctl_req r = { h->req, h->name };
		add_ioctls(s, &r, 1);
	}
}

static const struct vibe_dev_syscalls *dev_calls(const struct vibe_dev_desc *d)
{
	return d->ops ? d->ops->syscalls : NULL;
}

/* The lists for machine m: main, vcpu, console, and one per device. */
struct sb_lists {
	struct sb_set kind[VIBE_SB_NKINDS];
	struct sb_set *dev; /* m->ndevs entries; ncalls 0: no thread */
	int has[VIBE_SB_NKINDS];
};

static int build_lists(const struct vibe_machine_desc *m, struct sb_lists *l)
{
	memset(l, 0, sizeof(*l));
	l->dev = calloc(m->ndevs ? m->ndevs : 1, sizeof(*l->dev));
	if (!l->dev)
		return -1;
	l->has[VIBE_SB_MAIN] = l->has[VIBE_SB_VCPU] = 1;
	l->has[VIBE_SB_CONSOLE] = console_attach_input != NULL;
	struct sb_set *mn = &l->kind[VIBE_SB_MAIN], *vc = &l->kind[VIBE_SB_VCPU],
		      *co = &l->kind[VIBE_SB_CONSOLE];
	add_calls(mn, core_calls);
	add_calls(mn, main_calls);
	add_ioctls(mn, term_ioctls, NREQ(term_ioctls));
	add_calls(vc, core_calls);
	add_ioctls(vc, vcpu_ioctls, NREQ(vcpu_ioctls));
	if (vibe_snapshot_vcpu_calls) {
		add_calls(vc, vibe_snapshot_vcpu_calls);
		add_hv_ioctls(vc, hv_snapshot_vcpu_ioctls);
	}
	if (vibe_snapshot_ctl_calls)
		add_calls(mn, snapshot_main_calls);
	if (l->has[VIBE_SB_CONSOLE]) {
		add_calls(vc, console_vcpu_calls);
		add_calls(co, core_calls);
		add_calls(co, console_calls);
		add_ioctls(co, term_ioctls, NREQ(term_ioctls));
		/* A key typed makes the input thread call the owning device's
		 * notify, and the UART's raises its interrupt line there. */
		add_ioctls(co, irq_ioctls, NREQ(irq_ioctls));
	}
	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct vibe_dev_syscalls *sc = dev_calls(&m->devs[i]);
		if (!sc)
			continue;
		add_calls(vc, sc->vcpu);
		add_calls(mn, sc->main);
		if (l->has[VIBE_SB_CONSOLE])
			add_calls(co, sc->console);
		if (sc->thread) {
			add_calls(&l->dev[i], core_calls);
			add_calls(&l->dev[i], sc->thread);
			add_ioctls(&l->dev[i], irq_ioctls, NREQ(irq_ioctls));
		}
	}
	return 0;
}

static void format_set(const struct sb_set *s, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	if (s->nioctls) {
		n += (size_t)snprintf(buf + n, len - n, "ioctl(");
		for (unsigned i = 0; i < s->nioctls && n < len; i++) {
			if (s->ioctls[i].name)
				n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "", s->ioctls[i].name);
			else
				n += (size_t)snprintf(buf + n, len - n, "%s0x%lx", i ? " " : "", s->ioctls[i].req);
		}
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, ")");
	}
	for (unsigned i = 0; i < s->ncalls && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", s->calls[i]);
}

static const char *const kind_names[VIBE_SB_NKINDS] = { "main", "vcpu", "console" };

/* One line per thread kind: `<thread>: <calls>`; device threads as
 * `dev <name>`. */
static void for_each_line(const struct vibe_machine_desc *m, const struct sb_lists *l,
			  void (*out)(void *, const char *, const char *), void *arg)
{
	char buf[2048];
	for (unsigned k = 0; k < VIBE_SB_NKINDS; k++) {
		if (!l->has[k])
			continue;
		format_set(&l->kind[k], buf, sizeof(buf));
		out(arg, kind_names[k], buf);
	}
	for (unsigned i = 0; i < m->ndevs; i++) {
		if (!l->dev[i].ncalls)
			continue;
		char who[96];
		snprintf(who, sizeof(who), "dev %s", m->devs[i].name);
		format_set(&l->dev[i], buf, sizeof(buf));
		out(arg, who, buf);
	}
}

static void print_line(void *f, const char *who, const char *calls)
{
	fprintf(f, "%s: %s\n", who, calls);
}

void vibe_sandbox_print(const struct vibe_machine_desc *m, FILE *f)
{
	struct sb_lists l;
	if (build_lists(m, &l) < 0)
		return;
	for_each_line(m, &l, print_line, f);
	free(l.dev);
}

#ifdef VIBE_HAVE_SECCOMP
/* ---- compiling and installing ------------------------------------------ */

struct prog { struct sock_fprog fp; int ready; };

static struct {
	int on;              /* installed: threads narrow themselves */
	int debug_forbidden;
	struct prog kind[VIBE_SB_NKINDS];
	struct prog *dev;
	const struct vibe_vm *vm;
} sb;

static __thread int sb_narrowed;

static int has_plain(const struct sb_set *s, const char *name, size_t len)
{
	for (unsigned i = 0; i < s->ncalls; i++)
		if (!strncmp(s->calls[i], name, len) && !s->calls[i][len])
			return 1;
	return 0;
}

/* One name: plain, or one of the argument-limited forms (see core_calls). */
static int add_rule(scmp_filter_ctx ctx, const struct sb_set *s, const char *name)
{
	const char *at = strchr(name, '@');
	char base[64];
	size_t len = at ? (size_t)(at - name) : strlen(name);
	if (len >= sizeof(base))
		return -EINVAL;
	memcpy(base, name, len);
	base[len] = 0;
	int nr = seccomp_syscall_resolve_name(base);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this architecture (poll on arm64) */
	if (!at)
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (has_plain(s, base, len))
		return 0; /* allowed with any arguments anyway */
	if (!strcmp(at, "@stdio")) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, 1));
		return rc < 0 ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, 2));
	}
	if (!strcmp(at, "@noexec"))
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return -EINVAL;
}

static int add_rules(scmp_filter_ctx ctx, const struct sb_set *s)
{
	for (unsigned i = 0; i < s->ncalls; i++) {
		int rc = add_rule(ctx, s, s->calls[i]);
		if (rc < 0) {
			log_err("sandbox: cannot allow %s: %s", s->calls[i], strerror(-rc));
			return -1;
		}
	}
	for (unsigned i = 0; i < s->nioctls; i++) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					  SCMP_A1(SCMP_CMP_EQ, s->ioctls[i].req));
		if (rc < 0) {
			log_err("sandbox: cannot allow ioctl 0x%lx: %s", s->ioctls[i].req, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Compile a set to BPF in memory (libseccomp 2.5 exports only to a file
 * descriptor, hence the memfd). */
static int compile(const struct sb_set *s, struct prog *p)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int fd = -1, ok = -1;
	if (!ctx) {
		log_err("sandbox: seccomp_init failed");
		return -1;
	}
	if (add_rules(ctx, s) < 0)
		goto out;
	fd = memfd_create("vibe-seccomp", MFD_CLOEXEC);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0) {
		log_err("sandbox: exporting the filter: %s", strerror(errno));
		goto out;
	}
	off_t len = lseek(fd, 0, SEEK_END);
	if (len <= 0 || len % (off_t)sizeof(struct sock_filter) || len > 65536)
		goto out;
	struct sock_filter *ins = malloc((size_t)len);
	if (!ins || pread(fd, ins, (size_t)len, 0) != len) {
		free(ins);
		goto out;
	}
	p->fp.len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
	p->fp.filter = ins;
	p->ready = 1;
	ok = 0;
out:
	if (ok < 0 && fd >= 0)
		log_err("sandbox: cannot compile the filter");
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return ok;
}

static int load(const struct prog *p, unsigned flags)
{
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p->fp);
	if (r != 0) {
		if (r > 0)
			errno = EBUSY; /* TSYNC: thread r has an unrelated filter */
		return -1;
	}
	return 0;
}

static void log_line(void *arg, const char *who, const char *calls)
{
	(void)arg;
	log_debug("sandbox: %s thread allows: %s", who, calls);
}

int vibe_sandbox_install(struct vibe_vm *vm, const struct vibe_sandbox_opts *o)
{
	const struct vibe_machine_desc *m = vm->m;
	struct sb_lists l;
	struct sb_set all;
	struct prog proc = { { 0, NULL }, 0 };
	int rc = 2;

	sb.debug_forbidden = o->debug_forbidden;
	if (o->disabled) {
		log_info("sandbox: off (--no-seccomp)");
		return 0;
	}
#ifdef VIBE_SANITIZED
	log_info("sandbox: not installed in a sanitizer build (see docs/architecture/security.md)");
	return 0;
#endif
	if (build_lists(m, &l) < 0) {
		log_err("out of memory");
		return 2;
	}
	sb.dev = calloc(m->ndevs ? m->ndevs : 1, sizeof(*sb.dev));
	memset(&all, 0, sizeof(all));
	add_calls(&all, setup_calls);
	for (unsigned k = 0; k < VIBE_SB_NKINDS; k++)
		add_set(&all, &l.kind[k]);
	for (unsigned i = 0; i < m->ndevs; i++)
		add_set(&all, &l.dev[i]);
	if (vibe_snapshot_ctl_calls) {
		add_calls(&all, vibe_snapshot_ctl_calls);
		add_hv_ioctls(&all, hv_snapshot_vm_ioctls);
	}
	if (!sb.dev || compile(&all, &proc) < 0)
		goto out;
	for (unsigned k = 0; k < VIBE_SB_NKINDS; k++)
		if (l.kind[k].ncalls && compile(&l.kind[k], &sb.kind[k]) < 0)
			goto out;
	for (unsigned i = 0; i < m->ndevs; i++)
		if (l.dev[i].ncalls && compile(&l.dev[i], &sb.dev[i]) < 0)
			goto out;
	/* no_new_privs is what lets an unprivileged process load a filter;
	 * TSYNC passes it to every thread with the filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    load(&proc, SECCOMP_FILTER_FLAG_TSYNC) < 0) {
		log_err("sandbox: cannot install the seccomp filter: %s (run with --no-seccomp to go without)",
			strerror(errno));
		goto out;
	}
	for_each_line(m, &l, log_line, NULL);
	log_info("sandbox: seccomp filter on; a call outside it kills vibevmm with SIGSYS "
		 "(diagnose: --log 3 lists the allowed calls, --no-seccomp runs without)");
	sb.vm = vm;
	__atomic_store_n(&sb.on, 1, __ATOMIC_RELEASE);
	rc = 0;
out:
	free(proc.fp.filter);
	free(l.dev);
	return rc;
}

static void narrow(const struct prog *p, const char *who)
{
	if (sb_narrowed || !__atomic_load_n(&sb.on, __ATOMIC_ACQUIRE))
		return;
	sb_narrowed = 1;
	if (p->ready && load(p, 0) < 0)
		log_err("sandbox: %s thread cannot narrow its filter: %s (the process filter stays)",
			who, strerror(errno));
}

void vibe_sandbox_enter(enum vibe_sb_kind kind)
{
	narrow(&sb.kind[kind], kind_names[kind]);
	if (kind == VIBE_SB_VCPU && sb.debug_forbidden) {
		/* The hidden test flag: a call no thread may make (made with
		 * --no-seccomp too, so that run shows it is harmless then). */
		log_info("sandbox: calling socket(2) from a vCPU thread (--debug-forbidden-syscall)");
		int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (fd >= 0)
			close(fd);
	}
}

void vibe_sandbox_enter_dev(const struct vibe_dev *dev)
{
	if (sb.dev)
		narrow(&sb.dev[dev->index], dev->desc->name);
}

#else /* !VIBE_HAVE_SECCOMP: arm64 cross builds, macOS */

int vibe_sandbox_install(struct vibe_vm *vm, const struct vibe_sandbox_opts *o)
{
	(void)vm;
	if (!o->disabled)
		log_info("sandbox: this vibevmm was built without libseccomp: no filter");
	return 0;
}

void vibe_sandbox_enter(enum vibe_sb_kind kind)
{
	(void)kind;
}

void vibe_sandbox_enter_dev(const struct vibe_dev *dev)
{
	(void)dev;
}
#endif
