# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# gwctl checks listener tls.options with the TLS engine's own checker
# (gw_tls_options_check() in user/tls/options.c, via cfg->tls_options_check),
# so it links libgwtls.a and libssl; so does the config unit test of it.

LOADER_LIBGWTLS := $(OUTPUT)/libgwtls.a

$(OUTPUT)/loader/cmd_load.o: ALL_CFLAGS += -Iuser/include
GWCTL_EXTRA_DEPS += $(LOADER_LIBGWTLS)
GWCTL_EXTRA_LIBS += $(LOADER_LIBGWTLS) -lssl

LOADER_TLS_UNIT := $(OUTPUT)/tests/unit/config/listener_tls_options
$(LOADER_TLS_UNIT): $(LOADER_LIBGWTLS)
$(LOADER_TLS_UNIT): ALL_CFLAGS += -Iuser/include
$(LOADER_TLS_UNIT): LDLIBS_CONFIG = $(LOADER_LIBGWTLS) -lssl -lyaml -lcrypto -lpcre2-8 -lpthread

# and SecurityPolicy basicAuth files with gwd's own htpasswd parser (cfg->htpasswd_check)
GWCTL_EXTRA_SRCS += user/auth/htpasswd.c
GWCTL_EXTRA_LIBS += -lcrypt
$(OUTPUT)/user/auth/htpasswd.o: ALL_CFLAGS += -Iuser/include
# and jwt providers' local JWK sets with gwd's own JWKS parser (cfg->jwks_check)
GWCTL_EXTRA_SRCS += user/auth/jwks.c user/auth/b64url.c
GWCTL_EXTRA_LIBS += -ljansson
$(OUTPUT)/user/auth/jwks.o $(OUTPUT)/user/auth/b64url.o: ALL_CFLAGS += -Iuser/include
