/*
 * pricing.h -- the decisions of a partner's net price (pure C, no PostgreSQL).
 *
 * Money is an int64 count of 1/10000 of the currency unit (the scale of
 * channel.price_list_item.unit_price, numeric(18,4)); a discount is an
 * int32 count of 1/100 of a percent (numeric(5,2): 0 .. 10000); a day is an
 * int32 (PostgreSQL's DateADT, days since 2000-01-01); a missing end is
 * PRICING_OPEN_END.  doc/deal-desk.md states the rules:
 *
 *   - the price list of a currency on a day is the one whose period
 *     [valid_from, valid_until) covers the day, the latest starting when
 *     several do;
 *   - the schedule row of a partner on a day is, among the rows in force
 *     whose tier, product line and programme each match or are unset, the
 *     most specific one: a programme counts 4, a product line 2, a tier 1;
 *     a tie goes to the latest start, then the lowest schedule id (the
 *     table's unique key makes a true tie impossible);
 *   - the net price is list * (10000 - discount) / 10000 rounded half up
 *     to the currency's minor units (0 .. 4 decimals).
 */
#ifndef CHANNEL_PRICING_H
#define CHANNEL_PRICING_H

#include <stdbool.h>
#include <stdint.h>

#define PRICING_OPEN_END	INT32_MAX
#define PRICING_ANY			(-1)	/* tier or programme unset in a schedule row */
#define PRICING_SCALE		10000	/* money units per currency unit */
#define PRICING_MAX_DISCOUNT 10000	/* 100.00 % */

typedef struct pricing_period
{
	int32_t		from;			/* first day */
	int32_t		until;			/* first day after, or PRICING_OPEN_END */
} pricing_period;

typedef struct pricing_list
{
	int64_t		id;
	const char *currency;		/* ISO 4217 code */
	pricing_period period;
} pricing_list;

typedef struct pricing_rule
{
	int64_t		id;
	int			tier;			/* tier ordinal, or PRICING_ANY */
	const char *product_line;	/* or NULL: any */
	int64_t		program_id;		/* or PRICING_ANY */
	int32_t		discount;		/* 1/100 % */
	pricing_period period;
} pricing_rule;

/* true when day falls in [from, until) */
bool		pricing_in_period(pricing_period p, int32_t day);

/* index in lists[] of the list of currency in force on day, or -1 */
int			pricing_pick_list(const pricing_list *lists, int nlists, const char *currency, int32_t day);

/*
 * index in rules[] of the rule that applies to a partner of tier (ordinal)
 * in programme program_id (PRICING_ANY: a member of none) buying
 * product_line on day, or -1 (no discount)
 */
int			pricing_pick_rule(const pricing_rule *rules, int nrules, int tier, const char *product_line,
							  int64_t program_id, int32_t day);

/*
 * The net of list (1/10000 units, >= 0) less discount (1/100 %, 0 ..
 * 10000), rounded half up to minor_units decimals (0 .. 4), in 1/10000
 * units; false (and *net untouched) when an argument is out of range.
 */
bool		pricing_net(int64_t list, int32_t discount, int minor_units, int64_t *net);

/* Rounds an amount in 1/10000 units half up (away from zero) to minor_units decimals. */
bool		pricing_round(int64_t amount, int minor_units, int64_t *rounded);

#endif
