# SPDX-License-Identifier: MIT
# tests/sanitize.mk - `make check-sanitize`: the whole test suite (unit and
# integration, exactly what `make check` runs) with every C program built
# under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer.
# Included at the end of the main Makefile, or used on its own:
#   make -f Makefile -f tests/sanitize.mk check-sanitize
#
# - Build: a recursive $(MAKE) with BUILD=$(SAN_BUILD), CFLAGS=$(SAN_FLAGS)
#   and LDFLAGS=$(SAN_LDFLAGS) (the Makefile puts CFLAGS into every compile
#   and LDFLAGS into every link): libttt, ttt-worker, libtttcni, the plugin,
#   the unit tests and the reaper. The Go libcni client is built there too,
#   as `make check` builds it (Go reads neither CFLAGS nor LDFLAGS: it is not
#   sanitized, and needs not be). A change of SAN_FLAGS, SAN_LDFLAGS or of
#   the options below rebuilds the C objects and relinks.
# - The runtimes are linked statically (-static-libasan -static-libubsan).
#   GCC's shared libasan.so and libubsan.so each carry their own copy of
#   sanitizer_common, and libubsan's call that applies log_path binds to
#   libasan's (GCC PR 94328; google/sanitizers#912, #1675): UBSan would keep
#   writing to stderr whatever its options say. Static, UBSan uses ASan's
#   sanitizer_common: one set of common options, one report file. It also
#   keeps ASan's link-order check out of the way of the test that preloads
#   libfaketime, and the binaries load no libasan8/libubsan1/libstdc++6
#   (-static-libgcc: nor libgcc_s); the runtimes still need libm.
# - Run: tests/run.sh with BUILD=$(SAN_BUILD). Any report is fatal
#   (-fno-sanitize-recover=all, halt_on_error, abort_on_error: SIGABRT) and
#   is written to $(SAN_LOGS)/report.<pid> (log_path) rather than stderr:
#   the ttt-worker processes the CNI plugin starts are detached, their
#   stderr a log file the test deletes, and their leak report is written
#   when DEL stops them.
# - The options are compiled into every sanitized program as well
#   (__asan/__lsan/__ubsan_default_options, in $(SAN_HELPER), linked through
#   LDFLAGS), and also set in the environment (which takes precedence): the
#   integration tests run the plugin under `env -i`, so neither it nor the
#   workers it starts would see ASAN_OPTIONS, UBSAN_OPTIONS or LSAN_OPTIONS.
# - Verdict: while the runner runs, every new report file is attributed to
#   the test that was running (the runner prints "# <suite>" before each
#   one, and a suite's processes are all gone - reaped by the reaper - before
#   the next starts), printed in full as a "not ok" line, and counted as a
#   failure. The runner's own "N passed, N failed" line is printed as is;
#   the final "N passed, N failed" line adds the reports to the failures.
#   The target fails when the runner fails or any report was written.

SAN_BUILD  ?= build-san
SAN_FLAGS  ?= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1 -g
SAN_LDFLAGS ?= $(SAN_FLAGS) -static-libasan -static-libubsan -static-libgcc
SAN_LOGS   := $(abspath $(SAN_BUILD))/sanitizer-logs
SAN_SUPP   := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))/sanitize.supp
SAN_SCRIPT := $(SAN_BUILD)/check-sanitize.sh
SAN_HELPER := $(SAN_BUILD)/san/san_defaults.o
# What `make check` builds, under $(SAN_BUILD) instead of $(BUILD).
SAN_TARGETS = all $(patsubst $(BUILD)/%,$(SAN_BUILD)/%,$(UNIT_BINS) $(TOOLS) $(CNICLIENT))
# What links $(SAN_HELPER) (relinked when it changes), and what SAN_FLAGS
# compiled (removed when they change).
SAN_LINKED  = $(patsubst $(BUILD)/%,$(SAN_BUILD)/%,$(WORKER) $(PLUGIN) $(TOOL) $(UNIT_BINS) $(TOOLS))
SAN_COMPILED = $(SAN_BUILD)/obj $(SAN_BUILD)/libttt.a $(SAN_BUILD)/libtttcni.a

# log_path: one file per reporting process, report.<pid>, absolute (the
# tests change directories), in a mode 1777 directory (some commands run as
# nobody or without capabilities; a sanitizer that cannot open its file
# dies without the report). ASan, LSan and UBSan share it.
# detect_leaks: LeakSanitizer at every exit (ASan's default on x86_64,
# said explicitly). detect_stack_use_after_return: stack frames of returned
# functions are poisoned too. Suppressions: LSan's, tests/sanitize.supp,
# each entry with its reason.
SAN_ASAN_OPTIONS  := detect_leaks=1:abort_on_error=1:halt_on_error=1:log_path=$(SAN_LOGS)/report:detect_stack_use_after_return=1
SAN_LSAN_OPTIONS  := suppressions=$(SAN_SUPP):print_suppressions=1
SAN_UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$(SAN_LOGS)/report

.PHONY: check-sanitize
# all: the plain build too, which the libfaketime row of test_faults runs.
check-sanitize: all $(SAN_HELPER)
	$(Q)$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) BUILD=$(SAN_BUILD) \
		CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_LDFLAGS) $(abspath $(SAN_HELPER))" $(SAN_TARGETS)
	$(shell mkdir -p $(SAN_BUILD))$(file >$(SAN_SCRIPT),$(SAN_RUN))
	$(Q)BUILD=$(SAN_BUILD) SAN_LOGS=$(SAN_LOGS) ASAN_OPTIONS=$(SAN_ASAN_OPTIONS) \
		LSAN_OPTIONS=$(SAN_LSAN_OPTIONS) UBSAN_OPTIONS=$(SAN_UBSAN_OPTIONS) \
		sh $(SAN_SCRIPT)

# The helper: rewritten on every run, compiled (without sanitizers: the
# runtimes call it before they are set up) only when its text changed - it
# holds the options and the flags - and then what was built with other
# flags or options is removed, to be built again.
$(SAN_HELPER): FORCE
	$(shell mkdir -p $(dir $(SAN_HELPER)))$(file >$(SAN_HELPER:.o=.c).tmp,$(SAN_HELPER_C))
	$(Q)if [ -e $@ ] && cmp -s $(SAN_HELPER:.o=.c).tmp $(SAN_HELPER:.o=.c); then \
		rm -f $(SAN_HELPER:.o=.c).tmp; \
	else \
		printf '  %-6s %s\n' CC $@; \
		mv -f $(SAN_HELPER:.o=.c).tmp $(SAN_HELPER:.o=.c) && \
		rm -rf $(SAN_COMPILED) $(SAN_LINKED) && \
		$(CC) -std=c11 -D_GNU_SOURCE $(WARNINGS) -O1 -g -c -o $@ $(SAN_HELPER:.o=.c); \
	fi

define SAN_HELPER_C
/* Generated by tests/sanitize.mk - linked into every program of
 * $(SAN_BUILD). Compiled with: $(SAN_FLAGS)
 * Linked with: $(SAN_LDFLAGS)
 * The sanitizers' options, compiled in: they hold even under `env -i`,
 * and ASAN_OPTIONS, LSAN_OPTIONS and UBSAN_OPTIONS still override them. */
const char *__asan_default_options(void);
const char *__lsan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "$(SAN_ASAN_OPTIONS)";
}

const char *__lsan_default_options(void)
{
	return "$(SAN_LSAN_OPTIONS)";
}

const char *__ubsan_default_options(void)
{
	return "$(SAN_UBSAN_OPTIONS)";
}
endef

# The run, as a script written into $(SAN_BUILD) ($$ is a shell $).
define SAN_RUN
#!/bin/sh
# Generated by tests/sanitize.mk: runs tests/run.sh under the sanitizers'
# options (from the environment) and fails on any report in $$SAN_LOGS.
set -u
rm -rf "$$SAN_LOGS" && mkdir -p "$$SAN_LOGS" && chmod 1777 "$$SAN_LOGS" || exit 1
OUT=$$(dirname "$$SAN_LOGS")/check-sanitize.out
SEEN=$$SAN_LOGS/.seen
: >"$$SEEN"

# claim SUITE: the reports not seen yet were written while SUITE ran.
claim() {
	for f in "$$SAN_LOGS"/report.*; do
		[ -f "$$f" ] || continue
		grep -qxF "$$f" "$$SEEN" && continue
		echo "$$f" >>"$$SEEN"
		echo "not ok - $$1: sanitizer report $$f"
		sed 's/^/#   /' "$$f"
		echo "$$1: $$f" >>"$$SAN_LOGS/.index"
	done
}

echo "# check-sanitize: BUILD=$$BUILD"
echo "# ASAN_OPTIONS=$$ASAN_OPTIONS"
echo "# LSAN_OPTIONS=$$LSAN_OPTIONS"
echo "# UBSAN_OPTIONS=$$UBSAN_OPTIONS"
start=$$(date +%s)
suite="(before the first test)"
{ sh tests/run.sh; echo "$$?" >"$$OUT.status"; } 2>&1 | tee "$$OUT" | while IFS= read -r line; do
	case $$line in
	"# unit/"* | "# integration/"*)
		claim "$$suite"
		suite=$${line#"# "}
		;;
	[0-9]*" passed, "[0-9]*" failed")
		claim "$$suite"
		suite="(after the last test)"
		;;
	esac
	printf '%s\n' "$$line"
done
claim "(after the last test)"
status=$$(cat "$$OUT.status" 2>/dev/null)
rm -f "$$OUT.status"
reports=$$(grep -c . "$$SEEN")
summary=$$(grep -E '^[0-9]+ passed, [0-9]+ failed$$' "$$OUT" | tail -n 1)
passed=$${summary%% *}
failed=$${summary#* passed, }
failed=$${failed%% *}
echo "# check-sanitize: the runner exited with status $${status:-?} after $$(($$(date +%s) - start)) s;" \
	"$$reports sanitizer report(s) in $$SAN_LOGS"
[ -s "$$SAN_LOGS/.index" ] && sed 's/^/#   report from /' "$$SAN_LOGS/.index"
echo "$${passed:-0} passed, $$(($${failed:-0} + reports)) failed"
[ "$${status:-1}" -eq 0 ] && [ "$$reports" -eq 0 ]
endef
