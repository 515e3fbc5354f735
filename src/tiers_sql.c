/*
 * tiers_sql.c -- SQL wrapper of the tier decision (src/core/tiers.c).
 *
 * channel.tier_decide(current int, qualified int, override int,
 *                     below_count int, grace int, repeat boolean)
 *   -> (new_tier int, below_count int, action text)
 *
 * Tiers are ordinals (channel.tier_ordinal()); override is NULL when no
 * override is in force.  channel.apply_tiers() calls it once per partner
 * inside one set-based statement.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "channel.h"

#include "tiers.h"


/* channel.tier_reason: why a direct UPDATE of partner.tier is made; read by
 * the trigger channel.partner_tier_changed() through current_setting(). */
static char *tier_reason = NULL;

void
channel_init_tiers(void)
{
	DefineCustomStringVariable("channel.tier_reason",
							   "Reason recorded in channel.partner_tier_history for a direct UPDATE of channel.partner.tier.",
							   "Empty: a generic reason is recorded.",
							   &tier_reason, "", PGC_USERSET, 0, NULL, NULL, NULL);
}

PG_FUNCTION_INFO_V1(channel_tier_decide);
PG_FUNCTION_INFO_V1(channel_tier_qualify);

Datum
channel_tier_decide(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	tier_decision d;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			current,
				qualified,
				override_tier,
				below,
				grace;
	bool		repeat;

	/* STRICT except the override, which is NULL when none is in force */
	for (int i = 0; i < 6; i++)
		if (i != 2 && PG_ARGISNULL(i))
			PG_RETURN_NULL();
	current = PG_GETARG_INT32(0);
	qualified = PG_GETARG_INT32(1);
	override_tier = PG_ARGISNULL(2) ? TIER_NONE : PG_GETARG_INT32(2);
	below = PG_GETARG_INT32(3);
	grace = PG_GETARG_INT32(4);
	repeat = PG_GETARG_BOOL(5);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("channel.tier_decide must be called where a record is expected")));

	if (!tier_decide(current, qualified, override_tier, below, grace, repeat, &d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid tier decision arguments"),
				 errdetail("Got current %d, qualified %d, override %s, below_count %d, grace %d; tiers are %d to %d, below_count >= 0, grace >= 1.",
						   current, qualified,
						   PG_ARGISNULL(2) ? "NULL" : psprintf("%d", override_tier),
						   below, grace, TIER_MIN, TIER_MAX),
				 errhint("Pass tiers through channel.tier_ordinal().")));

	values[0] = Int32GetDatum(d.new_tier);
	values[1] = Int32GetDatum(d.below_count);
	values[2] = CStringGetTextDatum(tier_action_name(d.action));
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * channel.tier_qualify(tiers int[], passed boolean[])
 *   -> (qualified int, first_fail int, met int)
 *
 * tiers[i] is the tier ordinal of requirement i, passed[i] whether it holds
 * (NULL counts as not holding).  STRICT.
 */
Datum
channel_tier_qualify(PG_FUNCTION_ARGS)
{
	ArrayType  *tiers_a = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *passed_a = PG_GETARG_ARRAYTYPE_P(1);
	TupleDesc	tupdesc;
	Datum	   *tier_d,
			   *passed_d;
	bool	   *tier_n,
			   *passed_n;
	int			n_tiers,
				n_passed;
	int		   *tiers;
	bool	   *passed;
	int			first_fail,
				met,
				qualified;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (ARR_NDIM(tiers_a) > 1 || ARR_NDIM(passed_a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("tiers and passed must be one-dimensional arrays")));
	deconstruct_array(tiers_a, INT4OID, 4, true, TYPALIGN_INT, &tier_d, &tier_n, &n_tiers);
	deconstruct_array(passed_a, BOOLOID, 1, true, TYPALIGN_CHAR, &passed_d, &passed_n, &n_passed);
	if (n_tiers != n_passed)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("tiers and passed must have the same length"),
				 errdetail("Got %d tiers and %d results.", n_tiers, n_passed)));
	tiers = palloc(sizeof(int) * (n_tiers + 1));
	passed = palloc(sizeof(bool) * (n_tiers + 1));
	for (int i = 0; i < n_tiers; i++)
	{
		if (tier_n[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a requirement's tier must not be NULL")));
		tiers[i] = DatumGetInt32(tier_d[i]);
		passed[i] = !passed_n[i] && DatumGetBool(passed_d[i]);
	}
	qualified = tier_qualify(n_tiers, tiers, passed, &first_fail, &met);
	if (qualified < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("requirement tiers must be between %d and %d", TIER_MIN, TIER_MAX),
				 errhint("Pass tiers through channel.tier_ordinal().")));

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("channel.tier_qualify must be called where a record is expected")));
	values[0] = Int32GetDatum(qualified);
	values[1] = Int32GetDatum(first_fail);
	nulls[1] = first_fail == TIER_NONE;
	values[2] = Int32GetDatum(met);
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
