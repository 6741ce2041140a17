/* SPDX-License-Identifier: MIT */
/* tunnel.c - starting and stopping the two directions */
#include "ttt/datapath/tunnel.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "path.h"
#include "receive.h"
#include "replay.h"
#include "send.h"
#include "ttt/util/clock.h"

struct ttt_tunnel {
	struct ttt_path path;
	struct ttt_rx *rx;
	int fail_fd;
	pthread_t send_thread, recv_thread;
	int threads; /* how many were started */
};

static void signal_failure(struct ttt_tunnel *t)
{
	uint64_t one = 1;

	if (write(t->fail_fd, &one, sizeof(one)) < 0)
		return; /* an eventfd write only fails on overflow: already signalled */
}

static void *send_main(void *arg)
{
	struct ttt_tunnel *t = arg;

	if (ttt_send_run(&t->path) < 0)
		signal_failure(t);
	return NULL;
}

static void *recv_main(void *arg)
{
	struct ttt_tunnel *t = arg;

	if (ttt_receive_run(t->rx) < 0)
		signal_failure(t);
	return NULL;
}

static int init_path(struct ttt_tunnel *t, const struct ttt_tunnel_config *cfg)
{
	struct ttt_path *p = &t->path;

	p->tap_fd = cfg->tap_fd;
	p->sock_fd = cfg->sock_fd;
	p->mtu = cfg->mtu;
	p->window_ns = cfg->window_ns;
	p->keepalive_ns = (uint64_t)cfg->keepalive_s * TTT_NSEC_PER_SEC;
	p->fixed_peer = cfg->peer != NULL;
	p->offload = cfg->offload;
	p->hmac = cfg->hmac;
	p->sealed = ttt_sealed_new();
	if (!p->sealed)
		return -1;
	atomic_init(&p->stopping, false);
	ttt_peer_init(&p->peer, cfg->peer);
	p->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t->fail_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return p->stop_fd < 0 || t->fail_fd < 0 ? -1 : 0;
}

int ttt_tunnel_start(const struct ttt_tunnel_config *cfg, struct ttt_tunnel **out,
		     struct ttt_err *err)
{
	struct ttt_tunnel *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return ttt_err_set(err, "out of memory");
	t->path.stop_fd = t->fail_fd = -1;
	if (init_path(t, cfg) < 0) {
		ttt_err_sys(err, errno, "cannot create an eventfd or the table of sent MACs");
		goto fail;
	}
	t->rx = ttt_rx_new(&t->path, cfg->replay_capacity ? cfg->replay_capacity
							   : TTT_REPLAY_DEFAULT_CAPACITY);
	if (!t->rx) {
		ttt_err_set(err, "out of memory for the receive direction");
		goto fail;
	}
	ttt_replay_raise_floor(ttt_rx_replay(t->rx), cfg->replay_floor);
	ttt_replay_publish(ttt_rx_replay(t->rx), cfg->replay_hwm);
	rc = pthread_create(&t->recv_thread, NULL, recv_main, t);
	if (rc == 0) {
		t->threads++;
		rc = pthread_create(&t->send_thread, NULL, send_main, t);
	}
	if (rc != 0) {
		ttt_err_sys(err, rc, "cannot start a thread");
		goto fail;
	}
	t->threads++;
	*out = t;
	return 0;
fail:
	ttt_tunnel_stop(t);
	return -1;
}

int ttt_tunnel_fail_fd(const struct ttt_tunnel *t)
{
	return t->fail_fd;
}

void ttt_tunnel_stats(const struct ttt_tunnel *t, char *buf, size_t len)
{
	ttt_counters_format(&t->path.counters, buf, len);
}

_Static_assert(TTT_COUNTERS_TOTAL <= TTT_TUNNEL_COUNTERS_MAX, "room for every counter");
_Static_assert(TTT_COUNTER_NAME_MAX <= TTT_TUNNEL_COUNTER_NAME_MAX, "room for every name");

void ttt_tunnel_status(const struct ttt_tunnel *t, struct ttt_tunnel_status *st)
{
	struct ttt_counter_value v[TTT_COUNTERS_TOTAL];
	struct ttt_peer_view view = { .seq = 0 };

	memset(st, 0, sizeof(*st));
	st->have_peer = ttt_peer_get(&t->path.peer, &view);
	if (st->have_peer)
		st->peer = view.addr;
	st->last_rx_ns = atomic_load_explicit(&t->path.counters.last_rx_ns, memory_order_relaxed);
	ttt_counters_list(&t->path.counters, v);
	for (size_t i = 0; i < TTT_COUNTERS_TOTAL; i++) {
		memcpy(st->counters[i].name, v[i].name, sizeof(v[i].name));
		st->counters[i].value = v[i].value;
	}
	st->n_counters = TTT_COUNTERS_TOTAL;
}

void ttt_tunnel_stop(struct ttt_tunnel *t)
{
	uint64_t one = 1;

	if (!t)
		return;
	atomic_store(&t->path.stopping, true);
	if (t->path.stop_fd >= 0 && write(t->path.stop_fd, &one, sizeof(one)) < 0)
		one = 0; /* cannot fail on a fresh eventfd; the flag stops busy threads anyway */
	if (t->threads > 0)
		pthread_join(t->recv_thread, NULL);
	if (t->threads > 1)
		pthread_join(t->send_thread, NULL);
	ttt_rx_free(t->rx);
	free(t->path.sealed);
	if (t->path.stop_fd >= 0)
		close(t->path.stop_fd);
	if (t->fail_fd >= 0)
		close(t->fail_fd);
	free(t);
}
