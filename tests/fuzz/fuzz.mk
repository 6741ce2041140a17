# SPDX-License-Identifier: MIT
# fuzz.mk - coverage-guided fuzzers (libFuzzer) for every parser that takes
# outside input. Included at the end of the main Makefile; uses its BUILD,
# Q, msg, PKG_CFLAGS, PKG_LIBS, LIB_SRCS, CNI_SRCS, WARNINGS and CONFIG_H.
#
#   make fuzz          each fuzzer for FUZZ_SECONDS (60), one line per fuzzer
#   make fuzz-smoke    each fuzzer for FUZZ_SMOKE_SECONDS (10), as TAP
# (FUZZ_JOBS, default 2, run at once; FUZZ_NAMES="frame gro" picks some.)
#
# Past findings (tests/fuzz/crashes/<name>-*) join each run's corpus, so a
# regression fails the next run at once.
#
# Everything, the project's sources included, is built with clang under
# libFuzzer, ASan and UBSan into $(BUILD)/fuzz/. Each run works on a copy of
# its seed corpus (tests/fuzz/corpus/<name>) in $(BUILD)/fuzz/corpus/<name>,
# which grows from run to run; crash reproducers go to
# $(BUILD)/fuzz/artifacts/, logs to $(BUILD)/fuzz/logs/. Nothing is written
# into the source tree. To reproduce a finding:
#   $(BUILD)/fuzz/fuzz_<name> <file>

ifeq ($(origin FUZZ_CC),undefined)
FUZZ_CC := $(if $(shell command -v clang-14 2>/dev/null),clang-14,clang)
endif
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TIMEOUT       ?= 10   # seconds one input may take before it counts as a hang
FUZZ_OPTS          ?=      # extra libFuzzer options for every run
FUZZ_JOBS          ?= 2    # fuzzers running at once (2 cores: 2)
FUZZ_CFLAGS        ?= -O1 -g

FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_NAMES   := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
# UBSan is built recoverable but every run sets halt_on_error=1, so any
# report is fatal; a UBSAN_OPTIONS from the environment comes after ours and
# may add suppressions=FILE to fuzz on past a known finding.
FUZZ_SAN     := -fsanitize=address,undefined -fsanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -I$(BUILD)/gen $(TEST_CFLAGS) $(PKG_CFLAGS) \
		   $(FUZZ_CFLAGS) $(FUZZ_SAN) -MMD -MP
FUZZ_OBJS    := $(LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o) $(CNI_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIB     := $(FUZZ_DIR)/libttt-fuzz.a

# Larger inputs where the format allows them (a TSO superframe is up to 64 KiB).
FUZZ_OPTS_gso   := -max_len=65600
FUZZ_OPTS_gro   := -max_len=65600
FUZZ_OPTS_frame := -max_len=16384
# The batch HMAC harness runs ~7000 edges per input; libFuzzer's entropic
# bookkeeping of them took 7/8 of its time (75 runs/s against 600 without).
FUZZ_OPTS_hmac_batch := -entropic=0

.PHONY: fuzz fuzz-smoke fuzz-build

fuzz-build: $(FUZZ_BINS)

# The project's sources: instrumented for coverage, not linked with libFuzzer's
# main. Its own warnings are shown but do not stop the build (clang may warn
# where gcc, which gates the sources, does not).
$(FUZZ_DIR)/obj/%.o: %.c
	$(call msg,FUZZCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) $(filter-out -Werror,$(WARNINGS)) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/cni/spawn.o: $(CONFIG_H)

$(FUZZ_LIB): $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(call msg,FUZZLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) $(WARNINGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) \
		$(PKG_LIBS) -lpthread -lm

# $(call fuzz_one,NAME,SECONDS): runs one fuzzer on its corpus copy and
# writes to logs/NAME.result "ok - fuzz/NAME: N runs in S s (cov C, ft F)"
# or "not ok - fuzz/NAME: ..." with the sanitizer's report as "#" lines.
define fuzz_one
corpus=$(FUZZ_DIR)/corpus/$(1); log=$(FUZZ_DIR)/logs/$(1).log; res=$(FUZZ_DIR)/logs/$(1).result; \
mkdir -p $$corpus $(FUZZ_DIR)/artifacts $(FUZZ_DIR)/logs; \
cp tests/fuzz/corpus/$(1)/* $$corpus/; \
for c in tests/fuzz/crashes/$(1)-*; do [ -f "$$c" ] && cp "$$c" $$corpus/; done; \
t0=$$(date +%s); \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1$${UBSAN_OPTIONS:+:$$UBSAN_OPTIONS}" \
$(FUZZ_DIR)/fuzz_$(1) -max_total_time=$(2) -timeout=$(strip $(FUZZ_TIMEOUT)) \
	-print_final_stats=1 -artifact_prefix=$(abspath $(FUZZ_DIR))/artifacts/$(1)- \
	$(FUZZ_OPTS_$(1)) $(FUZZ_OPTS) $$corpus >$$log 2>&1; \
rc=$$?; t=$$(( $$(date +%s) - t0 )); \
runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
cov=$$(grep -o 'cov: [0-9]* ft: [0-9]*' $$log | tail -n 1 | sed 's/cov: \([0-9]*\) ft: \([0-9]*\)/cov \1, ft \2/'); \
if [ $$rc -eq 0 ]; then \
	echo "ok - fuzz/$(1): $${runs:-?} runs in $$t s ($${cov:-no coverage})" >$$res; \
else \
	art=$$(sed -n 's/.*Test unit written to \(.*\)/\1/p' $$log | tail -n 1); \
	{ echo "not ok - fuzz/$(1): exit status $$rc after $${runs:-?} runs in $$t s; reproducer: $${art:-none}; log: $$log"; \
	grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:| *#[0-9]+ )' $$log | \
		grep -vE ' in (fuzzer::|__sanitizer_|__pthread_kill|raise |abort |__libc_start|_start |main )|libc\.so' | \
		head -n 12 | sed -e 's/ (BuildId: [0-9a-f]*)//' -e 's/^/#   /'; } >$$res; \
fi
endef

# $(call fuzz_all,SECONDS,TAP?): every fuzzer, FUZZ_JOBS at a time, then
# their results in order (and the TAP plan); fails when any found something.
define fuzz_all
$(Q)rm -f $(FUZZ_NAMES:%=$(FUZZ_DIR)/logs/%.result); j=0; \
$(foreach f,$(FUZZ_NAMES),( $(call fuzz_one,$(f),$(1)) ) & \
	j=$$((j + 1)); if [ $$j -ge $(strip $(FUZZ_JOBS)) ]; then wait; j=0; fi; ) \
wait; fail=0; n=0; \
for f in $(FUZZ_NAMES); do \
	n=$$((n + 1)); res=$(FUZZ_DIR)/logs/$$f.result; \
	if [ -s $$res ]; then cat $$res; else echo "not ok - fuzz/$$f: no result"; fi; \
	grep -q '^ok ' $$res 2>/dev/null || fail=1; \
done; \
$(if $(2),echo "1..$$n";) \
exit $$fail
endef

fuzz: $(FUZZ_BINS)
	$(call fuzz_all,$(FUZZ_SECONDS),)

fuzz-smoke: $(FUZZ_BINS)
	$(call fuzz_all,$(FUZZ_SMOKE_SECONDS),tap)

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
