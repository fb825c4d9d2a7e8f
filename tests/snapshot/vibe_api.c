/*
 * vibe-api: send commands to a vibevmm --api-socket and print the replies,
 * for shell scripts where no Unix-socket client exists (the Linux test
 * bed's L1 has only busybox, whose nc has no -U). Built statically into
 * build/tests/linux/l1-bin/, which the L1 initramfs carries.
 *
 *   vibe-api [-w SECONDS] SOCKET COMMAND...
 *
 * Waits up to -w seconds (default 10) for the socket to accept (with no
 * COMMAND that is all it does), sends each COMMAND as a line, prints each reply line. Exit status 0 when every reply
 * starts with "ok", 1 otherwise, 2 when it cannot connect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snap_util.h"

int main(int argc, char **argv)
{
	int wait_s = 10, i = 1, rc = 0;
	if (argc > 2 && !strcmp(argv[1], "-w")) {
		wait_s = atoi(argv[2]);
		i = 3;
	}
	if (argc - i < 1) {
		fprintf(stderr, "usage: vibe-api [-w SECONDS] SOCKET COMMAND...\n");
		return 2;
	}
	int fd = api_connect(argv[i], wait_s * 1000);
	if (fd < 0) {
		fprintf(stderr, "vibe-api: cannot connect to %s\n", argv[i]);
		return 2;
	}
	for (i++; i < argc; i++) {
		char reply[512];
		if (api_cmd(fd, argv[i], reply, sizeof(reply), 120000) < 0) {
			fprintf(stderr, "vibe-api: no reply to '%s'\n", argv[i]);
			return 1;
		}
		printf("%s\n", reply);
		if (strncmp(reply, "ok", 2) != 0)
			rc = 1;
	}
	close(fd);
	return rc;
}
