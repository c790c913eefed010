# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The XDP L4 tier: loader/xdp/ in gwctl, its BPF_PROG_TEST_RUN tests
# (tests/bpf, a test_progs-style runner), test-only BPF objects
# (tests/bpf/progs), and the XDP benchmark tools. Included by the top
# Makefile, which defines LIBCONFIG only after including us: paths below
# are spelled out.

# Fragments are included before the top Makefile's "all" rule; without this
# the first rule of the first fragment would become the default goal.
.DEFAULT_GOAL := all

XDP_SRCS := $(sort $(wildcard loader/xdp/*.c))
XDP_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(XDP_SRCS))
XDP_SKEL := $(OUTPUT)/gw_xdp.skel.h $(OUTPUT)/gw_tc.skel.h
XDP_LIBS := -lbpf -lxdp -lelf -lz
XDP_LIBCONFIG := $(OUTPUT)/libgwconfig.a

GWCTL_EXTRA_SRCS += $(XDP_SRCS)
GWCTL_EXTRA_LIBS += $(XDP_LIBS)
GWCTL_EXTRA_DEPS += $(XDP_SKEL)

# ---- test-only BPF objects: tests/bpf/progs/NAME.bpf.c -> .output/tests/bpf/NAME.{bpf.o,skel.h}
BPFTEST_OUT := $(OUTPUT)/tests/bpf
BPFTEST_PROG_SRCS := $(wildcard tests/bpf/progs/*.bpf.c)
BPFTEST_PROG_OBJS := $(patsubst tests/bpf/progs/%.bpf.c,$(BPFTEST_OUT)/%.bpf.o,$(BPFTEST_PROG_SRCS))
BPFTEST_PROG_SKELS := $(BPFTEST_PROG_OBJS:.bpf.o=.skel.h)

$(BPFTEST_OUT)/%.tmp.bpf.o: tests/bpf/progs/%.bpf.c $(wildcard bpf/*.h bpf/lib/*.h bpf/*.bpf.c) vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -I. -Ibpf \
		$(CLANG_BPF_SYS_INCLUDES) -c $< -o $@

$(BPFTEST_OUT)/%.bpf.o: $(BPFTEST_OUT)/%.tmp.bpf.o
	$(Q)$(BPFTOOL) gen object $@ $<

$(BPFTEST_OUT)/%.skel.h: $(BPFTEST_OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $(basename $(basename $<))) > $@

# ---- the same program built by a newer clang, when one is installed: its
# verifier acceptance is tested too (tests/bpf/verifier.c)
CLANG_COMPAT ?= $(firstword $(foreach v,19 18 17 16 15,$(shell command -v clang-$(v) 2>/dev/null)))
ifneq ($(CLANG_COMPAT),)
BPFTEST_COMPAT_SKEL := $(BPFTEST_OUT)/gw_xdp_compat.skel.h $(BPFTEST_OUT)/gw_tc_compat.skel.h
BPFTEST_COMPAT_CFLAGS := -DGW_HAVE_COMPAT='"$(notdir $(CLANG_COMPAT))"'

$(BPFTEST_OUT)/gw_%_compat.tmp.bpf.o: bpf/gw_%.bpf.c $(wildcard bpf/*.h bpf/lib/*.h) vmlinux.h
	$(call msg,BPF,$@ ($(notdir $(CLANG_COMPAT))))
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG_COMPAT) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -I. -Ibpf \
		$(shell $(CLANG_COMPAT) -v -E - </dev/null 2>&1 \
		| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }') \
		-c $< -o $@
endif

# ---- tests/bpf: test_progs-style runner; tests.h lists every void test_NAME(void)
BPFTEST := $(BPFTEST_OUT)/test_progs
BPFTEST_SRCS := $(sort $(wildcard tests/bpf/*.c))
BPFTEST_LIB_SRCS := $(sort $(wildcard tests/bpf/lib/*.c))

$(BPFTEST_OUT)/tests.h: $(BPFTEST_SRCS)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)sed -n 's/^void \(test_[a-z0-9_]*\)(void)$$/DEFINE_TEST(\1)/p' $^ > $@

$(BPFTEST): $(BPFTEST_SRCS) $(BPFTEST_LIB_SRCS) $(wildcard tests/bpf/lib/*.h) $(XDP_OBJS) \
		$(XDP_LIBCONFIG) $(XDP_SKEL) $(BPFTEST_PROG_SKELS) $(BPFTEST_COMPAT_SKEL) \
		$(BPFTEST_OUT)/tests.h
	$(call msg,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(BPFTEST_COMPAT_CFLAGS) -I$(BPFTEST_OUT) -Itests/bpf \
		$(BPFTEST_SRCS) $(BPFTEST_LIB_SRCS) \
		$(XDP_OBJS) $(XDP_LIBCONFIG) $(XDP_LIBS) $(LDLIBS_CONFIG) -o $@

# ---- benchmarks (tools/bench/xdp): not tests, never timed in make check
XDP_BENCH := $(OUTPUT)/bench/xdp_prog_bench
XDP_BENCH_SRCS := $(wildcard tools/bench/xdp/*.c)

# the tests' environment and packet builder, without their runner's main()
XDP_BENCH_LIB := tests/bpf/lib/xdp_env.c tests/bpf/lib/pkt.c

$(XDP_BENCH): $(XDP_BENCH_SRCS) $(XDP_BENCH_LIB) $(XDP_OBJS) $(XDP_LIBCONFIG) $(XDP_SKEL)
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/bpf $(XDP_BENCH_SRCS) $(XDP_BENCH_LIB) $(XDP_OBJS) \
		$(XDP_LIBCONFIG) $(XDP_LIBS) $(LDLIBS_CONFIG) -o $@

ALL_TARGETS += $(BPFTEST_PROG_OBJS) $(BPFTEST_PROG_SKELS)
ifneq ($(BPFTEST_SRCS),)
ALL_TARGETS += $(BPFTEST)
endif
ifneq ($(XDP_BENCH_SRCS),)
ALL_TARGETS += $(XDP_BENCH)
endif

.PHONY: test-bpf
test-bpf: $(BPFTEST)
	$(Q)tests/run.sh bpf

-include $(XDP_OBJS:.o=.d)
