/*
 * routing_settings.c -- the routing GUCs: channel.routing_policy,
 * channel.routing_seed, channel.sla_hours, channel.lottery_weights and
 * channel.min_tier_by_score.
 *
 * The list-valued settings are parsed by src/core/routing.c in their check
 * hooks (so a wrong list is refused by SET, with a hint) and the parsed
 * values are installed by the assign hooks; the router reads them through
 * the functions of routing_settings.h.
 */
#include "postgres.h"

#include <limits.h>
#include <stdlib.h>

#include "utils/guc.h"

#include "channel.h"
#include "routing_settings.h"

static int	routing_policy = RP_ROUND_ROBIN;
static int	routing_seed = 0;
static int	account_routing = RA_PREFER;
static double account_fit_bonus = 0.2;
static char *sla_hours_string = NULL;
static char *lottery_weights_string = NULL;
static char *min_tier_string = NULL;

static const struct config_enum_entry policy_options[] = {
	{"round_robin", RP_ROUND_ROBIN, false},
	{"lottery", RP_LOTTERY, false},
	{NULL, 0, false}
};

static const struct config_enum_entry account_options[] = {
	{"off", RA_OFF, false},
	{"prefer", RA_PREFER, false},
	{"require", RA_REQUIRE, false},
	{NULL, 0, false}
};

typedef struct TierValues
{
	double		v[ROUTING_NTIERS];
} TierValues;

typedef struct BandValues
{
	int			n;
	RoutingBand b[ROUTING_MAX_BANDS];
} BandValues;

static TierValues sla_hours = {{24, 36, 48, 72}};
static TierValues lottery_weights = {{1, 2, 4, 8}};
static BandValues min_tier_bands = {2, {{60, 1}, {85, 2}}};

RoutingPolicy
routing_setting_policy(void)
{
	return (RoutingPolicy) routing_policy;
}

RoutingAccountMode
routing_setting_account_mode(void)
{
	return (RoutingAccountMode) account_routing;
}

double
routing_setting_account_bonus(void)
{
	return account_fit_bonus;
}

int
routing_setting_seed(void)
{
	return routing_seed;
}

double
routing_setting_sla_hours(int tier)
{
	return sla_hours.v[tier];
}

const double *
routing_setting_lottery_weights(void)
{
	return lottery_weights.v;
}

int
routing_setting_min_tier(int score)
{
	return routing_min_tier(min_tier_bands.b, min_tier_bands.n, score);
}

int
routing_tier_of(const char *name)
{
	int			t = routing_tier_from_name(name, strlen(name));

	if (t < 0)
		elog(ERROR, "unknown partner tier \"%s\"", name);
	return t;
}

int
routing_cert_level_of(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "associate") == 0)
		return 0;
	if (strcmp(name, "professional") == 0)
		return 1;
	if (strcmp(name, "expert") == 0)
		return 2;
	elog(ERROR, "unknown certification level \"%s\"", name);
	return -1;
}

/* ---------------------------------------------------- check/assign hooks */

static bool
check_tier_values(char **newval, void **extra, GucSource source, double maxval)
{
	char		err[256];
	TierValues *tv = (TierValues *) malloc(sizeof(TierValues));

	if (tv == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		GUC_check_errmsg("out of memory");
		return false;
	}
	if (!routing_parse_tier_values(*newval, maxval, tv->v, err, sizeof err))
	{
		GUC_check_errmsg("%s", err);
		GUC_check_errhint("Give every tier once, e.g. 'registered=24, silver=36, gold=48, platinum=72'.");
		free(tv);
		return false;
	}
	*extra = tv;
	return true;
}

static bool
check_sla_hours(char **newval, void **extra, GucSource source)
{
	return check_tier_values(newval, extra, source, 24 * 30);
}

static bool
check_lottery_weights(char **newval, void **extra, GucSource source)
{
	return check_tier_values(newval, extra, source, 1e6);
}

static void
assign_sla_hours(const char *newval, void *extra)
{
	sla_hours = *(TierValues *) extra;
}

static void
assign_lottery_weights(const char *newval, void *extra)
{
	lottery_weights = *(TierValues *) extra;
}

static bool
check_min_tier(char **newval, void **extra, GucSource source)
{
	char		err[256];
	BandValues *bv = (BandValues *) malloc(sizeof(BandValues));

	if (bv == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		GUC_check_errmsg("out of memory");
		return false;
	}
	if (!routing_parse_bands(*newval, bv->b, &bv->n, err, sizeof err))
	{
		GUC_check_errmsg("%s", err);
		GUC_check_errhint("Give score=tier items, e.g. '60=silver, 85=gold', or '' for no minimum.");
		free(bv);
		return false;
	}
	*extra = bv;
	return true;
}

static void
assign_min_tier(const char *newval, void *extra)
{
	min_tier_bands = *(BandValues *) extra;
}

void
channel_init_routing(void)
{
	DefineCustomEnumVariable("channel.routing_policy",
							 "How routing breaks ties between equally fitting partners.",
							 "round_robin: the least recently assigned partner; lottery: a draw weighted by channel.lottery_weights, seeded by channel.routing_seed.",
							 &routing_policy, RP_ROUND_ROBIN, policy_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("channel.account_routing",
							 "Whether a lead goes first to the partner that already holds its end customer.",
							 "off: ignored; prefer: the holder's fit gets channel.account_fit_bonus; require: the holder gets the lead whenever it is eligible. The holder has a live registration of the customer and product line, accepted a lead of them, or sold them the line in the last 365 days.",
							 &account_routing, RA_PREFER, account_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("channel.account_fit_bonus",
							 "Fit added to the account holder's when channel.account_routing is prefer.",
							 "The fit is capped at 1.",
							 &account_fit_bonus, 0.2, 0.0, 1.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("channel.routing_seed",
							"Seed of the routing lottery: same seed, same draws.",
							NULL,
							&routing_seed, 0, INT_MIN, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("channel.sla_hours",
							   "Hours a partner has to accept a routed lead, per tier.",
							   "A list such as 'registered=24, silver=36, gold=48, platinum=72'.",
							   &sla_hours_string,
							   "registered=24, silver=36, gold=48, platinum=72",
							   PGC_SUSET, 0, check_sla_hours, assign_sla_hours, NULL);
	DefineCustomStringVariable("channel.lottery_weights",
							   "Weight of each tier in the routing lottery.",
							   "A list such as 'registered=1, silver=2, gold=4, platinum=8'.",
							   &lottery_weights_string,
							   "registered=1, silver=2, gold=4, platinum=8",
							   PGC_SUSET, 0, check_lottery_weights, assign_lottery_weights, NULL);
	DefineCustomStringVariable("channel.min_tier_by_score",
							   "Lowest partner tier per lead score band.",
							   "A list such as '60=silver, 85=gold': leads scoring 60 or more go to silver partners or better.",
							   &min_tier_string,
							   "60=silver, 85=gold",
							   PGC_SUSET, 0, check_min_tier, assign_min_tier, NULL);
}
