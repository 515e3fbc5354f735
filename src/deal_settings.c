/*
 * deal_settings.c -- the deal registration GUCs: channel.match_threshold,
 * channel.conflict_policy, channel.deal_max_extensions and
 * channel.deal_extension_days (the last two are read by extend_deal() in
 * SQL, with current_setting()).
 *
 * All are superuser-only (PGC_SUSET): a partner that could lower the
 * threshold or switch the policy could probe other partners' registrations
 * with its own.  Set them with ALTER DATABASE / ALTER SYSTEM.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "channel.h"
#include "deal_conflict_record.h"
#include "deal_settings.h"

typedef enum conflict_policy
{
	CONFLICT_FLAG,
	CONFLICT_REJECT
} conflict_policy;

static const struct config_enum_entry conflict_policy_options[] = {
	{"flag", CONFLICT_FLAG, false},
	{"reject", CONFLICT_REJECT, false},
	{NULL, 0, false}
};

static double match_threshold = 0.85;
static int	conflict_policy_setting = CONFLICT_FLAG;
static int	deal_max_extensions = 2;
static int	deal_extension_days = 30;

double
deal_match_threshold(void)
{
	return match_threshold;
}

bool
deal_policy_rejects(void)
{
	return conflict_policy_setting == CONFLICT_REJECT;
}

void
channel_init_deals(void)
{
	DefineCustomRealVariable("channel.match_threshold",
							 "Company similarity from which two registrations are taken for the same customer.",
							 "Between 0.5 and 1; 1 means equal normalized names only.",
							 &match_threshold, 0.85, 0.5, 1.0,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("channel.conflict_policy",
							 "What a registration that conflicts with another registrant's live one does: flag or reject.",
							 "flag: it is stored with status conflict for a channel manager; reject: it fails with SQLSTATE CH001.",
							 &conflict_policy_setting, CONFLICT_FLAG, conflict_policy_options,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("channel.deal_max_extensions",
							"How many times channel.extend_deal() may extend one registration.",
							NULL, &deal_max_extensions, 2, 0, 20,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("channel.deal_extension_days",
							"Days channel.extend_deal() adds when called without days.",
							NULL, &deal_extension_days, 30, 1, 365,
							PGC_SUSET, 0, NULL, NULL, NULL);
	deal_conflict_record_init();
}
