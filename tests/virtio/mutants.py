#!/usr/bin/env python3
"""Mutation check for the virtio tests: shows the tests can fail.

Each mutant weakens or removes one validation check in runtime/virtio/*.
For every mutant the script copies the sources to a temporary folder, applies
the change there (the work tree is never modified), builds both test binaries
against the copy and runs them. A mutant that no test catches is listed as
SURVIVED, and the script exits 1. Run from the repository root:

    python3 tests/virtio/mutants.py            # all mutants
    python3 tests/virtio/mutants.py loop avail  # names containing a word

This is a tool, not part of `make test` (it takes a minute).
"""
import os, shutil, subprocess, sys, tempfile

VQ, MM, VH = "virtqueue.c", "virtio_mmio.c", "virtqueue.h"

# (name, file, text to find, replacement). Text must occur in the file.
MUTANTS = [
    ("buf-unchecked", VQ, "if (!p)\n\t\treturn VIRTQ_ERR_BUF_ADDR;", ""),
    ("loop-bound+1", VQ, "if (++steps > table_len ||", "if (++steps > table_len + 1 ||"),
    ("avail-jump+1", VQ, "> vq->size)\n\t\t\treturn VIRTQ_ERR_AVAIL_IDX", "> vq->size + 1)\n\t\t\treturn VIRTQ_ERR_AVAIL_IDX"),
    ("avail-reread", VQ, "if (vq->shadow_avail == vq->last_avail) {", "if (1) {"),
    ("head-range", VQ, "if (head >= vq->size)", "if (head > vq->size)"),
    ("next-range", VQ, "if (d.next >= table_len)", "if (d.next > table_len)"),
    ("len-overflow", VQ, "if (d->len > UINT32_MAX - *total)", "if (0)"),
    ("order", VQ, "if (!w && ch->n > ch->n_out)", "if (0)"),
    ("iov-max", VQ, "if (ch->n >= iov_max)", "if (ch->n > iov_max)"),
    ("zero-len-mapped", VQ, "if (d->len == 0)\n\t\treturn VIRTQ_OK;", ""),
    ("indirect-feature", VQ, "if (!vq->indirect)", "if (0)"),
    # Without the nesting check a self-referencing table would spin; the
    # walker's `total` bound turns that into VIRTQ_ERR_LOOP, so this mutant
    # fails tests instead of hanging them (removing `total` alone is an
    # equivalent mutant while nesting is refused, hence not listed).
    ("indirect-nested", VQ, "if (in_indirect)\n\t\t\t\treturn VIRTQ_ERR_INDIRECT_NESTED;", ""),
    ("indirect-next", VQ, "if (d.flags & VIRTQ_DESC_F_NEXT)\n\t\t\t\treturn VIRTQ_ERR_INDIRECT_NEXT;", ""),
    ("indirect-len0", VQ, "d.len == 0 ||", ""),
    ("indirect-len16", VQ, "d.len % sizeof(struct virtq_desc) ||", ""),
    ("indirect-max", VQ, "d.len / sizeof(struct virtq_desc) > VIRTQ_MAX_SIZE", "0"),
    ("indirect-addr", VQ, "if (!table)\n\t\t\t\treturn VIRTQ_ERR_INDIRECT_ADDR;", ""),
    ("size-pow2", VQ, "(size & (size - 1)) != 0 ||", ""),
    ("align-desc", VQ, "(desc_gpa & 15) ||", ""),
    ("align-avail", VQ, "(avail_gpa & 1) ||", ""),
    ("align-used", VQ, "|| (used_gpa & 3)", ""),
    ("used-ring-size", VQ, "6ull + 8ull * size", "8ull * size"),
    ("avail-ring-unchecked", VQ, "if (!d || !a || !u)", "if (!d || !u)"),
    ("desc-ring-unchecked", VQ, "if (!d || !a || !u)", "if (!a || !u)"),
    ("pop-not-ready", VQ, "if (!vq->ready)\n\t\treturn VIRTQ_ERR_NOT_READY;\n\terr = avail_pending", "err = avail_pending"),
    ("push-inflight", VQ, "head >= vq->size || vq->inflight == 0", "head >= vq->size"),
    ("used-idx-unpublished", VQ, "st16(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);", ""),
    ("no-interrupt-flag", VQ, "return !(ld16(&vq->avail->flags, __ATOMIC_RELAXED) & VIRTQ_AVAIL_F_NO_INTERRUPT);", "return true;"),
    ("avail-event-while-off", VQ, "if (vq->event_idx && !vq->no_notify)", "if (vq->event_idx)"),
    ("avail-event-on-enable", VQ, "if (vq->event_idx)\n\t\tst16(avail_event_p(vq), vq->last_avail, __ATOMIC_RELAXED);\n\telse", "if (vq->event_idx) {} else"),
    ("need-event", VH, "(uint16_t)(new_idx - event_idx - 1) < (uint16_t)", "(uint16_t)(new_idx - event_idx - 1) <= (uint16_t)"),
    ("feat-subset", MM, "!t->driver_features_high && !(t->driver_features & ~offered(t)) &&", "!t->driver_features_high &&"),
    ("feat-high", MM, "return !t->driver_features_high && ", "return "),
    ("feat-version1", MM, "(t->driver_features >> VIRTIO_F_VERSION_1) & 1;", "1;"),
    ("feat-frozen", MM, "if (t->status & (VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_NEEDS_RESET)) {", "if (0) {"),
    ("dev-feat-sel", MM, "return t->dev_features_sel < 2 ?", "return 1 ?"),
    ("status-unknown-bits", MM, "if (want & ~DRIVER_BITS)", "if (0)"),
    ("status-cleared", MM, "if (cur & ~want)", "if (0)"),
    ("status-driver-no-ack", MM, "if ((want & VIRTIO_STATUS_DRIVER) && !(want & VIRTIO_STATUS_ACKNOWLEDGE))", "if (0)"),
    ("status-fok-no-driver", MM, "if ((want & VIRTIO_STATUS_FEATURES_OK) && !(want & VIRTIO_STATUS_DRIVER))", "if (0)"),
    ("status-dok-no-fok", MM, "if ((want & VIRTIO_STATUS_DRIVER_OK) && !(want & VIRTIO_STATUS_FEATURES_OK))", "if (0)"),
    ("status-broken-sticky", MM, "\tif (t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {\n\t\t/* Broken", "\tif (0) {\n\t\t/* Broken"),
    ("activate-failure", MM, "if ((added & VIRTIO_STATUS_DRIVER_OK) && t->be->activate && t->be->activate(t) < 0)", "if (0)"),
    ("needs-reset-logged-once", MM, "if (t->status & VIRTIO_STATUS_NEEDS_RESET)\n\t\treturn;", "if (0)\n\t\treturn;"),
    ("needs-reset-config-irq", MM, "if (t->status & VIRTIO_STATUS_DRIVER_OK)\n\t\traise_locked(t, VIRTIO_MMIO_INT_CONFIG);\n}", "}"),
    ("queue-after-driver-ok", MM, "\tif (t->status & VIRTIO_STATUS_DRIVER_OK) {\n\t\tneeds_reset_locked(t, \"queue setup after DRIVER_OK\");", "\tif (0) {\n\t\tneeds_reset_locked(t, \"queue setup after DRIVER_OK\");"),
    ("queue-while-ready", MM, "\tif (t->q[t->queue_sel].vq.ready) {", "\tif (0) {"),
    ("queue-absent", MM, "if (t->queue_sel >= t->be->num_queues) {\n\t\tlog_warn_ratelimited(\"%s: virtio: setup of absent", "if (t->queue_sel >= 1000) {\n\t\tlog_warn_ratelimited(\"%s: virtio: setup of absent"),
    ("queue-num-pow2", MM, "if (v == 0 || v > t->be->queue_max || (v & (v - 1)))", "if (v == 0 || v > t->be->queue_max)"),
    ("queue-num-zero", MM, "if (v == 0 || v > t->be->queue_max || (v & (v - 1)))", "if (v > t->be->queue_max || (v & (v - 1)))"),
    ("queue-ready-no-fok", MM, "if (!(t->status & VIRTIO_STATUS_FEATURES_OK)) {\n\t\t/* The ring layout", "if (0) {\n\t\t/* The ring layout"),
    ("queue-num-max-absent", MM, "return qok ? t->be->queue_max : 0;", "return t->be->queue_max;"),
    ("reset-queue-num", MM, "q->num = t->be->queue_max;", ""),
    ("reset-interrupts", MM, "\tt->interrupt_status = 0;\n\tupdate_line_locked(t);\n}", "}"),
    ("notify-before-driver-ok", MM, "if (!(t->status & VIRTIO_STATUS_DRIVER_OK))\n\t\tlog_warn_ratelimited(\"%s: virtio: notify before", "if (0)\n\t\tlog_warn_ratelimited(\"%s: virtio: notify before"),
    ("notify-when-broken", MM, "\telse if (t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))\n\t\t;", "\telse if (0)\n\t\t;"),
    ("notify-not-ready", MM, "else if (q >= t->be->num_queues || !t->q[q].vq.ready)", "else if (q >= t->be->num_queues)"),
    ("used-irq-when-broken", MM, "if ((t->status & VIRTIO_STATUS_DRIVER_OK) && !(t->status & VIRTIO_STATUS_NEEDS_RESET))\n\t\traise_locked(t, VIRTIO_MMIO_INT_VRING);", "raise_locked(t, VIRTIO_MMIO_INT_VRING);"),
    ("irq-ack-partial", MM, "\t\tt->interrupt_status &= ~v;\n\t\tupdate_line_locked(t);", "\t\tt->interrupt_status &= ~v;\n\t\tt->irq_set(t->irq_opaque, 0);"),
    ("irq-on-change-only", MM, "if (level == t->irq_level || !t->irq_set)", "if (!t->irq_set)"),
    ("config-generation", MM, "t->config_generation++;", ""),
    ("reg-size", MM, "} else if (size == 4 && !(off & 3)) {", "} else if (size >= 4 && !(off & 3)) {"),
    ("config-align", MM, "(size == 1 || size == 2 || size == 4) && !(off & (size - 1)) &&", "(size == 1 || size == 2 || size == 4) &&"),
    ("config-end", MM, "size <= t->be->config_size - off", "1"),
    ("config-start", MM, "off < t->be->config_size &&", ""),
    ("backend-queue-max", MM, "m == 0 || (m & (m - 1)) ||", ""),
]

CFLAGS = ["-O1", "-g", "-w", "-D_GNU_SOURCE", "-Iruntime/include"]
# test binary -> (runtime sources, test-side sources besides its own file)
TESTS = {
    "test_virtqueue": ([VQ], ["vq_fixture.c"]),
    "test_virtqueue_random": ([VQ], ["vq_fixture.c"]),
    "test_virtio_mmio": ([VQ, MM], ["mmio_fixture.c"]),
    "test_virtio_mmio_queues": ([VQ, MM], ["mmio_fixture.c"]),
}


def run(tmp, name, fname, old, new):
    for f in (VQ, MM, VH, "virtio_mmio.h"):
        shutil.copy(os.path.join("runtime/virtio", f), tmp)
    path = os.path.join(tmp, fname)
    src = open(path).read()
    if old not in src:
        return "STALE (pattern not found; update the mutant)"
    open(path, "w").write(src.replace(old, new, 1))
    caught = []
    for test, (srcs, helpers) in TESTS.items():
        exe = os.path.join(tmp, test)
        cmd = ["cc", *CFLAGS, "-I" + tmp, *[os.path.join(tmp, s) for s in srcs],
               *["tests/virtio/" + h for h in [test + ".c", "fake_guest.c", *helpers]],
               "-o", exe, "-lcmocka", "-lpthread"]
        if subprocess.run(cmd, capture_output=True).returncode:
            return "NO BUILD (fix the mutant)"
        try:
            r = subprocess.run([exe], capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired:  # a hang is a failure too
            caught.append("%s (hung)" % test)
            continue
        out = r.stdout + r.stderr
        fails = [l.split()[-1] for l in out.splitlines() if l.startswith("[  FAILED  ] test_")]
        if r.returncode or fails:
            caught += fails or ["%s (exit %d)" % (test, r.returncode)]
    return "CAUGHT by " + ", ".join(dict.fromkeys(caught)) if caught else "SURVIVED"


def main():
    words = sys.argv[1:]
    picked = [m for m in MUTANTS if not words or any(w in m[0] for w in words)]
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, fname, old, new in picked:
            verdict = run(tmp, name, fname, old, new)
            bad += not verdict.startswith("CAUGHT")
            print("%-26s %s" % (name, verdict), flush=True)
    print("\n%d mutants, %d not caught" % (len(picked), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
