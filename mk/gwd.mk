# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# gwd, the io_uring L7 daemon (user/), its unit tests, fuzz targets and
# benchmark helpers. Included by the top Makefile.

GWD := $(OUTPUT)/gwd
# the TLS engine (user/tls/, user/common/tls_sniff.c) is libgwtls.a, built by mk/tls.mk
GWD_SRCS := $(filter-out user/tls/% user/common/tls_sniff.c,$(sort $(wildcard user/*/*.c)))
GWD_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(GWD_SRCS))
# everything but main(), for unit tests and tools that link the daemon's modules
LIBGWD := $(OUTPUT)/libgwd.a
# and the L4 route weighting it shares with the XDP tier (pure: no libbpf)
GWD_SHARED_SRCS := loader/xdp/compile.c loader/xdp/maglev.c
LIBGWD_OBJS := $(filter-out $(OUTPUT)/user/core/main.o,$(GWD_OBJS)) \
	$(patsubst %.c,$(OUTPUT)/%.o,$(GWD_SHARED_SRCS))
# -ljansson -lcrypt: user/auth/ (JWT/JWKS JSON, bcrypt through crypt_r)
GWD_LIBS := -luring -lssl -lcrypto -lpcre2-8 -lnghttp2 -lyaml -ljansson -lcrypt -lpthread
GWD_CFLAGS := -Iuser/include

ALL_TARGETS += $(GWD) $(if $(wildcard tools/bench/l7/router_bench.c),$(OUTPUT)/gw-bench-router) \
	$(if $(wildcard tools/bench/auth/auth_bench.c),$(OUTPUT)/gw-bench-auth)

$(GWD_OBJS): ALL_CFLAGS += $(GWD_CFLAGS)

$(LIBGWD): $(LIBGWD_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# main.o links the option parser of gwctl (loader/params.c)
# (the top Makefile defines LIBCONFIG after including us: spell the path out)
GWD_LIBCONFIG := $(OUTPUT)/libgwconfig.a

# HTTPS: the TLS engine (mk/tls.mk, also included after us: path spelled out)
GWD_LIBTLS := $(OUTPUT)/libgwtls.a

$(GWD): $(OUTPUT)/user/core/main.o $(LIBGWD) $(OUTPUT)/loader/params.o $(GWD_LIBTLS) \
	$(GWD_LIBCONFIG)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(GWD_LIBS) -o $@

# Unit tests under tests/unit/{http1,router,core,auth}: the generic rule builds them;
# these pattern-specific variables add the daemon's headers and libraries.
GWD_UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,\
	$(wildcard tests/unit/http1/*.c tests/unit/router/*.c tests/unit/core/*.c \
	tests/unit/auth/*.c))
$(GWD_UNIT_BINS): $(LIBGWD) $(GWD_LIBTLS)
$(OUTPUT)/tests/unit/http1/% $(OUTPUT)/tests/unit/router/% $(OUTPUT)/tests/unit/core/% \
	$(OUTPUT)/tests/unit/auth/%: ALL_CFLAGS += $(GWD_CFLAGS)
$(OUTPUT)/tests/unit/http1/% $(OUTPUT)/tests/unit/router/% $(OUTPUT)/tests/unit/core/% \
	$(OUTPUT)/tests/unit/auth/%: LDLIBS_CONFIG := $(LIBGWD) $(GWD_LIBTLS) $(GWD_LIBCONFIG) \
	$(GWD_LIBS)

# tests/unit/common/buf.c #includes user/common/buf.c: only its headers
$(OUTPUT)/tests/unit/common/buf: ALL_CFLAGS += $(GWD_CFLAGS)
$(OUTPUT)/tests/unit/common/buf: user/common/buf.c user/include/gw/buf.h

# Routing benchmark (ns per match at 10, 1000, 10000 routes); not a test.
$(OUTPUT)/gw-bench-router: tools/bench/l7/router_bench.c $(LIBGWD) $(GWD_LIBTLS) $(GWD_LIBCONFIG)
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(GWD_CFLAGS) $< $(LIBGWD) $(GWD_LIBTLS) $(GWD_LIBCONFIG) \
		$(GWD_LIBS) -o $@

# Verification primitives (JWT ES256/RS256/EdDSA, bcrypt, {SHA}): ops/s and CPU per op.
$(OUTPUT)/gw-bench-auth: tools/bench/auth/auth_bench.c $(LIBGWD)
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(GWD_CFLAGS) $< $(LIBGWD) $(GWD_LIBS) -o $@

-include $(GWD_OBJS:.o=.d)

# gwd with ASan+UBSan, for running the netns tests against it:
#   make .output/gwd-asan && sudo GWD=.output/gwd-asan tests/netns/run.sh gwd
GWD_ASAN_SRCS := user/core/main.c $(filter-out user/core/main.c,$(GWD_SRCS)) loader/params.c \
	$(wildcard loader/config/*.c) $(wildcard user/tls/*.c) user/common/tls_sniff.c \
	$(GWD_SHARED_SRCS)
$(OUTPUT)/gwd-asan: $(GWD_ASAN_SRCS) $(wildcard user/include/gw/*.h user/core/*.h user/tls/*.h)
	$(call msg,LINK,$@)
	$(Q)$(CC) -g -O1 -std=gnu11 -D_GNU_SOURCE -I. -Iloader -Iuser/include \
		-fsanitize=address,undefined -fno-omit-frame-pointer \
		$(filter %.c,$^) $(GWD_LIBS) -o $@
