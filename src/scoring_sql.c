/*
 * scoring_sql.c -- SQL wrappers of rule scoring (src/core/scoring.c).
 *
 *   channel.score_lead(l channel.lead) RETURNS integer
 *   channel.score_lead_values(source, campaign, industry, country, region,
 *                             product_line, authority, need, employees,
 *                             budget, timeline_days) RETURNS integer
 *                                      the same score from the scored
 *                                      columns themselves: no whole-row
 *                                      value is built (bulk rescoring)
 *   channel.lead_score_on_insert()     BEFORE INSERT trigger on channel.lead
 *   channel.scoring_rule_changed()     AFTER ... FOR EACH STATEMENT trigger
 *                                      on channel.scoring_rule
 *
 * The active rules are read with SPI once and kept in backend memory.  Any
 * write to channel.scoring_rule fires scoring_rule_changed(), which queues a
 * relcache invalidation of the table: every backend (this one at the next
 * command, the others when the writing transaction commits) then drops its
 * copy through the relcache callback registered here and reloads it on the
 * next score.  Rolled-back writes are undone the same way.
 */
#include "postgres.h"

#include <math.h>
#include <stdlib.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/typcache.h"

#include "channel_spi.h"
#include "channel.h"
#include "scoring.h"

PG_FUNCTION_INFO_V1(channel_score_lead);
PG_FUNCTION_INFO_V1(channel_score_lead_values);
PG_FUNCTION_INFO_V1(channel_lead_score_on_insert);
PG_FUNCTION_INFO_V1(channel_scoring_rule_changed);

#define MAX_IN_ITEMS 64

static bool shipped_rules_enabled = true;

/* the rule cache */
static MemoryContext rules_cxt = NULL;
static ScoreRule *rules = NULL;
static int	nrules = 0;
static bool attr_used[SA_COUNT];	/* tested by some active rule */
static bool rules_valid = false;
static Oid	rules_relid = InvalidOid;
static bool callback_registered = false;

static void
scoring_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == rules_relid)
		rules_valid = false;
}

void
channel_init_scoring(void)
{
	DefineCustomBoolVariable("channel.shipped_scoring_rules",
							 "Whether the scoring rules shipped with the extension (rule_id < 0) count.",
							 "Turn off to score with your own rules in channel.scoring_rule only.",
							 &shipped_rules_enabled,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

/*
 * A rule the loader cannot use is skipped with a warning, never an error:
 * the rules are data anyone with INSERT on channel.scoring_rule writes, and
 * an error here would stop every lead INSERT, score_lead and rescore_leads
 * in every session until the row is gone.  The table's constraints refuse
 * every such rule (scoring_rule_list_size keeps lists within MAX_IN_ITEMS),
 * so this only happens when they were dropped or bypassed.
 */
static bool
skip_rule(const char *attr, const char *op, const char *value, const char *why)
{
	const char *shown = value ? value : "";
	int			len = strlen(shown);

	/* a long value is shown by its first 40 bytes (whole characters) */
	if (len > 40)
		shown = psprintf("%.*s...", pg_mbcliplen(shown, len, 40), shown);
	ereport(WARNING,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("scoring rule \"%s %s %s\" is skipped: %s", attr, op, shown, why),
			 errdetail("Leads are scored without it until it is fixed."),
			 errhint("Restore the constraints of channel.scoring_rule and fix or delete the rule.")));
	return false;
}

/*
 * One row of the rule query as a ScoreRule, in the current (rules)
 * context; false (after a warning) for a rule that cannot be used.
 */
static bool
read_rule(ScoreRule *rule, HeapTuple t, TupleDesc td)
{
	char	   *attr = SPI_getvalue(t, td, 1);
	char	   *op = SPI_getvalue(t, td, 2);
	char	   *value = SPI_getvalue(t, td, 3);
	bool		isnull;
	Datum		pts = SPI_getbinval(t, td, 4, &isnull);
	Datum		shipped = SPI_getbinval(t, td, 5, &isnull);

	memset(rule, 0, sizeof *rule);
	rule->attr = scoring_attr_from_name(attr);
	rule->op = scoring_op_from_name(op);
	rule->points = DatumGetInt32(pts);
	rule->shipped = DatumGetBool(shipped);
	rule->text = value;
	rule->textlen = value ? strlen(value) : 0;
	if (rule->attr < 0 || rule->op == SO_INVALID)
		return skip_rule(attr, op, value, "no such attribute or operator");
	if (value == NULL && rule->op != SO_IS_NULL)
		return skip_rule(attr, op, value, "the rule has no value");
	if (value != NULL && scoring_attr_is_numeric(rule->attr))
	{
		char	   *end;

		rule->num = strtod(value, &end);
		if (*end != '\0' || isnan(rule->num) || isinf(rule->num))
			return skip_rule(attr, op, value, "the value is not a decimal number");
	}
	if (rule->op == SO_IN && value != NULL)
	{
		const char **items = palloc(sizeof(char *) * MAX_IN_ITEMS);
		char	   *copy = pstrdup(value);

		rule->nitems = scoring_split_list(copy, items, MAX_IN_ITEMS);
		rule->items = items;
		if (rule->nitems < 0)
			return skip_rule(attr, op, value,
							 psprintf("the list has an empty item or more than %d items", MAX_IN_ITEMS));
	}
	attr_used[rule->attr] = true;
	return true;
}

static void
load_rules(void)
{
	Oid			nsp;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(scoring_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	if (rules_cxt == NULL)
		rules_cxt = AllocSetContextCreate(TopMemoryContext, "channel scoring rules",
										  ALLOCSET_SMALL_SIZES);
	MemoryContextReset(rules_cxt);
	rules = NULL;
	nrules = 0;
	memset(attr_used, 0, sizeof attr_used);

	nsp = get_namespace_oid("channel", false);
	rules_relid = get_relname_relid("scoring_rule", nsp);
	if (!OidIsValid(rules_relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table channel.scoring_rule does not exist"),
				 errdetail("Lead scoring reads its rules from channel.scoring_rule."),
				 errhint("Reinstall the channel extension.")));

	/*
	 * Valid from now on: an invalidation that arrives while the rules are
	 * read clears the flag again, and the next call reloads.
	 */
	rules_valid = true;

	channel_spi_connect();
	channel_spi_run("reading channel.scoring_rule", SPI_OK_SELECT,
					"SELECT attribute, operator, value, points, rule_id < 0 "
					"FROM channel.scoring_rule WHERE active ORDER BY rule_id",
					0, NULL, NULL, NULL, true, 0);

	if (SPI_processed > 0)
	{
		MemoryContext old = MemoryContextSwitchTo(rules_cxt);
		ScoreRule  *r = palloc0(sizeof(ScoreRule) * SPI_processed);
		TupleDesc	td = SPI_tuptable->tupdesc;
		int			n = 0;

		for (uint64 i = 0; i < SPI_processed; i++)
			if (read_rule(&r[n], SPI_tuptable->vals[i], td))
				n++;
		rules = r;
		nrules = n;
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

/* Column numbers of the scored attributes in a channel.lead tuple. */
typedef struct LeadColumns
{
	Oid			typid;
	int			natts;
	AttrNumber	attnum[SA_COUNT];
	Oid			atttype[SA_COUNT];
	AttrNumber	score_attnum;
	Datum	   *values;			/* deformed tuple, natts entries */
	bool	   *isnull;
} LeadColumns;

static void
map_columns(LeadColumns *map, TupleDesc td)
{
	map->typid = td->tdtypeid;
	map->natts = td->natts;
	map->score_attnum = InvalidAttrNumber;
	for (int a = 0; a < SA_COUNT; a++)
		map->attnum[a] = InvalidAttrNumber;
	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);
		int			a;

		if (att->attisdropped)
			continue;
		if (strcmp(NameStr(att->attname), "score") == 0)
			map->score_attnum = att->attnum;
		a = scoring_attr_from_name(NameStr(att->attname));
		if (a >= 0)
		{
			map->attnum[a] = att->attnum;
			map->atttype[a] = getBaseType(att->atttypid);
		}
	}
	for (int a = 0; a < SA_COUNT; a++)
		if (map->attnum[a] == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("row type %s has no column \"%s\"",
							format_type_be(td->tdtypeid), scoring_attr_name(a)),
					 errhint("Score rows of channel.lead.")));
}

static LeadColumns *
columns_for(FunctionCallInfo fcinfo, TupleDesc td)
{
	LeadColumns *map = (LeadColumns *) fcinfo->flinfo->fn_extra;

	if (map == NULL)
		map = fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(LeadColumns));
	if (map->typid != td->tdtypeid || map->natts != td->natts || map->typid == InvalidOid)
	{
		map_columns(map, td);
		if (map->values)
			pfree(map->values);
		if (map->isnull)
			pfree(map->isnull);
		map->values = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(Datum) * td->natts);
		map->isnull = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(bool) * td->natts);
	}
	return map;
}

/* One pass over the tuple; only the attributes some rule tests are read. */
static void
read_lead(ScoreLead *lead, HeapTuple tuple, TupleDesc td, const LeadColumns *map)
{
	heap_deform_tuple(tuple, td, map->values, map->isnull);
	for (int a = 0; a < SA_COUNT; a++)
	{
		ScoreValue *v = &lead->v[a];
		Datum		d;

		v->isnull = !attr_used[a] || map->isnull[map->attnum[a] - 1];
		if (v->isnull)
			continue;
		d = map->values[map->attnum[a] - 1];
		switch (map->atttype[a])
		{
			case INT4OID:
				v->num = (double) DatumGetInt32(d);
				break;
			case INT8OID:
				v->num = (double) DatumGetInt64(d);
				break;
			case NUMERICOID:
				v->num = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));
				break;
			default:
				{
					text	   *t = (text *) PG_DETOAST_DATUM_PACKED(d);

					v->str = VARDATA_ANY(t);
					v->len = VARSIZE_ANY_EXHDR(t);
				}
		}
	}
}

static int
score_tuple(FunctionCallInfo fcinfo, HeapTuple tuple, TupleDesc td)
{
	LeadColumns *map = columns_for(fcinfo, td);
	ScoreLead	lead;

	if (!rules_valid)
		load_rules();
	read_lead(&lead, tuple, td, map);
	return scoring_score(rules, nrules, &lead, shipped_rules_enabled);
}

Datum
channel_score_lead(PG_FUNCTION_ARGS)
{
	HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(0);
	TupleDesc	td;
	HeapTupleData tuple;
	int			score;

	td = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th), HeapTupleHeaderGetTypMod(th));
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	score = score_tuple(fcinfo, &tuple, td);
	ReleaseTupleDesc(td);
	PG_RETURN_INT32(score);
}

/*
 * The scored attributes as arguments, in ScoreAttr order (text ones, then
 * employees integer, budget numeric, timeline_days integer): the executor
 * passes the columns as they are, without forming the row value that
 * score_lead(l) receives and deforms.  Not STRICT: a NULL attribute is a
 * NULL value, as in a row.
 */
Datum
channel_score_lead_values(PG_FUNCTION_ARGS)
{
	ScoreLead	lead;

	if (PG_NARGS() != SA_COUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("channel_score_lead_values expects %d arguments, got %d", SA_COUNT, PG_NARGS()),
				 errhint("Call it as channel.score_lead_values(source, campaign, industry, country, region, product_line, authority, need, employees, budget, timeline_days).")));
	if (!rules_valid)
		load_rules();
	for (int a = 0; a < SA_COUNT; a++)
	{
		ScoreValue *v = &lead.v[a];

		v->isnull = !attr_used[a] || PG_ARGISNULL(a);
		if (v->isnull)
			continue;
		if (a == SA_BUDGET)
			v->num = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, PG_GETARG_DATUM(a)));
		else if (a >= SA_FIRST_NUMERIC)
			v->num = (double) PG_GETARG_INT32(a);
		else
		{
			text	   *t = PG_GETARG_TEXT_PP(a);

			v->str = VARDATA_ANY(t);
			v->len = VARSIZE_ANY_EXHDR(t);
		}
	}
	PG_RETURN_INT32(scoring_score(rules, nrules, &lead, shipped_rules_enabled));
}

Datum
channel_lead_score_on_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	TupleDesc	td;
	LeadColumns *map;
	bool		isnull;
	int			col;
	Datum		value;
	bool		value_null = false;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || !TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("channel.lead_score_on_insert() must be a BEFORE INSERT FOR EACH ROW trigger"),
				 errhint("It is installed on channel.lead by the extension.")));
	tuple = trigdata->tg_trigtuple;
	td = trigdata->tg_relation->rd_att;
	map = columns_for(fcinfo, td);
	if (map->score_attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("table %s has no column \"score\"", RelationGetRelationName(trigdata->tg_relation)),
				 errhint("Install the trigger on channel.lead.")));
	(void) heap_getattr(tuple, map->score_attnum, td, &isnull);
	if (!isnull)
		return PointerGetDatum(tuple);
	col = map->score_attnum;
	value = Int32GetDatum(score_tuple(fcinfo, tuple, td));
	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, td, 1, &col, &value, &value_null));
}

Datum
channel_scoring_rule_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("channel.scoring_rule_changed() must be an AFTER ... FOR EACH STATEMENT trigger"),
				 errhint("It is installed on channel.scoring_rule by the extension.")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
