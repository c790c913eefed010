// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "tlscert.h"

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

char *gw_base64_decode(struct gw_arena *a, const char *in, size_t *outlen)
{
	size_t n = strlen(in), o = 0;
	char *out = gw_arena_alloc(a, n / 4 * 3 + 4);
	unsigned acc = 0;
	int bits = 0, pad = 0;

	if (!out)
		return NULL;
	for (const char *p = in; *p; p++) {
		int v;

		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			continue;
		if (*p == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64val((unsigned char)*p)) < 0)
			return NULL;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (pad > 2)
		return NULL;
	out[o] = '\0';
	*outlen = o;
	return out;
}

const char *gw_tls_check_pair(const char *cert_pem, size_t cert_len, const char *key_pem,
			      size_t key_len)
{
	const char *why = NULL;
	BIO *cb = BIO_new_mem_buf(cert_pem, (int)cert_len);
	BIO *kb = BIO_new_mem_buf(key_pem, (int)key_len);
	X509 *leaf = NULL, *extra;
	EVP_PKEY *key = NULL;

	if (!cb || !kb) {
		why = "out of memory";
		goto out;
	}
	leaf = PEM_read_bio_X509(cb, NULL, NULL, NULL);
	if (!leaf) {
		why = "tls.crt does not contain a PEM certificate";
		goto out;
	}
	/* the rest of the chain must parse too */
	while ((extra = PEM_read_bio_X509(cb, NULL, NULL, NULL)))
		X509_free(extra);
	ERR_clear_error();
	key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
	if (!key) {
		why = "tls.key does not contain a PEM private key";
		goto out;
	}
	if (X509_check_private_key(leaf, key) != 1) {
		why = "tls.key does not match the certificate in tls.crt";
		goto out;
	}
out:
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(leaf);
	BIO_free(cb);
	BIO_free(kb);
	return why;
}

const char *gw_tls_check_ca(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *c;
	int n = 0;

	if (!b)
		return "out of memory";
	while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		X509_free(c);
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	return n ? NULL : "ca.crt does not contain a PEM certificate";
}
