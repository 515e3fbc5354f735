/* test_detrand.c -- determinism and spread of the counter-based generator. */
#include "unit.h"
#include "detrand.h"

UNIT_TEST(detrand_is_deterministic)
{
	CHECK(detrand_u64(1, 2, 3) == detrand_u64(1, 2, 3));
	CHECK(detrand_unit(42, 0, 99) == detrand_unit(42, 0, 99));
}

UNIT_TEST(detrand_depends_on_every_component)
{
	uint64_t	base = detrand_u64(1, 2, 3);

	CHECK(base != detrand_u64(2, 2, 3));
	CHECK(base != detrand_u64(1, 3, 3));
	CHECK(base != detrand_u64(1, 2, 4));
	CHECK(detrand_u64(1, 2, 3) != detrand_u64(3, 2, 1));
}

UNIT_TEST(detrand_unit_is_in_range_and_spread)
{
	int			buckets[10] = {0};

	for (int i = 0; i < 100000; i++)
	{
		double		u = detrand_unit(7, 1, i);

		CHECK(u >= 0.0 && u < 1.0);
		buckets[(int) (u * 10)]++;
	}
	/* each decile should hold 10% +- 1% of 100k draws */
	for (int b = 0; b < 10; b++)
		CHECK(buckets[b] > 9000 && buckets[b] < 11000);
}
