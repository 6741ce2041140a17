/* SPDX-License-Identifier: MIT */
/* control_proto.c - the control socket's line protocol: parsing requests
 * and replies, writing replies (no I/O here: see control.c) */
#include "ttt/worker/control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool key_valid(const char *k, size_t n)
{
	if (n == 0 || n > TTT_CONTROL_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!key_char(k[i]))
			return false;
	return true;
}

/* Printable: no control character (UTF-8 bytes above 0x7f are let through). */
static bool value_valid(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	return true;
}

int ttt_control_parse_request(const char *buf, size_t len)
{
	static const char get[] = "get=1\n";
	size_t n = sizeof(get) - 1;

	if (len > TTT_CONTROL_REQUEST_MAX)
		return -1;
	/* The only request there is: compare what has arrived with it. */
	if (memcmp(buf, get, len < n ? len : n) != 0)
		return -1;
	if (len <= n)
		return 0;
	if (buf[n] != '\n')
		return -1;
	return len == n + 1 ? 1 : -1; /* nothing may follow the empty line */
}

void ttt_control_put(struct ttt_control_out *o, const char *key, const char *fmt, ...)
{
	va_list ap;
	size_t start = o->len, room;
	int n;

	if (o->overflow || o->len >= o->cap)
		goto overflow;
	room = o->cap - o->len;
	n = snprintf(o->buf + o->len, room, "%s=", key);
	if (n < 0 || (size_t)n >= room)
		goto overflow;
	o->len += (size_t)n;
	room -= (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 >= room) /* and the newline */
		goto overflow;
	for (char *p = o->buf + o->len; p < o->buf + o->len + n; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	o->len += (size_t)n;
	o->buf[o->len++] = '\n';
	o->buf[o->len] = '\0';
	return;
overflow:
	o->overflow = true;
	o->len = start < o->cap ? start : o->cap;
}

/* errno=N with N a small decimal number. */
static int parse_errno(const char *v, int *out)
{
	char *end;
	long n;

	if (*v < '0' || *v > '9' || strlen(v) > 4)
		return -1;
	n = strtol(v, &end, 10);
	if (*end)
		return -1;
	*out = (int)n;
	return 0;
}

/* One line (NUL-terminated, without its newline) into r. */
static int take_line(char *line, size_t n, struct ttt_control_reply *r, struct ttt_err *err)
{
	char *eq = memchr(line, '=', n);

	if (!eq || !key_valid(line, (size_t)(eq - line)))
		return ttt_err_set(err, "malformed line %zu in the reply", r->n + 1);
	if (!value_valid(eq + 1, n - (size_t)(eq - line) - 1))
		return ttt_err_set(err, "a control character on line %zu of the reply", r->n + 1);
	if (r->n == TTT_CONTROL_KEYS_MAX)
		return ttt_err_set(err, "more than %d lines in the reply", TTT_CONTROL_KEYS_MAX);
	*eq = '\0';
	r->kv[r->n].key = line;
	r->kv[r->n].value = eq + 1;
	r->n++;
	return 0;
}

int ttt_control_parse_reply(char *buf, size_t len, struct ttt_control_reply *r,
			    struct ttt_err *err)
{
	size_t off = 0;
	bool ended = false;

	r->n = 0;
	r->errnum = -1;
	if (len > TTT_CONTROL_REPLY_MAX)
		return ttt_err_set(err, "the reply is longer than %d bytes", TTT_CONTROL_REPLY_MAX);
	if (memchr(buf, '\0', len))
		return ttt_err_set(err, "a NUL byte in the reply");
	buf[len] = '\0';
	while (off < len) {
		char *line = buf + off, *nl = memchr(line, '\n', len - off);
		size_t n;
		if (!nl)
			return ttt_err_set(err, "the reply ends in the middle of a line");
		n = (size_t)(nl - line);
		*nl = '\0';
		off += n + 1;
		if (n == 0) { /* the end: the errno line must be just before it */
			ended = true;
			break;
		}
		if (take_line(line, n, r, err) < 0)
			return -1;
	}
	if (!ended || off != len || r->n == 0)
		return ttt_err_set(err, "the reply does not end with an empty line");
	if (strcmp(r->kv[r->n - 1].key, "errno") != 0 ||
	    parse_errno(r->kv[r->n - 1].value, &r->errnum) < 0)
		return ttt_err_set(err, "the reply does not end with errno=N");
	return 0;
}

const char *ttt_control_get(const struct ttt_control_reply *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->kv[i].key, key) == 0)
			return r->kv[i].value;
	return NULL;
}
