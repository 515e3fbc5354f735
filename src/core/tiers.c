/*
 * tiers.c -- the tier decision of a programme evaluation; see tiers.h.
 */
#include "tiers.h"

static bool
tier_valid(int t)
{
	return t >= TIER_MIN && t <= TIER_MAX;
}

bool
tier_decide(int current, int qualified, int override_tier,
			int below_count, int grace, bool repeat, tier_decision *out)
{
	tier_decision d;

	if (!tier_valid(current) || !tier_valid(qualified) ||
		(override_tier != TIER_NONE && !tier_valid(override_tier)) ||
		below_count < 0 || grace < 1)
		return false;

	if (override_tier != TIER_NONE)
	{
		d.new_tier = override_tier;
		d.below_count = 0;
		d.action = override_tier == current ? TIER_OVERRIDDEN : TIER_OVERRIDE;
	}
	else if (qualified > current)
	{
		d.new_tier = qualified;
		d.below_count = 0;
		d.action = TIER_UPGRADE;
	}
	else if (qualified == current)
	{
		d.new_tier = current;
		d.below_count = 0;
		d.action = TIER_KEEP;
	}
	else
	{
		/* below: a repeated evaluation of the same day does not count again */
		int			n = below_count;

		if (!repeat || n == 0)
			n = n + 1;
		if (n > grace)
		{
			d.new_tier = qualified;
			d.below_count = 0;
			d.action = TIER_DOWNGRADE;
		}
		else
		{
			d.new_tier = current;
			d.below_count = n;
			d.action = (n == 1 && !(repeat && below_count == 1)) ? TIER_WARN : TIER_PENDING;
		}
	}
	*out = d;
	return true;
}

int
tier_qualify(int n, const int *tiers, const bool *passed, int *first_fail, int *met)
{
	int			lowest_fail = TIER_MAX + 1;
	int			qualified = TIER_MIN;
	int			ok = 0;

	for (int i = 0; i < n; i++)
	{
		if (!tier_valid(tiers[i]))
			return -1;
		if (passed[i])
			ok++;
		else if (tiers[i] < lowest_fail)
			lowest_fail = tiers[i];
	}
	/* the highest offered tier below the lowest failing one */
	for (int i = 0; i < n; i++)
		if (tiers[i] < lowest_fail && tiers[i] > qualified)
			qualified = tiers[i];
	*first_fail = lowest_fail > TIER_MAX ? TIER_NONE : lowest_fail;
	*met = ok;
	return qualified;
}

const char *
tier_action_name(tier_action a)
{
	switch (a)
	{
		case TIER_KEEP:
			return "keep";
		case TIER_UPGRADE:
			return "upgrade";
		case TIER_WARN:
			return "warn";
		case TIER_PENDING:
			return "pending";
		case TIER_DOWNGRADE:
			return "downgrade";
		case TIER_OVERRIDE:
			return "override";
		case TIER_OVERRIDDEN:
			return "overridden";
	}
	return "unknown";
}
