# SPDX-License-Identifier: MIT
# tinytaptunnel - plain make; honours PREFIX, DESTDIR, CNI_BIN_DIR and V=1.
#   make             build build/ttt-worker, the CNI plugin build/tinytaptunnel
#                    and the operator's tool build/ttt
#   make check       every test (needs root): unit and integration tests, then
#                    the same under ASan+UBSan (check-sanitize), then a short
#                    run of every fuzzer (fuzz-smoke)
#   make fuzz        every fuzzer for FUZZ_SECONDS (tests/fuzz/fuzz.mk)
#   make demo        a tunnel between two network namespaces, with a ping
#   make install     install into $(DESTDIR)$(PREFIX)
#   make deps        install the Debian packages these need (deploy/install-deps.sh;
#                    --demo, --bench for less): no other target installs anything

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
CNI_BIN_DIR ?= /opt/cni/bin
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
DESTDIR     ?=
PKG_CONFIG  ?= pkg-config
BUILD       ?= build

CFLAGS      ?= -O2 -g
PKGS        := libnl-3.0 libnl-route-3.0 libsodium libcjson
PKG_CFLAGS  := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
WARNINGS    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
               -Wformat=2 -Wvla
ALL_CFLAGS  := -std=c11 -D_GNU_SOURCE $(WARNINGS) -Iinclude $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP
ALL_LDLIBS  := $(PKG_LIBS) -lpthread -lm $(LDLIBS)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

LIB_SRCS    := $(filter-out src/worker/main.c src/tool/%,$(wildcard src/*/*.c))
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB         := $(BUILD)/libttt.a
WORKER      := $(BUILD)/ttt-worker
CNI_SRCS    := $(filter-out cni/main.c,$(wildcard cni/lib/*.c cni/*.c))
CNI_OBJS    := $(CNI_SRCS:%.c=$(BUILD)/obj/%.o)
CNI_LIB     := $(BUILD)/libtttcni.a
PLUGIN      := $(BUILD)/tinytaptunnel
# ttt: show, metrics, genkey (src/tool/, one file per subcommand).
TOOL_SRCS   := $(wildcard src/tool/*.c)
TOOL_OBJS   := $(TOOL_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL        := $(BUILD)/ttt
# Where the plugin looks for ttt-worker after its own directory and CNI_PATH:
# a generated header, rewritten only when SBINDIR changes, so that
# `make; make install PREFIX=/usr` rebuilds what depends on it.
CONFIG_H    := $(BUILD)/gen/ttt_config.h

REAPER      := $(BUILD)/tests/reaper
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Tests, fuzzers and benchmarks may include a folder's private headers as
# "datapath/frame.h" (src/) or "cni/config.h" (the plugin's own).
TEST_CFLAGS := -Isrc -I.
UNIT_CFLAGS := $(TEST_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
UNIT_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

.PHONY: all check unit integration demo bench deps install uninstall clean FORCE
all: $(WORKER) $(PLUGIN) $(TOOL)

$(BUILD)/obj/%.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(WORKER): $(BUILD)/obj/src/worker/main.o $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(TOOL): $(TOOL_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(CONFIG_H): FORCE
	@mkdir -p $(dir $@)
	@echo '#define TTT_SBINDIR "$(SBINDIR)"' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

$(BUILD)/obj/cni/%.o: ALL_CFLAGS += -I$(BUILD)/gen
$(BUILD)/obj/cni/spawn.o: $(CONFIG_H)

$(CNI_LIB): $(CNI_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(PLUGIN): $(BUILD)/obj/cni/main.o $(CNI_LIB) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# Unit tests may wrap library functions: tests/unit/test_x.wrap lists them.
$(BUILD)/tests/%: tests/unit/%.c $(CNI_LIB) $(LIB)
	$(call msg,CCLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(UNIT_CFLAGS) $(LDFLAGS) -o $@ $< $(CNI_LIB) $(LIB) \
		$(foreach f,$(shell cat tests/unit/$*.wrap 2>/dev/null),-Wl,--wrap=$(f)) \
		$(UNIT_LIBS) $(ALL_LDLIBS)

# Test tools: the subreaper every integration script runs under, a flooder
# of forged datagrams for the fault tests, and an impairing UDP relay (loss,
# reordering, duplication, delay, corruption, truncation) for the underlay
# tests: this kernel has no netem.
TOOLS       := $(REAPER) $(BUILD)/tests/flood $(BUILD)/tests/impair
$(BUILD)/tests/%: tests/tools/%.c
	$(call msg,CCLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 $(WARNINGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# A libcni client (Go, built offline against Debian's libcni sources) for
# the integration tests that drive the plugin through a real CNI library.
CNICLIENT   := $(BUILD)/tests/cniclient
GOPATH_DEB  ?= /usr/share/gocode
$(CNICLIENT): tests/tools/cniclient/main.go
	$(call msg,GO,$@)
	@mkdir -p $(dir $@) $(BUILD)/gocache
	$(Q)cd tests/tools/cniclient && GO111MODULE=off GOPATH=$(GOPATH_DEB) \
		GOCACHE=$(abspath $(BUILD))/gocache HOME=$(abspath $(BUILD)) GOFLAGS= \
		go build -o $(abspath $@) main.go

# Benchmark programs: tests/bench/<name>_bench.c, one per figure make bench
# prints (the HMAC one frame at a time, and in batches; the replay filter).
BENCH_BINS   := $(patsubst tests/bench/%.c,$(BUILD)/tests/%,$(wildcard tests/bench/*_bench.c))
$(BUILD)/tests/%_bench: tests/bench/%_bench.c $(LIB)
	$(call msg,CCLD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(ALL_LDLIBS)

deps:
	$(Q)sh deploy/install-deps.sh

# Figures, not tests: nothing here gates CI.
bench:
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(Q)BUILD=$(BUILD) bash tests/bench/bench.sh

check:
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(TOOLS) $(CNICLIENT)
	$(Q)BUILD=$(BUILD) MAKE="$(MAKE)" sh tests/check-all.sh

unit: $(UNIT_BINS)
	$(Q)BUILD=$(BUILD) sh tests/run.sh unit

integration: all $(TOOLS) $(CNICLIENT)
	$(Q)BUILD=$(BUILD) sh tests/run.sh integration

demo:
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) sh deploy/demo.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(CNI_BIN_DIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR)
	install -m 0755 $(WORKER) $(DESTDIR)$(SBINDIR)/ttt-worker
	install -m 0755 $(TOOL) $(DESTDIR)$(SBINDIR)/ttt
	install -m 0755 $(PLUGIN) $(DESTDIR)$(CNI_BIN_DIR)/tinytaptunnel
	install -m 0644 deploy/man/ttt-worker.8 deploy/man/tinytaptunnel.8 deploy/man/ttt.8 \
		$(DESTDIR)$(MANDIR)/man8/
	sed 's|@SBINDIR@|$(SBINDIR)|g' deploy/systemd/ttt-worker@.service \
		>$(DESTDIR)$(UNITDIR)/ttt-worker@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ttt-worker@.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ttt-worker $(DESTDIR)$(SBINDIR)/ttt \
		$(DESTDIR)$(CNI_BIN_DIR)/tinytaptunnel $(DESTDIR)$(MANDIR)/man8/ttt.8 \
		$(DESTDIR)$(MANDIR)/man8/ttt-worker.8 $(DESTDIR)$(MANDIR)/man8/tinytaptunnel.8 \
		$(DESTDIR)$(UNITDIR)/ttt-worker@.service

clean:
	rm -rf $(BUILD) $(SAN_BUILD)

-include $(LIB_OBJS:.o=.d) $(CNI_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(BUILD)/obj/src/worker/main.d \
	$(BUILD)/obj/cni/main.d

# The test and fuzz targets: absent from the image's build stage, which
# copies only what the build and the install read.
-include tests/sanitize.mk
-include tests/fuzz/fuzz.mk
include static.mk
