/*
 * routing.c -- lead routing decisions (see routing.h).
 */
#include "routing.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const tier_names[ROUTING_NTIERS] = {"registered", "silver", "gold", "platinum"};

int
routing_tier_from_name(const char *name, size_t len)
{
	for (int i = 0; i < ROUTING_NTIERS; i++)
		if (strlen(tier_names[i]) == len && memcmp(tier_names[i], name, len) == 0)
			return i;
	return -1;
}

const char *
routing_tier_name(int tier)
{
	return (tier >= 0 && tier < ROUTING_NTIERS) ? tier_names[tier] : NULL;
}

double
routing_fit(const RoutingFitInput *in)
{
	double		territory = in->country_match ? 1.0 : 0.6;
	double		cert = in->cert_level < 0 ? 0.0 : (in->cert_level + 1) / 3.0;
	double		tier = (in->tier + 1) / (double) ROUTING_NTIERS;
	double		conversion = (in->converted + 1.0) / (in->converted + in->lost + 2.0);
	double		acceptance = (in->accepted + 1.0) / (in->offered + 2.0);
	double		room = 0.0;
	double		fit;

	if (in->capacity > 0 && in->open < in->capacity)
		room = 1.0 - (double) in->open / (double) in->capacity;
	if (acceptance > 1.0)
		acceptance = 1.0;
	fit = 0.30 * territory + 0.15 * cert + 0.15 * tier + 0.15 * conversion
		+ 0.10 * acceptance + 0.15 * room;
	return floor(fit * 1000.0 + 0.5) / 1000.0;
}

double
routing_account_rank(double fit, bool holder, RoutingAccountMode mode, double bonus)
{
	double		r;

	if (!holder || mode == RA_OFF)
		return fit;
	if (mode == RA_REQUIRE)
		return fit + 2.0;
	if (!(bonus > 0.0))
		return fit;
	r = fit + bonus;
	if (r > 1.0)
		r = 1.0;
	return floor(r * 1000.0 + 0.5) / 1000.0;
}

int
routing_choose(const RoutingCandidate *c, int n, RoutingPolicy policy,
			   const double weights[ROUTING_NTIERS], double u)
{
	double		best = -1.0;
	int			chosen = -1;
	double		total = 0.0,
				acc = 0.0;

	if (n <= 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (c[i].fit > best)
			best = c[i].fit;

	if (policy == RP_ROUND_ROBIN)
	{
		for (int i = 0; i < n; i++)
		{
			if (c[i].fit != best)
				continue;
			if (chosen < 0 || c[i].last_assigned < c[chosen].last_assigned ||
				(c[i].last_assigned == c[chosen].last_assigned &&
				 c[i].partner_id < c[chosen].partner_id))
				chosen = i;
		}
		return chosen;
	}

	/* lottery: candidates in the order given, weighted by tier */
	for (int i = 0; i < n; i++)
		if (c[i].fit == best)
			total += weights[c[i].tier];
	for (int i = 0; i < n; i++)
	{
		if (c[i].fit != best)
			continue;
		chosen = i;
		acc += weights[c[i].tier];
		if (u * total < acc)
			break;
	}
	return chosen;
}

static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return p;
}

/*
 * Next "key=value" item of a comma-separated list: key and value trimmed.
 * Returns the position after the item (after its comma), NULL at the end,
 * or sets *bad on a malformed item.
 */
static const char *
next_item(const char *p, const char **key, size_t *keylen, const char **val, size_t *vallen, bool *bad)
{
	const char *eq,
			   *end,
			   *k_end,
			   *v_end;

	*bad = false;
	p = skip_space(p);
	if (*p == '\0')
		return NULL;
	end = strchr(p, ',');
	if (end == NULL)
		end = p + strlen(p);
	eq = memchr(p, '=', end - p);
	if (eq == NULL)
	{
		*bad = true;
		return NULL;
	}
	k_end = eq;
	while (k_end > p && (k_end[-1] == ' ' || k_end[-1] == '\t'))
		k_end--;
	*key = p;
	*keylen = k_end - p;
	*val = skip_space(eq + 1);
	v_end = end;
	while (v_end > *val && (v_end[-1] == ' ' || v_end[-1] == '\t' || v_end[-1] == '\n'))
		v_end--;
	*vallen = v_end > *val ? (size_t) (v_end - *val) : 0;
	if (*keylen == 0 || *vallen == 0)
		*bad = true;
	return *end == ',' ? end + 1 : end;
}

static bool
parse_number(const char *s, size_t len, double *out)
{
	char		buf[32];
	char	   *end;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*out = strtod(buf, &end);
	return *end == '\0' && isfinite(*out);
}

bool
routing_parse_tier_values(const char *s, double maxval, double out[ROUTING_NTIERS],
						  char *err, size_t errlen)
{
	bool		seen[ROUTING_NTIERS] = {false};
	const char *p = s,
			   *key,
			   *val;
	size_t		keylen,
				vallen;
	bool		bad;

	while (p != NULL && *p != '\0')
	{
		int			t;
		double		v;

		p = next_item(p, &key, &keylen, &val, &vallen, &bad);
		if (bad)
		{
			snprintf(err, errlen, "expected a comma-separated list of tier=number items");
			return false;
		}
		if (p == NULL)
			break;
		t = routing_tier_from_name(key, keylen);
		if (t < 0)
		{
			snprintf(err, errlen, "unknown tier \"%.*s\"", (int) keylen, key);
			return false;
		}
		if (seen[t])
		{
			snprintf(err, errlen, "tier \"%s\" is given twice", tier_names[t]);
			return false;
		}
		if (!parse_number(val, vallen, &v) || v <= 0 || v > maxval)
		{
			snprintf(err, errlen, "value of tier \"%s\" must be a number above 0 and at most %g",
					 tier_names[t], maxval);
			return false;
		}
		seen[t] = true;
		out[t] = v;
	}
	for (int t = 0; t < ROUTING_NTIERS; t++)
		if (!seen[t])
		{
			snprintf(err, errlen, "tier \"%s\" is missing", tier_names[t]);
			return false;
		}
	return true;
}

bool
routing_parse_bands(const char *s, RoutingBand *bands, int *n, char *err, size_t errlen)
{
	const char *p = s,
			   *key,
			   *val;
	size_t		keylen,
				vallen;
	bool		bad;

	*n = 0;
	while (p != NULL && *p != '\0')
	{
		double		score;
		int			t;

		p = next_item(p, &key, &keylen, &val, &vallen, &bad);
		if (bad)
		{
			snprintf(err, errlen, "expected a comma-separated list of score=tier items");
			return false;
		}
		if (p == NULL)
			break;
		if (!parse_number(key, keylen, &score) || score != floor(score) || score < 0 || score > 100)
		{
			snprintf(err, errlen, "score \"%.*s\" must be a whole number from 0 to 100", (int) keylen, key);
			return false;
		}
		t = routing_tier_from_name(val, vallen);
		if (t < 0)
		{
			snprintf(err, errlen, "unknown tier \"%.*s\"", (int) vallen, val);
			return false;
		}
		for (int i = 0; i < *n; i++)
			if (bands[i].min_score == (int) score)
			{
				snprintf(err, errlen, "score %d is given twice", (int) score);
				return false;
			}
		if (*n >= ROUTING_MAX_BANDS)
		{
			snprintf(err, errlen, "at most %d score bands", ROUTING_MAX_BANDS);
			return false;
		}
		/* insertion sort by min_score */
		{
			int			i = *n;

			while (i > 0 && bands[i - 1].min_score > (int) score)
			{
				bands[i] = bands[i - 1];
				i--;
			}
			bands[i].min_score = (int) score;
			bands[i].min_tier = t;
			(*n)++;
		}
	}
	return true;
}

int
routing_min_tier(const RoutingBand *bands, int n, int score)
{
	int			tier = 0;

	for (int i = 0; i < n; i++)
		if (score >= bands[i].min_score)
			tier = bands[i].min_tier;
	return tier;
}

const char *
routing_ineligible_reason(const RoutingEligibilityInput *e)
{
	if (!e->active)
		return "partner is not an active reseller";
	if (!e->covers)
		return "territory does not cover the lead's country or region";
	if (!e->authorized)
		return "not authorized for the product line";
	if (e->requires_cert && e->cert_level < e->min_cert_level)
		return "no valid certification for the product line";
	if (e->tier < e->min_tier)
		return "tier below the minimum for the lead's score";
	if (e->open >= e->capacity)
		return "at capacity (max_open_leads)";
	if (e->excluded)
		return "rejected this lead or let it lapse before";
	return NULL;
}
