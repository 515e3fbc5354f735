/*
 * tiers_eval.c -- channel.evaluate_tiers(as_of date, of_partner bigint).
 *
 * channel.tier_plan() (src/sql/51_tiers.sql) generates the set-based
 * statement that computes every measure of every member (one row per member:
 * partner_id, program_id, tier, v1 .. vN numeric) and lists every
 * requirement in programme order with the measure it reads, its operator,
 * threshold and the words of its text.  This function runs that statement
 * through SPI with a DestReceiver of its own: each row, as the executor
 * produces it, is compared requirement by requirement (numeric, exact),
 * qualified by tier_qualify() (src/core/tiers.c), given the texts of its
 * missed requirements, and written straight into the function's result
 * tuplestore.  What used to be a dozen SQL expressions per requirement and
 * row (arrays, subscripts, CASEs, a composite taken apart) is one loop.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "nodes/params.h"
#include "tcop/dest.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "channel.h"

#include "tiers.h"

PG_FUNCTION_INFO_V1(channel_evaluate_tiers);

typedef enum tier_op
{
	OP_GE, OP_GT, OP_LE, OP_LT
} tier_op;

/* the requirements of one programme: a slice of the plan's arrays */
typedef struct tier_prog
{
	int64		program_id;
	int			first;			/* index of its first requirement */
	int			n;				/* how many */
	Datum		ids;			/* bigint[] of its requirement ids */
} tier_prog;

typedef struct tier_dest
{
	DestReceiver pub;
	/* the plan */
	int			n_req;
	int		   *req_tier;
	int		   *req_measure;	/* 1-based measure column */
	tier_op    *req_op;
	Datum	   *req_threshold;
	char	  **req_label;
	char	  **req_needs;
	int			n_prog;
	tier_prog  *progs;
	Datum		tier_enum[TIER_MAX + 1];
	int			n_measures;
	/* the result */
	Tuplestorestate *store;
	TupleDesc	result_desc;
	MemoryContext row_cxt;
	/* per-row scratch, sized for the largest programme */
	int		   *tiers;
	bool	   *passed;
	Datum	   *vals;
	bool	   *val_null;
	Datum	   *pass_d;
	Datum	   *miss_d;
} tier_dest;

static tier_op
parse_op(const char *s)
{
	if (strcmp(s, ">=") == 0)
		return OP_GE;
	if (strcmp(s, ">") == 0)
		return OP_GT;
	if (strcmp(s, "<=") == 0)
		return OP_LE;
	if (strcmp(s, "<") == 0)
		return OP_LT;
	/* tier_requirement_operator_valid allows nothing else */
	elog(ERROR, "unexpected tier requirement operator \"%s\"", s);
	return OP_GE;				/* keep the compiler quiet */
}

static bool
op_holds(tier_op op, int cmp)
{
	switch (op)
	{
		case OP_GE:
			return cmp >= 0;
		case OP_GT:
			return cmp > 0;
		case OP_LE:
			return cmp <= 0;
		case OP_LT:
			return cmp < 0;
	}
	return false;
}

/* the i-th element of a one-dimensional array column of the plan's row */
static Datum *
plan_array(HeapTuple tup, TupleDesc desc, int attno, Oid elemtype, int *n, bool **nulls)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, attno, &isnull);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;

	if (isnull)
		elog(ERROR, "channel.tier_plan() returned a NULL array in column %d", attno);
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(DatumGetArrayTypeP(d), elemtype, typlen, typbyval, typalign, &elems, nulls, n);
	return elems;
}

static bool
tier_receive(TupleTableSlot *slot, DestReceiver *self)
{
	tier_dest  *td = (tier_dest *) self;
	MemoryContext old;
	int64		program_id;
	tier_prog  *p = NULL;
	int			first_fail,
				met,
				qualified,
				n_miss = 0;
	int			dims[1],
				lbs[1] = {1};
	Datum		out[10];
	bool		out_null[10] = {false};

	slot_getallattrs(slot);
	if (slot->tts_isnull[0] || slot->tts_isnull[1])
		elog(ERROR, "channel.tier_plan()'s statement returned a member without partner or programme");
	program_id = DatumGetInt64(slot->tts_values[1]);
	for (int i = 0; i < td->n_prog; i++)
		if (td->progs[i].program_id == program_id)
		{
			p = &td->progs[i];
			break;
		}
	if (p == NULL)
		return true;			/* a programme without requirements: not evaluated */

	old = MemoryContextSwitchTo(td->row_cxt);
	for (int j = 0; j < p->n; j++)
	{
		int			r = p->first + j;
		int			col = 2 + td->req_measure[r];	/* 0-based slot column */

		td->tiers[j] = td->req_tier[r];
		td->val_null[j] = slot->tts_isnull[col];
		td->vals[j] = slot->tts_values[col];
		/* coalesce(value op threshold, false): an unknown value fails */
		td->passed[j] = !td->val_null[j] &&
			op_holds(td->req_op[r],
					 DatumGetInt32(DirectFunctionCall2(numeric_cmp, td->vals[j], td->req_threshold[r])));
		td->pass_d[j] = BoolGetDatum(td->passed[j]);
	}
	qualified = tier_qualify(p->n, td->tiers, td->passed, &first_fail, &met);
	if (qualified < 0)
		elog(ERROR, "requirement tiers out of range in channel.tier_plan()");

	/* the failed requirements of the first tier not reached */
	if (first_fail != TIER_NONE)
		for (int j = 0; j < p->n; j++)
		{
			int			r = p->first + j;
			StringInfoData s;

			if (td->passed[j] || td->tiers[j] != first_fail)
				continue;
			initStringInfo(&s);
			appendStringInfoString(&s, td->req_label[r]);
			if (td->val_null[j])
				appendStringInfoString(&s, "unknown");
			else
			{
				/* trim_scale(round(value, 4))::text */
				Datum		v = DirectFunctionCall2(numeric_round, td->vals[j], Int32GetDatum(4));

				v = DirectFunctionCall1(numeric_trim_scale, v);
				appendStringInfoString(&s, DatumGetCString(DirectFunctionCall1(numeric_out, v)));
			}
			appendStringInfoString(&s, td->req_needs[r]);
			td->miss_d[n_miss++] = PointerGetDatum(cstring_to_text_with_len(s.data, s.len));
		}

	out[0] = slot->tts_values[0];
	out[1] = slot->tts_values[1];
	out[2] = slot->tts_values[2];
	out_null[2] = slot->tts_isnull[2];
	out[3] = td->tier_enum[qualified];
	out[4] = Int32GetDatum(met);
	out[5] = Int32GetDatum(p->n);
	out[6] = PointerGetDatum(construct_array(td->miss_d, n_miss, TEXTOID, -1, false, TYPALIGN_INT));
	out[7] = p->ids;
	dims[0] = p->n;
	out[8] = PointerGetDatum(construct_md_array(td->vals, td->val_null, 1, dims, lbs,
												NUMERICOID, -1, false, TYPALIGN_INT));
	out[9] = PointerGetDatum(construct_array(td->pass_d, p->n, BOOLOID, 1, true, TYPALIGN_CHAR));
	tuplestore_putvalues(td->store, td->result_desc, out, out_null);
	MemoryContextSwitchTo(old);
	MemoryContextReset(td->row_cxt);
	return true;
}

static void
tier_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	tier_dest  *td = (tier_dest *) self;

	if (typeinfo->natts != 3 + td->n_measures)
		elog(ERROR, "channel.tier_plan()'s statement returns %d columns, expected %d",
			 typeinfo->natts, 3 + td->n_measures);
	for (int i = 3; i < typeinfo->natts; i++)
		if (TupleDescAttr(typeinfo, i)->atttypid != NUMERICOID)
			elog(ERROR, "measure column %d of channel.tier_plan()'s statement is not numeric", i - 2);
}

static void
tier_shutdown(DestReceiver *self)
{
}

static void
tier_destroy(DestReceiver *self)
{
}

Datum
channel_evaluate_tiers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	static SPIPlanPtr plan_plan = NULL;
	Datum		args[2];
	char		argnulls[2] = {' ', ' '};
	HeapTuple	tup;
	TupleDesc	desc;
	tier_dest	td;
	bool		isnull;
	char	   *statement;
	Datum	   *d;
	bool	   *dn;
	int			n,
				max_n = 0;
	int64	   *req_program;
	Datum	   *req_ids;
	ParamListInfo params;
	SPIExecuteOptions opts;
	SPIPlanPtr	stmt_plan;
	Oid			stmt_types[3] = {DATEOID, INT8OID, INT8ARRAYOID};

	InitMaterializedSRF(fcinfo, 0);

	args[0] = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	argnulls[0] = PG_ARGISNULL(0) ? 'n' : ' ';
	args[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	argnulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';

	SPI_connect();
	if (plan_plan == NULL)
	{
		Oid			types[2] = {DATEOID, INT8OID};
		SPIPlanPtr	p = SPI_prepare("SELECT * FROM channel.tier_plan($1, $2)", 2, types);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		plan_plan = p;
	}
	if (SPI_execute_plan(plan_plan, args, argnulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "channel.tier_plan() failed");
	if (SPI_processed == 0)
	{
		SPI_finish();
		return (Datum) 0;		/* nothing to evaluate */
	}
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	memset(&td, 0, sizeof(td));
	statement = TextDatumGetCString(SPI_getbinval(tup, desc, 1, &isnull));

	/* the requirements */
	d = plan_array(tup, desc, 4, INT8OID, &td.n_req, &dn);
	req_program = palloc(sizeof(int64) * td.n_req);
	for (int i = 0; i < td.n_req; i++)
		req_program[i] = DatumGetInt64(d[i]);
	req_ids = plan_array(tup, desc, 5, INT8OID, &n, &dn);
	d = plan_array(tup, desc, 6, INT4OID, &n, &dn);
	td.req_tier = palloc(sizeof(int) * td.n_req);
	for (int i = 0; i < td.n_req; i++)
		td.req_tier[i] = DatumGetInt32(d[i]);
	d = plan_array(tup, desc, 7, INT4OID, &n, &dn);
	td.req_measure = palloc(sizeof(int) * td.n_req);
	for (int i = 0; i < td.n_req; i++)
	{
		td.req_measure[i] = DatumGetInt32(d[i]);
		td.n_measures = Max(td.n_measures, td.req_measure[i]);
	}
	d = plan_array(tup, desc, 8, TEXTOID, &n, &dn);
	td.req_op = palloc(sizeof(tier_op) * td.n_req);
	for (int i = 0; i < td.n_req; i++)
		td.req_op[i] = parse_op(TextDatumGetCString(d[i]));
	td.req_threshold = plan_array(tup, desc, 9, NUMERICOID, &n, &dn);
	d = plan_array(tup, desc, 10, TEXTOID, &n, &dn);
	td.req_label = palloc(sizeof(char *) * td.n_req);
	for (int i = 0; i < td.n_req; i++)
		td.req_label[i] = TextDatumGetCString(d[i]);
	d = plan_array(tup, desc, 11, TEXTOID, &n, &dn);
	td.req_needs = palloc(sizeof(char *) * td.n_req);
	for (int i = 0; i < td.n_req; i++)
		td.req_needs[i] = TextDatumGetCString(d[i]);
	d = plan_array(tup, desc, 12, get_element_type(SPI_gettypeid(desc, 12)), &n, &dn);
	if (n != TIER_MAX + 1)
		elog(ERROR, "channel.tier_plan() returned %d tiers, expected %d", n, TIER_MAX + 1);
	memcpy(td.tier_enum, d, sizeof(Datum) * n);

	/* one slice per programme (the requirements come ordered by programme) */
	td.progs = palloc(sizeof(tier_prog) * Max(td.n_req, 1));
	for (int i = 0; i < td.n_req; i++)
	{
		tier_prog  *p;

		if (td.n_prog == 0 || td.progs[td.n_prog - 1].program_id != req_program[i])
		{
			p = &td.progs[td.n_prog++];
			p->program_id = req_program[i];
			p->first = i;
			p->n = 0;
		}
		td.progs[td.n_prog - 1].n++;
	}
	for (int i = 0; i < td.n_prog; i++)
	{
		tier_prog  *p = &td.progs[i];

		p->ids = PointerGetDatum(construct_array(req_ids + p->first, p->n, INT8OID, 8, true, TYPALIGN_DOUBLE));
		max_n = Max(max_n, p->n);
	}
	td.tiers = palloc(sizeof(int) * (max_n + 1));
	td.passed = palloc(sizeof(bool) * (max_n + 1));
	td.vals = palloc(sizeof(Datum) * (max_n + 1));
	td.val_null = palloc(sizeof(bool) * (max_n + 1));
	td.pass_d = palloc(sizeof(Datum) * (max_n + 1));
	td.miss_d = palloc(sizeof(Datum) * (max_n + 1));

	td.store = rsinfo->setResult;
	td.result_desc = rsinfo->setDesc;
	td.row_cxt = AllocSetContextCreate(CurrentMemoryContext, "channel.evaluate_tiers row", ALLOCSET_DEFAULT_SIZES);
	td.pub.receiveSlot = tier_receive;
	td.pub.rStartup = tier_startup;
	td.pub.rShutdown = tier_shutdown;
	td.pub.rDestroy = tier_destroy;
	td.pub.mydest = DestTuplestore;

	/* $1 as_of, $2 the partner (NULL: every member), $3 the programmes */
	params = makeParamList(3);
	params->params[0].ptype = DATEOID;
	params->params[0].value = args[0];
	params->params[0].isnull = argnulls[0] == 'n';
	params->params[0].pflags = PARAM_FLAG_CONST;
	params->params[1].ptype = INT8OID;
	params->params[1].value = SPI_getbinval(tup, desc, 2, &isnull);
	params->params[1].isnull = isnull;
	params->params[1].pflags = PARAM_FLAG_CONST;
	params->params[2].ptype = INT8ARRAYOID;
	params->params[2].value = SPI_getbinval(tup, desc, 3, &isnull);
	params->params[2].isnull = isnull;
	params->params[2].pflags = PARAM_FLAG_CONST;

	memset(&opts, 0, sizeof(opts));
	opts.params = params;
	opts.read_only = true;
	opts.dest = (DestReceiver *) &td;
	stmt_plan = SPI_prepare(statement, 3, stmt_types);
	if (stmt_plan == NULL)
		elog(ERROR, "SPI_prepare of channel.tier_plan()'s statement failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_execute_plan_extended(stmt_plan, &opts) < 0)
		elog(ERROR, "channel.evaluate_tiers: the generated statement failed");

	SPI_finish();
	return (Datum) 0;
}
