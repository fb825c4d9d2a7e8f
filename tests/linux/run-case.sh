#!/bin/sh
# Run one Linux test-bed case and print its one verdict line:
#   VIBE-RESULT NAME PASS|FAIL|SKIP DETAIL
# Used by l1-init.sh inside L1 and by run.sh in direct mode, so a case runs
# the same way in both. POSIX sh: it runs under busybox ash in L1, dash on hosts.
#
# Usage: run-case.sh NAME      (the case is $VIBE_ROOT/tests/linux/cases/NAME.sh)
# The caller exports the base environment (see cases/README in case-lib.sh):
# VIBE_ROOT VIBE_TESTBED VIBE_L2_KERNEL VIBE_L2_INITRD VIBE_L2_KVER VIBE_VMM
# VIBE_QEMU VIBE_VMRUN. This script adds VIBE_CASE, VIBE_SCRATCH and
# VIBE_RESULT_FILE, runs the case with a deadline (header line
# `# vibe-timeout: SECONDS`, default 120) in its own session, and on timeout
# kills that whole session, VMs included.
set -eu

name=$1
case_file=$VIBE_ROOT/tests/linux/cases/$name.sh
if [ ! -f "$case_file" ]; then
	echo "VIBE-RESULT $name FAIL no such case $case_file"
	exit 0
fi
timeout=$(sed -n 's/^# vibe-timeout: *\([0-9][0-9]*\).*/\1/p' "$case_file" | head -n1)
[ -n "$timeout" ] || timeout=120

VIBE_CASE=$name
VIBE_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vibe-case-$name.XXXXXX")
VIBE_RESULT_FILE=$VIBE_SCRATCH/.result
export VIBE_CASE VIBE_SCRATCH VIBE_RESULT_FILE VIBE_CASE_DEADLINE=$timeout

# setsid: the case and every process it starts share a new session whose id
# is the case's pid (a background job of a non-interactive shell is not a
# group leader, so setsid does not fork). The case's output goes to our stdout
# (the L1 console / run.sh's log) for diagnosis; only our last line is a verdict.
setsid sh -c '. "$VIBE_ROOT/tests/linux/case-lib.sh"; . "$1"' case "$case_file" &
pid=$!

# kill_session SID: SIGKILL every process of session SID. Killing the group
# is not enough: vmrun puts each VMM into a group of its own (so that its own
# deadline reaches the VMM's helpers), but the session is inherited by all.
kill_session() {
	sid=$1
	for st in /proc/[0-9]*/stat; do
		# Shell built-ins only: a fork per process costs real time in TCG L1.
		line=
		read -r line 2>/dev/null < "$st" || continue
		# Fields after the ")" closing the command name: state ppid pgrp session.
		# shellcheck disable=SC2086
		set -- ${line##*) }
		[ "${4:-}" = "$sid" ] || continue
		p=${st#/proc/}
		kill -s KILL "${p%/stat}" 2>/dev/null || true
	done
}
start=$(date +%s)
timed_out=0
while kill -0 "$pid" 2>/dev/null; do
	if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
		timed_out=1
		kill_session "$pid"
		break
	fi
	sleep 0.2
done
rc=0
wait "$pid" 2>/dev/null || rc=$?
# Whatever the case left running (it should leave nothing) goes now.
kill_session "$pid"
secs=$(( $(date +%s) - start ))

if [ "$timed_out" = 1 ]; then
	verdict="FAIL timed out after ${timeout}s"
elif [ -s "$VIBE_RESULT_FILE" ]; then
	verdict=$(head -n1 "$VIBE_RESULT_FILE")
else
	verdict="FAIL case exited (status $rc) without a verdict"
fi
rm -rf "$VIBE_SCRATCH"
echo "VIBE-RESULT $name $verdict (${secs}s)"
