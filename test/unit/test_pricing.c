/* test_pricing.c -- price list and schedule choice, net price rounding. */
#include "unit.h"
#include "pricing.h"

UNIT_TEST(pricing_period_bounds)
{
	pricing_period p = {10, 20};
	pricing_period open = {10, PRICING_OPEN_END};

	CHECK(!pricing_in_period(p, 9));
	CHECK(pricing_in_period(p, 10));
	CHECK(pricing_in_period(p, 19));
	CHECK(!pricing_in_period(p, 20));	/* valid_until is the first day after */
	CHECK(pricing_in_period(open, INT32_MAX - 1));
	CHECK(!pricing_in_period(open, 9));
}

UNIT_TEST(pricing_list_latest_start_wins)
{
	pricing_list lists[] = {
		{1, "EUR", {0, PRICING_OPEN_END}},
		{2, "EUR", {100, 200}},
		{3, "USD", {0, PRICING_OPEN_END}},
		{4, "EUR", {150, 160}},
	};

	CHECK(pricing_pick_list(lists, 4, "EUR", 50) == 0);
	CHECK(pricing_pick_list(lists, 4, "EUR", 120) == 1);
	CHECK(pricing_pick_list(lists, 4, "EUR", 155) == 3);
	CHECK(pricing_pick_list(lists, 4, "EUR", 160) == 1);
	CHECK(pricing_pick_list(lists, 4, "EUR", 250) == 0);
	CHECK(pricing_pick_list(lists, 4, "USD", 155) == 2);
	CHECK(pricing_pick_list(lists, 4, "GBP", 155) == -1);
	CHECK(pricing_pick_list(lists, 4, NULL, 155) == -1);
	CHECK(pricing_pick_list(lists, 1, "EUR", -1) == -1);	/* before its start */
}

UNIT_TEST(pricing_rule_most_specific_wins)
{
	pricing_rule rules[] = {
		{1, PRICING_ANY, NULL, PRICING_ANY, 500, {0, PRICING_OPEN_END}},	/* everyone 5 % */
		{2, 2, NULL, PRICING_ANY, 2000, {0, PRICING_OPEN_END}},		/* gold 20 % */
		{3, 2, "STORAGE", PRICING_ANY, 3200, {0, PRICING_OPEN_END}},	/* gold storage 32 % */
		{4, PRICING_ANY, "STORAGE", PRICING_ANY, 1000, {0, PRICING_OPEN_END}},
		{5, PRICING_ANY, NULL, 7, 2500, {0, PRICING_OPEN_END}},		/* programme 7: 25 % */
		{6, 2, "STORAGE", PRICING_ANY, 3500, {100, 200}},			/* a later gold storage row */
	};

	CHECK(pricing_pick_rule(rules, 6, 0, "SERVERS", PRICING_ANY, 50) == 0);
	CHECK(pricing_pick_rule(rules, 6, 2, "SERVERS", PRICING_ANY, 50) == 1);
	CHECK(pricing_pick_rule(rules, 6, 2, "STORAGE", PRICING_ANY, 50) == 2);
	CHECK(pricing_pick_rule(rules, 6, 1, "STORAGE", PRICING_ANY, 50) == 3);	/* line beats tier */
	CHECK(pricing_pick_rule(rules, 6, 2, "STORAGE", 7, 50) == 4);			/* programme beats both */
	CHECK(pricing_pick_rule(rules, 6, 2, "STORAGE", PRICING_ANY, 150) == 5);	/* latest start */
	CHECK(pricing_pick_rule(rules, 6, 2, "STORAGE", PRICING_ANY, 200) == 2);	/* ended */
	CHECK(pricing_pick_rule(rules, 0, 2, "STORAGE", PRICING_ANY, 50) == -1);
	CHECK(pricing_pick_rule(rules + 1, 2, 0, "STORAGE", PRICING_ANY, 50) == -1);
}

UNIT_TEST(pricing_net_rounds_half_up)
{
	int64_t		net = -1;

	/* 100.00 less 32 % = 68.00 */
	CHECK(pricing_net(1000000, 3200, 2, &net) && net == 680000);
	/* 0.05 less 50 % = 0.025 -> 0.03 (half up) */
	CHECK(pricing_net(500, 5000, 2, &net) && net == 300);
	/* 0.0499 less 50 % = 0.02495 -> 0.02, no double rounding */
	CHECK(pricing_net(499, 5000, 2, &net) && net == 200);
	/* JPY: 1001 less 0.5 % = 996.005 -> 996 */
	CHECK(pricing_net(10010000, 50, 0, &net) && net == 9960000);
	/* KWD: 3 decimals */
	CHECK(pricing_net(12345, 3333, 3, &net) && net == 8230);	/* 1.2345 * 0.6667 = 0.82304... -> 0.823 */
	CHECK(pricing_net(1000000, 0, 2, &net) && net == 1000000);
	CHECK(pricing_net(1000000, 10000, 2, &net) && net == 0);
	/* the largest price stored (< 10^14 with 4 decimals) does not overflow */
	CHECK(pricing_net(999999999999999999, 1, 4, &net) && net == 999899999999999999);
	net = 42;
	CHECK(!pricing_net(100, 10001, 2, &net) && net == 42);
	CHECK(!pricing_net(100, -1, 2, &net));
	CHECK(!pricing_net(-1, 0, 2, &net));
	CHECK(!pricing_net(100, 0, 5, &net));
}

UNIT_TEST(pricing_round_amounts)
{
	int64_t		r = 0;

	CHECK(pricing_round(12345, 2, &r) && r == 12300);
	CHECK(pricing_round(12350, 2, &r) && r == 12400);
	CHECK(pricing_round(-12350, 2, &r) && r == -12400);
	CHECK(pricing_round(15000, 0, &r) && r == 20000);
	CHECK(pricing_round(12345, 4, &r) && r == 12345);
	CHECK(!pricing_round(1, 5, &r));
}
