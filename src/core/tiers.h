/*
 * tiers.h -- the tier decision of a programme evaluation (pure C, no PostgreSQL).
 *
 * One evaluation of one partner: given the tier it holds, the tier its
 * performance qualifies it for, an active manual override (if any), how many
 * consecutive evaluations it has already been below its tier, and the
 * programme's grace period, decide the tier it holds afterwards and why.
 *
 * Tiers are ordinals, lowest first (registered = 0 ... platinum = 3);
 * TIER_NONE (-1) means "no override".
 *
 * Rules (doc/programs.md):
 *   - an active override wins: the tier becomes the override's, the grace
 *     counter is reset;
 *   - qualified above the current tier: upgrade at once;
 *   - qualified equal: nothing changes, the counter is reset;
 *   - qualified below: the counter goes up by one; while it is at most the
 *     grace period the partner keeps its tier (the first such evaluation is
 *     the warning, the later ones keep it pending); the evaluation that takes
 *     it past the grace period downgrades to the tier then qualified for.
 *     A grace period of g thus means g warned evaluations before a downgrade.
 *   - an evaluation repeated for a day already evaluated (repeat = true)
 *     does not count again: the counter keeps its value, so running the job
 *     twice never shortens the grace period.
 */
#ifndef CHANNEL_TIERS_H
#define CHANNEL_TIERS_H

#include <stdbool.h>

#define TIER_NONE   (-1)
#define TIER_MIN    0
#define TIER_MAX    3

typedef enum tier_action
{
	TIER_KEEP = 0,				/* nothing to do */
	TIER_UPGRADE = 1,			/* tier raised to the qualified tier */
	TIER_WARN = 2,				/* first evaluation below: warned, tier kept */
	TIER_PENDING = 3,			/* still below, within the grace period */
	TIER_DOWNGRADE = 4,			/* grace period exhausted: lowered */
	TIER_OVERRIDE = 5,			/* set to the override's tier */
	TIER_OVERRIDDEN = 6			/* override in force, tier already equal */
} tier_action;

typedef struct tier_decision
{
	int			new_tier;
	int			below_count;	/* consecutive evaluations below, after this one */
	tier_action action;
} tier_decision;

/*
 * Returns false (and leaves *out untouched) when an argument is out of
 * range: a tier outside TIER_MIN..TIER_MAX (override may also be TIER_NONE),
 * below_count < 0 or grace < 1.
 */
bool		tier_decide(int current, int qualified, int override_tier,
						int below_count, int grace, bool repeat,
						tier_decision *out);

/*
 * Qualification: requirement i belongs to tier tiers[i] and holds when
 * passed[i].  The tiers a programme offers are those its requirements name
 * (plus TIER_MIN, which has none).  A partner qualifies for the highest
 * offered tier t such that every requirement of every tier <= t holds.
 * Sets *first_fail to the lowest tier with a failing requirement (TIER_NONE
 * when all hold) and *met to the number of requirements that hold.  Returns
 * -1 when a tier is out of range, else the qualified tier.
 */
int			tier_qualify(int n, const int *tiers, const bool *passed,
						 int *first_fail, int *met);

/* "keep", "upgrade", "warn", "pending", "downgrade", "override", "overridden". */
const char *tier_action_name(tier_action a);

#endif
