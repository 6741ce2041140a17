/* SPDX-License-Identifier: MIT */
/* reaper.c - runs a test as a child subreaper: orphans of the test (such as
 * workers a CNI plugin started and left detached) are reparented to us
 * rather than to PID 1, so we reap them, and anything of the test's still
 * alive when the test has ended is reported as a leak (a TAP failure) and
 * stopped. Usage: reaper COMMAND [ARGS...]; exits with COMMAND's status,
 * or 1 when something leaked. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Our children right now (the test's orphans), up to max. */
static int children(pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char path[300], buf[512], *p;
		int ppid;
		FILE *f;
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
			out[n++] = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

static void report(pid_t pid)
{
	char path[64], cmd[256] = "?";
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "re");
	if (f) {
		n = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		cmd[n] = '\0';
		for (size_t i = 0; i + 1 < n; i++)
			if (!cmd[i])
				cmd[i] = ' ';
	}
	printf("not ok - process left behind by the test: %d %s\n", (int)pid, cmd);
}

/* Stops and reaps what the test left; returns how many were alive. */
static int sweep(void)
{
	pid_t pids[256];
	int n = children(pids, 256), leaked = 0;

	for (int i = 0; i < n; i++) {
		if (waitpid(pids[i], NULL, WNOHANG) == pids[i])
			continue; /* a zombie: it ended, it just was not reaped yet */
		report(pids[i]);
		leaked++;
		kill(pids[i], SIGTERM);
	}
	if (leaked) {
		sleep(1);
		for (int i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return leaked;
}

int main(int argc, char **argv)
{
	int status = 0;
	pid_t child, r;

	if (argc < 2) {
		fprintf(stderr, "usage: reaper COMMAND [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("reaper: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	child = fork();
	if (child == 0) {
		execvp(argv[1], argv + 1);
		perror("reaper: exec");
		_exit(127);
	}
	while ((r = wait(&status)) != child)
		if (r < 0 && errno != EINTR)
			return 2;
	fflush(stdout);
	if (sweep() > 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
