/*
 * The stdio console: the guest's serial line on vibevmm's stdin/stdout.
 *
 * Output goes straight to stdout with write(2) (unbuffered, so the guest's
 * text and vibevmm's stderr log interleave in the order they happened).
 * Input is read by one thread into a small ring; the device that owns the
 * input (the first UART) is told when bytes arrive and pulls them when its
 * FIFO has room, so nothing is dropped while the guest is slow.
 *
 * When stdin is a terminal it is put in raw mode (the guest does its own
 * echo and line editing; Ctrl-C goes to the guest) and restored on every
 * way out: console_restore(), atexit, and SIGINT/SIGTERM/SIGHUP. The escape
 * Ctrl-a x quits vibevmm (exit 0), Ctrl-a Ctrl-a sends one Ctrl-a, Ctrl-a h
 * prints the escapes on stderr. Escapes apply only to a terminal: piped
 * input reaches the guest byte for byte.
 */
#ifndef VIBE_CONSOLE_H
#define VIBE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/* Idempotent. Sets up the terminal; does not start reading yet.
 * Returns 0, or -1 after logging why. */
int console_init(void);

/* Put the terminal back as it was. Safe to call more than once, from any
 * thread, and from a signal handler. The runtime calls it before exiting. */
void console_restore(void);

/* Write the guest's bytes to stdout, retrying short writes and EAGAIN.
 * A closed stdout is not an error for the guest: bytes are dropped. */
void console_write(const void *buf, size_t len);

/* Called on the input thread when new bytes are in the ring. */
typedef void (*console_notify_fn)(void *opaque);
/* Called on the input thread for Ctrl-a x. */
typedef void (*console_quit_fn)(void *opaque);

/* Start the input thread and deliver input to one owner. Only the first
 * caller gets stdin; later callers get -1 (and have no input). */
int console_attach_input(console_notify_fn notify, console_quit_fn quit, void *opaque);

/* Who owns stdin when a machine has several consoles on stdio (a UART and
 * a virtio console): the one Linux makes /dev/console, i.e. the one named
 * by the LAST console= word of the kernel command line. `a` and `b` are
 * the machine's boot.cmdline and the user's --cmdline (either NULL). If
 * that word names a Linux tty of one of the consoles that attach with
 * console_attach_input_as() ("hvc0" for the first virtio console), only
 * that one gets stdin; otherwise (console=ttyS0, no console=, a raw
 * binary) the first console_attach_input() caller does. Call before devices attach
 * (main.c: before vibe_vm_setup()). docs/internals/devices.md. */
void console_input_hint(const char *a, const char *b);

/* console_attach_input() for a console that Linux names `tty` ("hvc0"):
 * it gets stdin only if console_input_hint() chose it (devices initialise
 * MMIO first, so a virtio console asks before the UART does). */
int console_attach_input_as(const char *tty, console_notify_fn notify, console_quit_fn quit,
			    void *opaque);

/* Take up to `max` bytes of pending input (non-blocking). Returns how many. */
size_t console_read(uint8_t *buf, size_t max);

#endif
