// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Output queues (user/common/buf.c): what they take from the allocator,
 * which the HTTP/2 buffer budgets count (gw_oq_mem, gw_oq_cost), the small
 * first block of an empty queue, and that bytes survive any mix of puts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "user/common/buf.c"

#define HDR sizeof(struct gw_oblk)

/*
 * A small put into an empty queue takes a 1 or 2 KiB block, not 16 KiB;
 * gw_oq_cost bounds what any sequence of puts of that many bytes takes.
 */
static void test_small_first_block(void **state)
{
	struct gw_oq q = { 0 };
	char b[GW_OBLK_SIZE * 2];

	(void)state;
	memset(b, 'x', sizeof(b));
	/* 100 then 1000 bytes: a 1 KiB block and a standard one */
	assert_int_equal(gw_oq_cost(&q, 1100), 2048 + GW_OBLK_SIZE);
	assert_int_equal(gw_oq_put(&q, b, 100), 0);
	assert_int_equal(gw_oq_put(&q, b, 1000), 0);
	assert_int_equal(gw_oq_mem(&q), 1024 + GW_OBLK_SIZE);
	gw_oq_clear(&q);

	assert_int_equal(gw_oq_put(&q, b, 200), 0);
	assert_int_equal(gw_oq_mem(&q), 1024);
	/* the rest of that block is free: fits without a new one */
	assert_int_equal(gw_oq_cost(&q, 1024 - HDR - 200), 0);
	gw_oq_clear(&q);

	assert_int_equal(gw_oq_put(&q, b, 1500), 0);
	assert_int_equal(gw_oq_mem(&q), 2048);
	/* past the tail, standard blocks follow */
	assert_int_equal(gw_oq_cost(&q, 8192), GW_OBLK_SIZE);
	assert_int_equal(gw_oq_put(&q, b, 8192), 0);
	assert_int_equal(gw_oq_mem(&q), 2048 + GW_OBLK_SIZE);
	assert_int_equal(q.bytes, 1500 + 8192);
	gw_oq_clear(&q);

	/* a large first put is one block of its size, within the bound */
	assert_true(gw_oq_cost(&q, sizeof(b)) >= HDR + sizeof(b));
	assert_int_equal(gw_oq_put(&q, b, sizeof(b)), 0);
	assert_int_equal(gw_oq_mem(&q), HDR + sizeof(b));
	gw_oq_clear(&q);
	assert_int_equal(gw_oq_mem(&q), 0);
	gw_oq_thread_cleanup();
}

/* Consumed blocks stop counting; a partly consumed one still does. */
static void test_mem_follows_consume(void **state)
{
	struct gw_oq q = { 0 };
	char b[GW_OBLK_SIZE];

	(void)state;
	memset(b, 'y', sizeof(b));
	assert_int_equal(gw_oq_put(&q, b, 100), 0);
	assert_int_equal(gw_oq_put(&q, b, sizeof(b)), 0);
	assert_int_equal(gw_oq_mem(&q), 1024 + GW_OBLK_SIZE);
	gw_oq_consume(&q, 50);
	assert_int_equal(gw_oq_mem(&q), 1024 + GW_OBLK_SIZE);
	gw_oq_consume(&q, 1024 - HDR - 50);
	assert_int_equal(gw_oq_mem(&q), GW_OBLK_SIZE);
	gw_oq_consume(&q, q.bytes);
	assert_int_equal(gw_oq_mem(&q), 0);
	assert_null(q.head);
	assert_null(q.tail);
	gw_oq_spare_trim(0);
	assert_int_equal(nspare, 0);
}

/* Bytes come out as they went in, whatever the sizes of the puts. */
static void test_bytes_in_order(void **state)
{
	struct gw_oq q = { 0 };
	static char in[200000], out[200000];
	size_t len = 0, got = 0;
	unsigned seed = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 31 + 7);
	while (len < sizeof(in)) {
		size_t n = (seed = seed * 1103515245 + 12345) % 20000;

		size_t m0 = gw_oq_mem(&q), cost;

		if (n > sizeof(in) - len)
			n = sizeof(in) - len;
		cost = gw_oq_cost(&q, n);
		/* in two puts: what they take stays within the cost of the whole */
		assert_int_equal(gw_oq_put(&q, in + len, n / 3), 0);
		assert_int_equal(gw_oq_put(&q, in + len + n / 3, n - n / 3), 0);
		assert_true(gw_oq_mem(&q) <= m0 + cost);
		len += n;
		assert_true(gw_oq_mem(&q) >= q.bytes);
		/* drain sometimes, so the queue empties and small first blocks recur */
		if (seed % 3 == 0) {
			struct iovec iov[8];
			int k = gw_oq_iov(&q, iov, 8);

			for (int i = 0; i < k; i++) {
				memcpy(out + got, iov[i].iov_base, iov[i].iov_len);
				got += iov[i].iov_len;
				gw_oq_consume(&q, iov[i].iov_len);
			}
		}
	}
	while (q.bytes) {
		struct iovec iov[8];
		int k = gw_oq_iov(&q, iov, 8);

		for (int i = 0; i < k; i++) {
			memcpy(out + got, iov[i].iov_base, iov[i].iov_len);
			got += iov[i].iov_len;
			gw_oq_consume(&q, iov[i].iov_len);
		}
	}
	assert_int_equal(got, sizeof(in));
	assert_memory_equal(in, out, sizeof(in));
	gw_oq_thread_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_first_block),
		cmocka_unit_test(test_mem_follows_consume),
		cmocka_unit_test(test_bytes_in_order),
	};

	return cmocka_run_group_tests_name("common/buf", tests, NULL, NULL);
}
