/* SPDX-License-Identifier: MIT */
/* replaystate.c - the replay filter's high-water mark in a shared page */
#include "replaystate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_BYTES 4096

/* Maps fd's page, sizing and initialising a new (empty) one. */
static int map(struct ttt_replay_state *s, int fd, const char *what, struct ttt_err *err)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0)
		return ttt_err_sys(err, errno, "cannot stat %s", what);
	if (!S_ISREG(st.st_mode))
		return ttt_err_set(err, "%s is not a regular file", what);
	if (st.st_size != 0 && st.st_size != PAGE_BYTES)
		return ttt_err_set(err, "%s is not a replay state file (%lld bytes)", what,
				   (long long)st.st_size);
	if (st.st_size == 0 && ftruncate(fd, PAGE_BYTES) < 0)
		return ttt_err_sys(err, errno, "cannot size %s", what);
	p = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return ttt_err_sys(err, errno, "cannot map %s", what);
	s->page = p;
	if (s->page->magic == 0 && atomic_load(&s->page->hwm) == 0)
		s->page->magic = TTT_REPLAY_STATE_MAGIC; /* new */
	if (s->page->magic != TTT_REPLAY_STATE_MAGIC) {
		munmap(p, PAGE_BYTES);
		s->page = NULL;
		return ttt_err_set(err, "%s is not a replay state file", what);
	}
	s->fd = fd;
	return 0;
}

int ttt_replay_state_open(struct ttt_replay_state *s, const char *path, struct ttt_err *err)
{
	char what[4200];
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);

	s->fd = -1;
	s->page = NULL;
	snprintf(what, sizeof(what), "replay state file %s", path);
	if (fd < 0)
		return ttt_err_sys(err, errno, "cannot open %s", what);
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return ttt_err_set(err, "%s must be ours and writable by us alone", what);
	}
	if (map(s, fd, what, err) < 0) {
		close(fd);
		return -1;
	}
	return 0;
}

int ttt_replay_state_anon(struct ttt_replay_state *s, uint64_t hwm, struct ttt_err *err)
{
	int fd = memfd_create("ttt-replay-state", MFD_CLOEXEC);

	s->fd = -1;
	s->page = NULL;
	if (fd < 0)
		return ttt_err_sys(err, errno, "cannot create the replay state page");
	if (map(s, fd, "the replay state page", err) < 0) {
		close(fd);
		return -1;
	}
	atomic_store(&s->page->hwm, hwm);
	return 0;
}

int ttt_replay_state_adopt(struct ttt_replay_state *s, int fd, struct ttt_err *err)
{
	char what[64];

	s->fd = -1;
	s->page = NULL;
	snprintf(what, sizeof(what), "the supervisor's replay state (fd %d)", fd);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return ttt_err_sys(err, errno, "%s", what);
	return map(s, fd, what, err);
}

void ttt_replay_state_close(struct ttt_replay_state *s)
{
	if (s->page)
		munmap(s->page, PAGE_BYTES);
	if (s->fd >= 0)
		close(s->fd);
	s->page = NULL;
	s->fd = -1;
}
