/* SPDX-License-Identifier: MIT */
/* json.c - `ttt show --json`: the same, for scripts
 *
 *   {"tunnels": [{"name": ..., "answering": true, "network": ..., ...,
 *                 "counters": {"tx_frames": 12, ...}, "record": {...}}]}
 *
 * Counters are exact integers (written as digits, not through a double);
 * times are UNIX seconds; a field nobody knows is null. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "ttt/util/clock.h"

/* An exact unsigned integer (cJSON's numbers are doubles). */
static bool add_u64(cJSON *o, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return cJSON_AddRawToObject(o, key, num) != NULL;
}

/* A string, or null when s is NULL or empty. */
static bool add_str(cJSON *o, const char *key, const char *s)
{
	return (s && s[0] ? cJSON_AddStringToObject(o, key, s) : cJSON_AddNullToObject(o, key)) != NULL;
}

/* UNIX seconds from ns (null for 0), and the age at now. */
static bool add_time(cJSON *o, const char *key, const char *age_key, uint64_t ns, uint64_t now)
{
	if (!ns)
		return cJSON_AddNullToObject(o, key) && cJSON_AddNullToObject(o, age_key);
	return cJSON_AddNumberToObject(o, key, (double)ns / 1e9) &&
	       cJSON_AddNumberToObject(o, age_key, now > ns ? (double)(now - ns) / 1e9 : 0);
}

static bool add_identity(cJSON *o, const struct tunnel *t)
{
	char pod[600];
	const char *iface = t->record ? tunnel_rec(t, "ifname") : tunnel_get(t, "interface");

	return add_str(o, "name", t->name) && add_str(o, "control_socket", t->sock) &&
	       cJSON_AddBoolToObject(o, "answering", t->answered) &&
	       add_str(o, "error", t->answered ? NULL : t->error) &&
	       add_str(o, "network", t->network) &&
	       add_str(o, "container_id", tunnel_rec(t, "containerID")) &&
	       add_str(o, "pod", tunnel_pod(t, pod, sizeof(pod))) &&
	       add_str(o, "pod_namespace", tunnel_rec(t, "podNamespace")) &&
	       add_str(o, "pod_name", tunnel_rec(t, "podName")) &&
	       add_str(o, "link", tunnel_rec(t, "link")) &&
	       add_str(o, "netns", tunnel_rec(t, "netns")) && add_str(o, "interface", iface);
}

static bool add_worker(cJSON *o, const struct tunnel *t, uint64_t now)
{
	cJSON *c;

	if (!(add_str(o, "listen", tunnel_listen(t)) &&
	      add_str(o, "peer", tunnel_get(t, "peer")) &&
	      add_str(o, "peer_mode", tunnel_get(t, "peer_mode")) &&
	      add_str(o, "log", tunnel_get(t, "log")) &&
	      add_time(o, "started", "uptime_seconds", tunnel_num(t, "started_ns"), now) &&
	      add_time(o, "last_authenticated", "seconds_since_last_authenticated",
		       tunnel_num(t, "last_rx_ns"), now)))
		return false;
	if (t->answered && !(add_u64(o, "pid", tunnel_num(t, "pid")) &&
			     add_u64(o, "restarts", tunnel_num(t, "restarts")) &&
			     add_u64(o, "mtu", tunnel_num(t, "mtu"))))
		return false;
	if (!t->answered)
		return cJSON_AddNullToObject(o, "counters") != NULL;
	c = cJSON_AddObjectToObject(o, "counters");
	for (size_t i = 0; c && i < t->reply.n; i++)
		if (tunnel_is_counter(t->reply.kv[i].key) &&
		    !add_u64(c, t->reply.kv[i].key, tunnel_num(t, t->reply.kv[i].key)))
			return false;
	return c != NULL;
}

static cJSON *tunnel_json(const struct tunnel *t, uint64_t now)
{
	cJSON *o = cJSON_CreateObject(), *rec = NULL;

	if (!o || !add_identity(o, t) || !add_worker(o, t, now))
		goto fail;
	if (t->record && !(rec = cJSON_Duplicate(t->record, true)))
		goto fail;
	if (rec ? !cJSON_AddItemToObject(o, "record", rec) : !cJSON_AddNullToObject(o, "record"))
		goto fail;
	return o;
fail:
	cJSON_Delete(rec);
	cJSON_Delete(o);
	return NULL;
}

int show_json(FILE *out, const struct tunnels *ts)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = root ? cJSON_AddArrayToObject(root, "tunnels") : NULL;
	char *text;

	for (size_t i = 0; list && i < ts->n; i++) {
		cJSON *o = tunnel_json(&ts->v[i], ts->now_ns);
		if (!o || !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			list = NULL;
		}
	}
	text = list ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text) {
		fprintf(stderr, "%s: out of memory\n", TOOL_NAME);
		return -1;
	}
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}
