# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xdpgw build. Everything generated goes to .output/ (git-ignored).
# Quiet by default; V=1 shows commands.

OUTPUT := .output
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH ?= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

# -Wno-missing-field-initializers: schema and option tables use positional
# initialisers where omitted members are deliberately zero.
WARN := -Wall -Wextra -Wno-missing-field-initializers -Werror
CFLAGS ?= -g -O2
ALL_CFLAGS := $(CFLAGS) -std=gnu11 -D_GNU_SOURCE $(WARN) -I. -Iloader -I$(OUTPUT) -MMD -MP
LDLIBS_CONFIG := -lyaml -lcrypto -lpcre2-8 -lpthread -lz -lcurl -ljansson

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Components add themselves in mk/*.mk (one fragment each: mk/xdp.mk,
# mk/gwd.mk, ...) by appending to these and defining their own targets.
GWCTL_EXTRA_SRCS :=
GWCTL_EXTRA_LIBS :=
GWCTL_EXTRA_DEPS :=
ALL_TARGETS :=
-include $(sort $(wildcard mk/*.mk))

CONFIG_SRCS := $(wildcard loader/config/*.c loader/store/*.c)
CONFIG_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(CONFIG_SRCS))
LIBCONFIG := $(OUTPUT)/libgwconfig.a
GWCTL_SRCS := $(wildcard loader/*.c) $(GWCTL_EXTRA_SRCS)
GWCTL_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(GWCTL_SRCS))
GWCTL := $(OUTPUT)/gwctl
GW_ECHO := $(OUTPUT)/gw-echo

UNIT_SRCS := $(wildcard tests/unit/*.c tests/unit/*/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(filter-out tests/unit/lib/%,$(UNIT_SRCS)))
UNIT_LIB_SRCS := $(wildcard tests/unit/lib/*.c)

BENCH_SRCS := $(wildcard tools/bench/*.c)
BENCH_BINS := $(patsubst tools/bench/%.c,$(OUTPUT)/bench/%,$(BENCH_SRCS))

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

.PHONY: all bpf skel loader tools unit bench test test-unit test-netns check deps \
	quickstart vmlinux format clean help
.DELETE_ON_ERROR:
.SECONDARY:

all: skel loader tools unit bench $(ALL_TARGETS)

loader: $(GWCTL)
tools: $(GW_ECHO)
unit: $(UNIT_BINS)
bench: $(BENCH_BINS)
bpf: $(BPF_OBJS)
skel: $(BPF_SKELS)

$(OUTPUT)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBCONFIG): $(CONFIG_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(GWCTL_OBJS): $(GWCTL_EXTRA_DEPS)

$(GWCTL): $(GWCTL_OBJS) $(LIBCONFIG)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(GWCTL_EXTRA_LIBS) $(LDLIBS_CONFIG) -o $@

$(GW_ECHO): tools/echo/gw_echo.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $< -lpthread -o $@

# Unit tests #include the .c under test where they need static functions,
# and link the config library for the rest.
$(OUTPUT)/tests/unit/%: tests/unit/%.c $(UNIT_LIB_SRCS) $(LIBCONFIG)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $< $(UNIT_LIB_SRCS) $(LIBCONFIG) -lcmocka \
		$(LDLIBS_CONFIG) -o $@

$(OUTPUT)/bench/%: tools/bench/%.c $(LIBCONFIG)
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(LIBCONFIG) $(LDLIBS_CONFIG) -o $@

# BPF: clang -target bpf, then bpftool gen object/skeleton (libbpf-bootstrap rules)
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

$(OUTPUT)/%.tmp.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h bpf/lib/*.h) vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -I. -Ibpf \
		$(CLANG_BPF_SYS_INCLUDES) -c $< -o $@

$(OUTPUT)/%.bpf.o: $(OUTPUT)/%.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $(basename $(basename $<))) > $@

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

# Unprivileged tests only.
test test-unit: unit
	$(Q)tests/run.sh unit

test-netns: loader tools
	$(Q)tests/run.sh netns

# Every layer this machine allows; ends with "N passed, N failed".
check: all
	$(Q)tests/run.sh all

deps:
	scripts/install-deps.sh

quickstart: all
	scripts/quickstart.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^vmlinux.h$$')

clean:
	rm -rf $(OUTPUT)

help:
	@echo 'Targets:'
	@echo '  all         build gwctl, gw-echo, unit tests and benchmarks (default)'
	@echo '  bpf skel    BPF objects and their skeletons'
	@echo '  test        unprivileged unit tests'
	@echo '  test-netns  network-namespace integration tests (root)'
	@echo '  check       every test layer; ends with "N passed, N failed"'
	@echo '  deps        install the Debian packages the project needs (root)'
	@echo '  quickstart  build and run the quickstart (root)'
	@echo '  vmlinux     regenerate vmlinux.h from this kernel'
	@echo '  format clean help'
	@echo 'Variables: V=1 (verbose), CC, CLANG, BPFTOOL'

-include $(CONFIG_OBJS:.o=.d) $(GWCTL_OBJS:.o=.d)
