# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# TLS for gwd: the engine (user/tls/) and ClientHello sniffing
# (user/common/tls_sniff.c) as one library, libgwtls.a, which gwd links
# with -lssl -lcrypto; plus what their unit tests need (-lssl).

TLS_SRCS := $(wildcard user/tls/*.c) user/common/tls_sniff.c
TLS_HDRS := $(wildcard user/tls/*.h user/include/gw/tls*.h)
TLS_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(TLS_SRCS))
LIBGWTLS := $(OUTPUT)/libgwtls.a
LDLIBS_TLS := -lssl -lcrypto -lpthread
TLS_UNIT_SRCS := $(wildcard tests/unit/tls/*.c tests/unit/common/tls_*.c)
TLS_UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(TLS_UNIT_SRCS))

ALL_TARGETS += $(LIBGWTLS)

$(TLS_OBJS): ALL_CFLAGS += -Iuser/include

$(LIBGWTLS): $(TLS_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# Tests #include the file under test and link the library for the rest;
# libgwtls.a uses the config library, so it comes first. Recursive (=) so
# that LIBCONFIG, defined after this fragment, is expanded at link time.
$(TLS_UNIT_BINS): ALL_CFLAGS += -Iuser/include
$(TLS_UNIT_BINS): LDLIBS_CONFIG = $(LIBGWTLS) $(LIBCONFIG) -lssl -lyaml -lcrypto -lpcre2-8 -lpthread
$(TLS_UNIT_BINS): $(LIBGWTLS) $(TLS_SRCS) $(TLS_HDRS) $(wildcard tests/unit/tls/*.h)

-include $(TLS_OBJS:.o=.d)
