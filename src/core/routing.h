/*
 * routing.h -- lead routing decisions (pure C, no PostgreSQL headers).
 *
 * The SQL wrappers (src/routing_*.c) load the candidate partners; what is
 * here is the arithmetic: the hard rules of eligibility,
 * how well an eligible partner fits a lead, which of the best-fitting
 * partners gets it under the configured fairness policy, and the parsing of
 * the per-tier and per-score-band settings.
 */
#ifndef CHANNEL_ROUTING_H
#define CHANNEL_ROUTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROUTING_NTIERS 4		/* registered, silver, gold, platinum */
#define ROUTING_MAX_BANDS 16

/* account-centric routing: what holding the lead's end customer is worth */
typedef enum RoutingAccountMode
{
	RA_OFF,						/* ignored */
	RA_PREFER,					/* a fit bonus */
	RA_REQUIRE					/* the holder first whenever it is eligible */
} RoutingAccountMode;

typedef enum RoutingPolicy
{
	RP_ROUND_ROBIN,				/* least recently assigned first */
	RP_LOTTERY					/* weighted by tier, seedable */
} RoutingPolicy;

/* What the fit of one partner for one lead is computed from. */
typedef struct RoutingFitInput
{
	bool		country_match;	/* territory names the lead's country (else its region) */
	int			tier;			/* 0 registered .. 3 platinum */
	int			cert_level;		/* best valid certification on the line: -1 none, 0..2 */
	long		converted;		/* the partner's leads converted ... */
	long		lost;			/* ... and lost */
	long		offered;		/* leads ever routed to it ... */
	long		accepted;		/* ... and accepted */
	long		open;			/* leads it holds now (routed or accepted) */
	long		capacity;		/* its max_open_leads */
} RoutingFitInput;

/* Fit in [0, 1], rounded to 0.001 so that near-equal partners tie. */
double		routing_fit(const RoutingFitInput *in);

/*
 * The fit routing_choose() ranks a candidate by: its fit, unless it holds
 * the lead's end customer (a live registration, an accepted lead or recent
 * sell-through of the customer and line): RA_PREFER adds bonus (capped at 1,
 * rounded to 0.001), RA_REQUIRE puts it above every non-holder (fit + 2, so
 * that it is tried first and the others only when it cannot take the lead).
 */
double		routing_account_rank(double fit, bool holder, RoutingAccountMode mode, double bonus);

typedef struct RoutingCandidate
{
	int64_t		partner_id;
	int			tier;
	double		fit;
	int64_t		last_assigned;	/* microseconds; INT64_MIN when never */
} RoutingCandidate;

/*
 * Index of the chosen candidate, or -1 when n == 0: the highest fit; among
 * equal fits, round robin takes the least recently assigned (then the lowest
 * partner id), lottery draws with probability proportional to the tier
 * weight using u in [0, 1).
 */
int			routing_choose(const RoutingCandidate *c, int n, RoutingPolicy policy,
						   const double weights[ROUTING_NTIERS], double u);

/* 0..3 for a tier name, -1 otherwise */
int			routing_tier_from_name(const char *name, size_t len);
const char *routing_tier_name(int tier);

/*
 * Parse "registered=24, silver=36, gold=48, platinum=72": every tier once,
 * values > 0 and <= maxval.  Returns true, or false with a message in err.
 */
bool		routing_parse_tier_values(const char *s, double maxval, double out[ROUTING_NTIERS],
									  char *err, size_t errlen);

/* "60=silver, 85=gold": leads scoring at least 60 need a silver partner ... */
typedef struct RoutingBand
{
	int			min_score;
	int			min_tier;
} RoutingBand;

/* Parse score bands (possibly empty), sorted by min_score; count in *n. */
bool		routing_parse_bands(const char *s, RoutingBand *bands, int *n,
								char *err, size_t errlen);

/* Lowest tier a lead of this score may go to. */
int			routing_min_tier(const RoutingBand *bands, int n, int score);

/* The hard rules of routing, for one partner and one lead. */
typedef struct RoutingEligibilityInput
{
	bool		active;			/* status active and not a distributor */
	bool		covers;			/* a territory names the lead's country or region */
	bool		authorized;		/* authorized for the lead's product line */
	bool		requires_cert;	/* the line requires a certification ... */
	int			min_cert_level; /* ... of at least this level */
	int			cert_level;		/* best one valid on the routing date, -1 none */
	int			tier;
	int			min_tier;		/* for the lead's score band */
	long		open;
	long		capacity;
	bool		excluded;		/* rejected this lead or let it lapse */
} RoutingEligibilityInput;

/* NULL when eligible, else why not (a short English phrase). */
const char *routing_ineligible_reason(const RoutingEligibilityInput *e);

#endif
