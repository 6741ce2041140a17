/* SPDX-License-Identifier: MIT */
/* ttt.c - `ttt`: the operator's tool (show, metrics, genkey, derive-key) */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "ttt/version.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "show", cmd_show, "every tunnel on this node, with its counters (--json, --prometheus)" },
	{ "metrics", cmd_metrics, "the counters for Prometheus (stdout, or node_exporter's textfile)" },
	{ "genkey", cmd_genkey, "a new preshared key, into a new file (0600) or to stdout" },
	{ "derive-key", cmd_derive_key, "the key file of one link, derived from a network's key" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "Usage: " TOOL_NAME " <command> [options]\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].what);
	fprintf(out, "  %-10s %s\n  %-10s %s\n", "help", "this help", "version", "the version");
	fprintf(out, "\n`" TOOL_NAME " <command> --help` tells more. Without a command: show.\n");
}

int tool_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, TOOL_NAME " %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

const char *tool_dir(const char *given)
{
	return given ? given : ttt_run_dir();
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "show";

	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf(TOOL_NAME " %s\n", TTT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc > 1 ? argc - 1 : 1, argc > 1 ? argv + 1 : argv);
	fprintf(stderr, TOOL_NAME ": unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
