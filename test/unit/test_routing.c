/* test_routing.c -- fit, choice and settings parsing of src/core/routing.c. */
#include <limits.h>
#include <math.h>

#include "unit.h"
#include "routing.h"

static const double weights[ROUTING_NTIERS] = {1, 2, 4, 8};

UNIT_TEST(routing_fit_orders_partners_sensibly)
{
	RoutingFitInput base = {.country_match = true, .tier = 1, .cert_level = 0,
		.converted = 5, .lost = 5, .offered = 20, .accepted = 18, .open = 2, .capacity = 10};
	RoutingFitInput region = base,
				full = base,
				better_tier = base,
				empty = {0};
	double		f = routing_fit(&base);

	region.country_match = false;
	full.open = 10;
	better_tier.tier = 3;
	CHECK(f > 0.0 && f <= 1.0);
	CHECK(routing_fit(&region) < f);
	CHECK(routing_fit(&full) < f);
	CHECK(routing_fit(&better_tier) > f);
	/* rounded to 0.001 */
	CHECK(fabs(f * 1000 - floor(f * 1000 + 0.5)) < 1e-9);
	/* a partner with no history gets the neutral 1/2 rates */
	empty.capacity = 0;
	empty.cert_level = -1;
	CHECK(fabs(routing_fit(&empty) - (0.30 * 0.6 + 0.15 * 0.25 + 0.15 * 0.5 + 0.10 * 0.5)) < 0.001);
}

UNIT_TEST(routing_round_robin_takes_least_recent_of_best)
{
	RoutingCandidate c[] = {
		{.partner_id = 10, .tier = 0, .fit = 0.8, .last_assigned = 500},
		{.partner_id = 11, .tier = 0, .fit = 0.9, .last_assigned = 300},
		{.partner_id = 12, .tier = 0, .fit = 0.9, .last_assigned = 100},
		{.partner_id = 13, .tier = 0, .fit = 0.9, .last_assigned = 100},
		{.partner_id = 14, .tier = 0, .fit = 0.7, .last_assigned = INT64_MIN},
	};

	CHECK(routing_choose(c, 5, RP_ROUND_ROBIN, weights, 0.5) == 2);
	c[3].last_assigned = INT64_MIN;
	CHECK(routing_choose(c, 5, RP_ROUND_ROBIN, weights, 0.5) == 3);
	CHECK(routing_choose(c, 0, RP_ROUND_ROBIN, weights, 0.5) == -1);
	CHECK(routing_choose(c, 1, RP_ROUND_ROBIN, weights, 0.5) == 0);
}

UNIT_TEST(routing_lottery_is_weighted_by_tier)
{
	RoutingCandidate c[] = {
		{.partner_id = 1, .tier = 0, .fit = 0.5},	/* weight 1 */
		{.partner_id = 2, .tier = 3, .fit = 0.5},	/* weight 8 */
		{.partner_id = 3, .tier = 3, .fit = 0.4},	/* never: lower fit */
	};
	int			wins[3] = {0};

	for (int i = 0; i < 9000; i++)
		wins[routing_choose(c, 3, RP_LOTTERY, weights, i / 9000.0)]++;
	CHECK(wins[0] == 1000);
	CHECK(wins[1] == 8000);
	CHECK(wins[2] == 0);
}

UNIT_TEST(routing_parses_tier_values)
{
	double		v[ROUTING_NTIERS];
	char		err[200];

	CHECK(routing_parse_tier_values("registered=24, silver=36,gold = 48 ,platinum=72.5", 720, v, err, sizeof err));
	CHECK(v[0] == 24 && v[1] == 36 && v[2] == 48 && v[3] == 72.5);
	CHECK(!routing_parse_tier_values("registered=24,silver=36,gold=48", 720, v, err, sizeof err));
	CHECK_STR(err, "tier \"platinum\" is missing");
	CHECK(!routing_parse_tier_values("registered=24,silver=36,gold=48,bronze=1", 720, v, err, sizeof err));
	CHECK_STR(err, "unknown tier \"bronze\"");
	CHECK(!routing_parse_tier_values("registered=0,silver=36,gold=48,platinum=1", 720, v, err, sizeof err));
	CHECK(!routing_parse_tier_values("registered=24,registered=36", 720, v, err, sizeof err));
	CHECK(!routing_parse_tier_values("registered", 720, v, err, sizeof err));
	CHECK(!routing_parse_tier_values("registered=2x,silver=1,gold=1,platinum=1", 720, v, err, sizeof err));
	CHECK(!routing_parse_tier_values("registered=1000,silver=1,gold=1,platinum=1", 720, v, err, sizeof err));
}

UNIT_TEST(routing_parses_bands_and_finds_min_tier)
{
	RoutingBand b[ROUTING_MAX_BANDS];
	int			n;
	char		err[200];

	CHECK(routing_parse_bands("85=gold, 60=silver", b, &n, err, sizeof err));
	CHECK(n == 2 && b[0].min_score == 60 && b[1].min_tier == 2);
	CHECK(routing_min_tier(b, n, 10) == 0);
	CHECK(routing_min_tier(b, n, 60) == 1);
	CHECK(routing_min_tier(b, n, 99) == 2);
	CHECK(routing_parse_bands("", b, &n, err, sizeof err) && n == 0);
	CHECK(routing_min_tier(b, 0, 100) == 0);
	CHECK(!routing_parse_bands("101=gold", b, &n, err, sizeof err));
	CHECK(!routing_parse_bands("50=gold,50=silver", b, &n, err, sizeof err));
	CHECK_STR(err, "score 50 is given twice");
	CHECK(!routing_parse_bands("50=copper", b, &n, err, sizeof err));
	CHECK(!routing_parse_bands("5.5=gold", b, &n, err, sizeof err));
}

UNIT_TEST(routing_eligibility_checks_every_hard_rule)
{
	RoutingEligibilityInput ok = {.active = true, .covers = true, .authorized = true,
		.requires_cert = true, .min_cert_level = 1, .cert_level = 2, .tier = 1, .min_tier = 1,
		.open = 4, .capacity = 5, .excluded = false};
	RoutingEligibilityInput e;

	CHECK(routing_ineligible_reason(&ok) == NULL);
	e = ok; e.active = false;
	CHECK_STR(routing_ineligible_reason(&e), "partner is not an active reseller");
	e = ok; e.covers = false;
	CHECK(routing_ineligible_reason(&e) != NULL);
	e = ok; e.authorized = false;
	CHECK(routing_ineligible_reason(&e) != NULL);
	e = ok; e.cert_level = 0;
	CHECK_STR(routing_ineligible_reason(&e), "no valid certification for the product line");
	e = ok; e.cert_level = -1; e.requires_cert = false;
	CHECK(routing_ineligible_reason(&e) == NULL);
	e = ok; e.tier = 0;
	CHECK(routing_ineligible_reason(&e) != NULL);
	e = ok; e.open = 5;
	CHECK_STR(routing_ineligible_reason(&e), "at capacity (max_open_leads)");
	e = ok; e.excluded = true;
	CHECK(routing_ineligible_reason(&e) != NULL);
}

UNIT_TEST(routing_account_rank_prefers_or_requires_the_holder)
{
	RoutingCandidate c[] = {
		{.partner_id = 20, .tier = 0, .fit = 0.9, .last_assigned = 100},
		{.partner_id = 21, .tier = 0, .fit = 0.75, .last_assigned = 50},
		{.partner_id = 22, .tier = 0, .fit = 0.5, .last_assigned = 10},
	};

	/* not the holder, or off: the fit unchanged */
	CHECK(routing_account_rank(0.75, false, RA_PREFER, 0.2) == 0.75);
	CHECK(routing_account_rank(0.75, true, RA_OFF, 0.2) == 0.75);
	/* prefer: the bonus, rounded to 0.001, capped at 1 */
	CHECK(fabs(routing_account_rank(0.75, true, RA_PREFER, 0.2) - 0.95) < 1e-9);
	CHECK(routing_account_rank(0.9, true, RA_PREFER, 0.2) == 1.0);
	CHECK(routing_account_rank(0.75, true, RA_PREFER, 0.0) == 0.75);
	CHECK(fabs(routing_account_rank(0.123, true, RA_PREFER, 0.00049) - 0.123) < 1e-9);
	/* the bonus makes the holder win over a better fit it is within reach of ... */
	c[1].fit = routing_account_rank(0.75, true, RA_PREFER, 0.2);
	CHECK(routing_choose(c, 3, RP_ROUND_ROBIN, weights, 0.0) == 1);
	/* ... but not over one beyond it */
	c[1].fit = 0.75;
	c[2].fit = routing_account_rank(0.5, true, RA_PREFER, 0.2);
	CHECK(routing_choose(c, 3, RP_ROUND_ROBIN, weights, 0.0) == 0);
	/* require: above every non-holder, whatever the fits; lottery too */
	c[2].fit = routing_account_rank(0.5, true, RA_REQUIRE, 0.2);
	CHECK(c[2].fit > 1.0);
	CHECK(routing_choose(c, 3, RP_ROUND_ROBIN, weights, 0.0) == 2);
	CHECK(routing_choose(c, 3, RP_LOTTERY, weights, 0.99) == 2);
}
