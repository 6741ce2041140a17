# SPDX-License-Identifier: MIT
# static.mk - self-contained ttt-worker, CNI plugin and ttt for any Linux node.
# Included from the Makefile (one line, at its end).
#
#   make static          build-static/ttt-worker, build-static/tinytaptunnel and
#                        build-static/ttt,
#                        static-pie: no loader, no shared library, any glibc
#                        or none on the node
#   make install-static  `make install` of those (DESTDIR, PREFIX, ... as usual)
#   make static-tools    what tests/integration/test_bare_node.sh needs beside
#                        them: a static host-local IPAM plugin and the
#                        old-kernel emulator (tests/tools/oldkernel.c)
#
# How: a recursive $(MAKE) with BUILD=$(STATIC_BUILD) and TTT_STATIC=1, so the
# Makefile's own rules build every object again under $(STATIC_BUILD)/ (the
# dynamic build in $(BUILD)/ is untouched), and this file, seeing
# TTT_STATIC=1, changes three things:
# - the link: -static-pie against Debian's libnl-3.a, libnl-route-3.a and
#   libsodium.a (libnl-3-dev, libnl-route-3-dev, libsodium-dev) and glibc's
#   libc.a (static-pie keeps address-space randomisation);
# - cJSON, which Debian ships only as a shared library: the plugin links
#   third_party/cjson/cjson/cJSON.c, Debian's own patched source of the
#   libcjson1 it otherwise uses (third_party/cjson/README.md);
# - -DTTT_STATIC: src/net/addr.c resolves host names through src/net/resolve.c
#   (/etc/hosts, then DNS) rather than through glibc's NSS, which a static
#   binary would have to load from the node with dlopen.
# The link still warns about getaddrinfo (called with AI_NUMERICHOST only,
# which needs no NSS) and libnl's getprotobyname/getprotobynumber (in its
# text dump helpers, which we never call): expected, see README.md.

STATIC_BUILD ?= build-static
STATIC_PKGS  := libnl-3.0 libnl-route-3.0 libsodium
CJSON_DIR    := third_party/cjson
STATIC_MAKE   = $(MAKE) --no-print-directory TTT_STATIC=1 BUILD=$(STATIC_BUILD)

.PHONY: static install-static static-tools clean-static
static:
	$(Q)$(STATIC_MAKE) all

install-static:
	$(Q)$(STATIC_MAKE) install

static-tools:
	$(Q)$(STATIC_MAKE) $(STATIC_BUILD)/tests/host-local $(STATIC_BUILD)/tests/oldkernel

clean: clean-static
clean-static:
	rm -rf $(STATIC_BUILD)

ifeq ($(TTT_STATIC),1)
ALL_CFLAGS  += -DTTT_STATIC -I$(CJSON_DIR) $(shell $(PKG_CONFIG) --cflags $(STATIC_PKGS))
ALL_LDLIBS  := -static-pie $(shell $(PKG_CONFIG) --static --libs $(STATIC_PKGS)) -lpthread -lm \
               $(LDLIBS)
CJSON_OBJ   := $(BUILD)/obj/$(CJSON_DIR)/cJSON.o

# Debian builds cJSON as C89 with these warnings, as errors.
$(CJSON_OBJ): $(CJSON_DIR)/cjson/cJSON.c $(CJSON_DIR)/cjson/cJSON.h
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c89 -pedantic -Wall -Wextra -Werror -fPIE $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(PLUGIN) $(TOOL): $(CJSON_OBJ)

# host-local for a root without a C library: its allocator and store from
# Debian's sources (golang-github-containernetworking-plugins-dev), no cgo.
$(BUILD)/tests/host-local: tests/tools/hostlocal/main.go
	$(call msg,GO,$@)
	@mkdir -p $(dir $@) $(BUILD)/gocache
	$(Q)cd tests/tools/hostlocal && CGO_ENABLED=0 GO111MODULE=off GOPATH=$(GOPATH_DEB) \
		GOCACHE=$(abspath $(BUILD))/gocache HOME=$(abspath $(BUILD)) GOFLAGS= \
		go build -o $(abspath $@) main.go
endif
