/* SPDX-License-Identifier: MIT */
/* steptime.c - per-step timestamps for the bench */
#include "ttt/util/steptime.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ttt/util/clock.h"

void ttt_steptime(const char *who, const char *step)
{
	const char *path = getenv("TTT_STEP_TIMES");
	char line[128];
	int n, fd;

	if (!path || !*path)
		return;
	n = snprintf(line, sizeof(line), "%s %s %llu\n", who, step,
		     (unsigned long long)(ttt_realtime_ns() / 1000));
	if (n <= 0 || n >= (int)sizeof(line))
		return;
	/* Opened per mark, so no descriptor outlives it (children close theirs). */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		n = 0; /* a lost line only shortens the breakdown */
	close(fd);
}
