/*
 * pricing.c -- the decisions of a partner's net price (see pricing.h).
 */
#include <string.h>

#include "pricing.h"

bool
pricing_in_period(pricing_period p, int32_t day)
{
	return p.from <= day && (p.until == PRICING_OPEN_END || day < p.until);
}

int
pricing_pick_list(const pricing_list *lists, int nlists, const char *currency, int32_t day)
{
	int			best = -1;

	if (currency == NULL)
		return -1;
	for (int i = 0; i < nlists; i++)
	{
		if (lists[i].currency == NULL || strcmp(lists[i].currency, currency) != 0 ||
			!pricing_in_period(lists[i].period, day))
			continue;
		if (best < 0 || lists[i].period.from > lists[best].period.from ||
			(lists[i].period.from == lists[best].period.from && lists[i].id < lists[best].id))
			best = i;
	}
	return best;
}

static int
specificity(const pricing_rule *r)
{
	return (r->program_id != PRICING_ANY ? 4 : 0) + (r->product_line != NULL ? 2 : 0) + (r->tier != PRICING_ANY ? 1 : 0);
}

int
pricing_pick_rule(const pricing_rule *rules, int nrules, int tier, const char *product_line,
				  int64_t program_id, int32_t day)
{
	int			best = -1;
	int			best_spec = -1;

	for (int i = 0; i < nrules; i++)
	{
		const pricing_rule *r = &rules[i];
		int			spec;

		if (r->tier != PRICING_ANY && r->tier != tier)
			continue;
		if (r->product_line != NULL && (product_line == NULL || strcmp(r->product_line, product_line) != 0))
			continue;
		if (r->program_id != PRICING_ANY && r->program_id != program_id)
			continue;
		if (!pricing_in_period(r->period, day))
			continue;
		spec = specificity(r);
		if (best < 0 || spec > best_spec ||
			(spec == best_spec && (r->period.from > rules[best].period.from ||
								   (r->period.from == rules[best].period.from && r->id < rules[best].id))))
		{
			best = i;
			best_spec = spec;
		}
	}
	return best;
}

static const int64_t unit_of_minor[5] = {10000, 1000, 100, 10, 1};

bool
pricing_round(int64_t amount, int minor_units, int64_t *rounded)
{
	int64_t		unit;
	int64_t		q;
	int64_t		r;

	if (minor_units < 0 || minor_units > 4)
		return false;
	unit = unit_of_minor[minor_units];
	q = amount / unit;
	r = amount % unit;
	if (r < 0)
		r = -r;
	if (2 * r >= unit)
		q += amount < 0 ? -1 : 1;
	*rounded = q * unit;
	return true;
}

bool
pricing_net(int64_t list, int32_t discount, int minor_units, int64_t *net)
{
	__int128	scaled;
	__int128	denom;
	__int128	whole;
	int64_t		unit;

	if (list < 0 || discount < 0 || discount > PRICING_MAX_DISCOUNT || minor_units < 0 || minor_units > 4)
		return false;
	/*
	 * list * (10000 - discount) / 10000 is exact in 1/10^8 units; it is
	 * rounded once, straight to the minor units (rounding to 1/10000 first
	 * could carry a value just under a half over it).
	 */
	unit = unit_of_minor[minor_units];
	scaled = (__int128) list * (PRICING_MAX_DISCOUNT - discount);
	denom = (__int128) PRICING_MAX_DISCOUNT * unit;
	whole = scaled / denom;
	if (2 * (scaled % denom) >= denom)
		whole++;
	*net = (int64_t) (whole * unit);
	return true;
}
