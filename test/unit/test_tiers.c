/* test_tiers.c -- the tier decision: upgrades, grace periods, overrides, repeats. */
#include "unit.h"
#include "tiers.h"

static tier_decision
decide(int current, int qualified, int override_tier, int below, int grace, bool repeat)
{
	tier_decision d = {-99, -99, TIER_KEEP};

	CHECK(tier_decide(current, qualified, override_tier, below, grace, repeat, &d));
	return d;
}

UNIT_TEST(tiers_upgrade_is_immediate)
{
	tier_decision d = decide(0, 2, TIER_NONE, 0, 2, false);

	CHECK(d.new_tier == 2 && d.below_count == 0 && d.action == TIER_UPGRADE);
	/* an upgrade also ends a pending downgrade */
	d = decide(1, 3, TIER_NONE, 2, 3, false);
	CHECK(d.new_tier == 3 && d.below_count == 0 && d.action == TIER_UPGRADE);
}

UNIT_TEST(tiers_equal_keeps_and_resets)
{
	tier_decision d = decide(2, 2, TIER_NONE, 1, 2, false);

	CHECK(d.new_tier == 2 && d.below_count == 0 && d.action == TIER_KEEP);
}

UNIT_TEST(tiers_downgrade_after_grace)
{
	/* grace 2: warn, pending, then downgrade at the third evaluation below */
	tier_decision d = decide(2, 1, TIER_NONE, 0, 2, false);

	CHECK(d.new_tier == 2 && d.below_count == 1 && d.action == TIER_WARN);
	d = decide(2, 1, TIER_NONE, d.below_count, 2, false);
	CHECK(d.new_tier == 2 && d.below_count == 2 && d.action == TIER_PENDING);
	d = decide(2, 0, TIER_NONE, d.below_count, 2, false);
	CHECK(d.new_tier == 0 && d.below_count == 0 && d.action == TIER_DOWNGRADE);
}

UNIT_TEST(tiers_grace_one_warns_then_downgrades)
{
	tier_decision d = decide(3, 0, TIER_NONE, 0, 1, false);

	CHECK(d.new_tier == 3 && d.below_count == 1 && d.action == TIER_WARN);
	d = decide(3, 1, TIER_NONE, 1, 1, false);
	CHECK(d.new_tier == 1 && d.below_count == 0 && d.action == TIER_DOWNGRADE);
}

UNIT_TEST(tiers_recovery_resets_the_grace_counter)
{
	tier_decision d = decide(2, 1, TIER_NONE, 0, 2, false);

	d = decide(2, 2, TIER_NONE, d.below_count, 2, false);
	CHECK(d.action == TIER_KEEP && d.below_count == 0);
	/* below again: a fresh warning, not a downgrade */
	d = decide(2, 1, TIER_NONE, d.below_count, 2, false);
	CHECK(d.action == TIER_WARN && d.below_count == 1 && d.new_tier == 2);
}

UNIT_TEST(tiers_repeat_of_a_day_does_not_count_twice)
{
	tier_decision d = decide(2, 1, TIER_NONE, 1, 1, true);

	/* already warned today: stays pending, no downgrade, no second warning */
	CHECK(d.new_tier == 2 && d.below_count == 1 && d.action == TIER_PENDING);
	d = decide(2, 1, TIER_NONE, 2, 2, true);
	CHECK(d.new_tier == 2 && d.below_count == 2 && d.action == TIER_PENDING);
	/* below for the first time on a day evaluated before: counts once */
	d = decide(2, 1, TIER_NONE, 0, 2, true);
	CHECK(d.new_tier == 2 && d.below_count == 1 && d.action == TIER_WARN);
	/* repeats never downgrade however often they run */
	for (int i = 0; i < 10; i++)
		d = decide(2, 0, TIER_NONE, d.below_count, 1, true);
	CHECK(d.new_tier == 2 && d.below_count == 1);
}

UNIT_TEST(tiers_override_wins)
{
	tier_decision d = decide(1, 3, 0, 0, 2, false);

	CHECK(d.new_tier == 0 && d.below_count == 0 && d.action == TIER_OVERRIDE);
	d = decide(3, 0, 3, 2, 2, false);
	CHECK(d.new_tier == 3 && d.below_count == 0 && d.action == TIER_OVERRIDDEN);
}

UNIT_TEST(tiers_rejects_bad_arguments)
{
	tier_decision d = {7, 7, TIER_KEEP};

	CHECK(!tier_decide(-1, 0, TIER_NONE, 0, 1, false, &d));
	CHECK(!tier_decide(0, 4, TIER_NONE, 0, 1, false, &d));
	CHECK(!tier_decide(0, 0, 4, 0, 1, false, &d));
	CHECK(!tier_decide(0, 0, -2, 0, 1, false, &d));
	CHECK(!tier_decide(0, 0, TIER_NONE, -1, 1, false, &d));
	CHECK(!tier_decide(0, 0, TIER_NONE, 0, 0, false, &d));
	CHECK(d.new_tier == 7 && d.below_count == 7);
}

UNIT_TEST(tiers_every_combination_is_consistent)
{
	for (int cur = TIER_MIN; cur <= TIER_MAX; cur++)
		for (int q = TIER_MIN; q <= TIER_MAX; q++)
			for (int o = TIER_NONE; o <= TIER_MAX; o++)
				for (int g = 1; g <= 3; g++)
					for (int b = 0; b <= g; b++)
						for (int r = 0; r <= 1; r++)
						{
							tier_decision d;

							CHECK(tier_decide(cur, q, o, b, g, r, &d));
							CHECK(d.new_tier >= TIER_MIN && d.new_tier <= TIER_MAX);
							CHECK(d.below_count >= 0 && d.below_count <= g);
							if (o != TIER_NONE)
								CHECK(d.new_tier == o);
							else if (q >= cur)
								CHECK(d.new_tier == q);
							else
								CHECK(d.new_tier == cur || (d.new_tier == q && d.action == TIER_DOWNGRADE && !r));
							CHECK(tier_action_name(d.action)[0] != 'u' || d.action == TIER_UPGRADE);
						}
	CHECK_STR(tier_action_name(TIER_WARN), "warn");
	CHECK_STR(tier_action_name(TIER_DOWNGRADE), "downgrade");
}

UNIT_TEST(tiers_qualify_highest_tier_below_the_first_failure)
{
	int			ff,
				met;
	/* silver x2, gold x2, platinum x1 */
	int			tiers[] = {1, 1, 2, 2, 3};
	bool		all[] = {true, true, true, true, true};
	bool		gold_fails[] = {true, true, true, false, true};
	bool		silver_fails[] = {false, true, true, true, true};
	bool		none[] = {false, false, false, false, false};

	CHECK(tier_qualify(5, tiers, all, &ff, &met) == 3 && ff == TIER_NONE && met == 5);
	/* platinum's own requirement holds, but gold's do not: silver */
	CHECK(tier_qualify(5, tiers, gold_fails, &ff, &met) == 1 && ff == 2 && met == 4);
	CHECK(tier_qualify(5, tiers, silver_fails, &ff, &met) == 0 && ff == 1 && met == 4);
	CHECK(tier_qualify(5, tiers, none, &ff, &met) == 0 && ff == 1 && met == 0);
	/* no requirements: the base tier */
	CHECK(tier_qualify(0, tiers, all, &ff, &met) == 0 && ff == TIER_NONE && met == 0);
}

UNIT_TEST(tiers_qualify_skips_tiers_a_programme_does_not_offer)
{
	int			ff,
				met;
	/* silver and platinum only, in any order */
	int			tiers[] = {3, 1, 3};
	bool		all[] = {true, true, true};
	bool		plat_fails[] = {false, true, true};

	CHECK(tier_qualify(3, tiers, all, &ff, &met) == 3 && ff == TIER_NONE);
	CHECK(tier_qualify(3, tiers, plat_fails, &ff, &met) == 1 && ff == 3 && met == 2);
}

UNIT_TEST(tiers_qualify_rejects_bad_tiers)
{
	int			ff = 7,
				met = 7;
	int			tiers[] = {1, 4};
	bool		p[] = {true, true};

	CHECK(tier_qualify(2, tiers, p, &ff, &met) == -1);
	CHECK(ff == 7 && met == 7);
}
