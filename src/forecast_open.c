/*
 * forecast_open.c -- channel.forecast_open_rows(): today's open
 * registrations with their forecast features and probability, for
 * channel.forecast_open() (src/sql/34_forecast.sql).
 *
 * Why C: the pipeline weighs every open registration of a quarter (40,000
 * at the bench's scale) and the forecast every open one.  In SQL each row
 * cost about 6 us: four CASE bands over intervals, numerics and floats,
 * five joins on text keys built per row, and the casts.  Here one query
 * (SPI, a kept plan: the registrations by the covering index, the
 * partner's record joined) feeds a loop that computes the same bands with
 * the same boundaries, looks the model's estimates up in a hash table
 * built once from the model's jsonb, and writes each row.
 *
 * The features must stay exactly those of the SQL helpers
 * (forecast_age_band, forecast_amount_band, forecast_partner_band,
 * forecast_close_band_by, forecast_terms), which the training snapshots
 * use: sql/33_bi_speed compares this function with the SQL definition row
 * by row, floats included.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "channel.h"
#include "channel_spi.h"

PG_FUNCTION_INFO_V1(channel_forecast_open_rows);

#define MODEL_KEY_LEN 160

typedef struct model_entry
{
	char		key[MODEL_KEY_LEN];
	double		estimate;
} model_entry;

/* The model's estimates by key ('term:value'), from its jsonb object;
 * NULL for no model.  Values are read as SQL's value::float8 of
 * jsonb_each_text reads them. */
static HTAB *
model_table(Jsonb *model)
{
	HASHCTL		ctl;
	HTAB	   *h;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (model == NULL)
		return NULL;
	if (!JB_ROOT_IS_OBJECT(model))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the forecast model must be a jsonb object"),
				 errdetail("It maps 'term:value' to the estimate."),
				 errhint("Pass channel.forecast_model_json().")));
	ctl.keysize = MODEL_KEY_LEN;
	ctl.entrysize = sizeof(model_entry);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("forecast model", 256, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	it = JsonbIteratorInit(&model->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE && key != NULL)
		{
			model_entry *e;
			char	   *text;

			if (strlen(key) >= MODEL_KEY_LEN)
				continue;		/* no feature makes a key this long */
			if (v.type == jbvNumeric)
				text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
			else if (v.type == jbvString)
				text = pnstrdup(v.val.string.val, v.val.string.len);
			else if (v.type == jbvNull)
				continue;		/* NULL::float8: as if absent */
			else
				text = v.type == jbvBool ? (v.val.boolean ? "true" : "false") : "";
			e = hash_search(h, key, HASH_ENTER, NULL);
			e->estimate = DatumGetFloat8(DirectFunctionCall1(float8in, CStringGetDatum(text)));
			key = NULL;
		}
	}
	return h;
}

/* The estimate of 'term:value', or false. */
static bool
model_get(HTAB *model, const char *term, const char *value, double *out)
{
	char		key[MODEL_KEY_LEN];
	model_entry *e;

	if (model == NULL)
		return false;
	if (snprintf(key, sizeof(key), "%s:%s", term, value) >= (int) sizeof(key))
		return false;
	e = hash_search(model, key, HASH_FIND, NULL);
	if (e == NULL)
		return false;
	*out = e->estimate;
	return true;
}

/* forecast_age_band(as_at - submitted_at): the interval comparisons are
 * comparisons of the difference in microseconds (a day is 24 hours). */
static const char *
age_band(bool isnull, TimestampTz submitted, TimestampTz as_at)
{
	int64		age;

	if (isnull || pg_sub_s64_overflow(as_at, submitted, &age))
		return "180+ days";
	if (age < 14 * USECS_PER_DAY)
		return "0-13 days";
	if (age < 45 * USECS_PER_DAY)
		return "14-44 days";
	if (age < 90 * USECS_PER_DAY)
		return "45-89 days";
	if (age < 180 * USECS_PER_DAY)
		return "90-179 days";
	return "180+ days";
}

typedef struct bounds
{
	Datum		k10;
	Datum		k50;
	Datum		k250;
} bounds;

static bool
numeric_below(Datum amount, Datum bound)
{
	return DatumGetBool(DirectFunctionCall2(numeric_lt, amount, bound));
}

/* forecast_amount_band(amount) */
static const char *
amount_band(bool isnull, Datum amount, const bounds *b)
{
	if (isnull)
		return "250k+";
	if (numeric_below(amount, b->k10))
		return "<10k";
	if (numeric_below(amount, b->k50))
		return "10k-50k";
	if (numeric_below(amount, b->k250))
		return "50k-250k";
	return "250k+";
}

/* forecast_partner_band(partner_id, wins, closed) */
static const char *
partner_band(bool no_partner, bool no_record, int64 wins, int64 closed)
{
	double		rate;

	if (no_partner)
		return "direct sales";
	if (no_record || closed < 5)
		return "under 5 closed";
	rate = (double) wins / (double) closed;
	if (rate < 0.25)
		return "won <25%";
	if (rate < 0.50)
		return "won 25-50%";
	if (rate < 0.75)
		return "won 50-75%";
	return "won 75%+";
}

/* forecast_close_band_by(expected_close, today, quarter_end, next_end) */
static const char *
close_band(bool isnull, DateADT expected, DateADT today, DateADT q_end, DateADT next_end)
{
	if (isnull)
		return "later";
	if (expected < today)
		return "overdue";
	if (expected < q_end)
		return "this quarter";
	if (expected < next_end)
		return "next quarter";
	return "later";
}

/* pipeline_stage_weight(status), as float8 */
static double
stage_weight(const char *stage)
{
	if (strcmp(stage, "approved") == 0)
		return 0.6;
	if (strcmp(stage, "submitted") == 0)
		return 0.3;
	if (strcmp(stage, "conflict") == 0)
		return 0.1;
	return 0;
}

static SPIPlanPtr open_plan;

/*
 * channel.forecast_open_rows(model jsonb, close_from date, close_before date,
 *                            as_at timestamptz, today date, quarter_end date,
 *                            next_end date, horizon integer)
 * The rows of channel.forecast_open(): see there.
 */
Datum
channel_forecast_open_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HTAB	   *model = model_table(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0));
	Datum		params[2];
	TimestampTz as_at;
	DateADT		today,
				q_end,
				next_end;
	int32		horizon;
	char		horizon_text[16];
	bounds		b;
	Portal		portal;
	Oid			types[2] = {DATEOID, DATEOID};

	if (PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(5) || PG_ARGISNULL(6) || PG_ARGISNULL(7))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the moment, its day, the quarter's ends and the months left must not be NULL"),
				 errdetail("They place each registration against the quarter being forecast."),
				 errhint("Call channel.forecast_open(), which computes them.")));
	params[0] = PG_ARGISNULL(1) ? DateADTGetDatum(DATEVAL_NOBEGIN) : PG_GETARG_DATUM(1);
	params[1] = PG_ARGISNULL(2) ? DateADTGetDatum(DATEVAL_NOEND) : PG_GETARG_DATUM(2);
	as_at = PG_GETARG_TIMESTAMPTZ(3);
	today = PG_GETARG_DATEADT(4);
	q_end = PG_GETARG_DATEADT(5);
	next_end = PG_GETARG_DATEADT(6);
	horizon = PG_GETARG_INT32(7);
	snprintf(horizon_text, sizeof(horizon_text), "%d", horizon);
	b.k10 = NumericGetDatum(int64_to_numeric(10000));
	b.k50 = NumericGetDatum(int64_to_numeric(50000));
	b.k250 = NumericGetDatum(int64_to_numeric(250000));

	InitMaterializedSRF(fcinfo, 0);
	channel_spi_connect();
	channel_spi_plan(&open_plan,
					 "SELECT d.deal_id, d.partner_id, d.product_line, d.amount, d.expected_close, d.status, "
					 "       d.status::text, d.submitted_at, r.wins, r.closed, r.partner_id IS NULL "
					 "FROM channel.deal d "
					 "LEFT JOIN channel.partner_win_record() r ON r.partner_id = d.partner_id "
					 "WHERE d.status IN ('submitted', 'approved', 'conflict') "
					 "  AND d.expected_close >= $1 AND d.expected_close < $2",
					 2, types);
	portal = SPI_cursor_open(NULL, open_plan, params, NULL, true);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			Datum		in[11];
			bool		null[11];
			Datum		out[17];
			bool		out_null[17] = {0};
			const char *stage,
					   *age,
					   *amount,
					   *partner,
					   *close;
			char		cell[MODEL_KEY_LEN];
			double		base,
						fa = 1,
						fp = 1,
						fl = 1,
						p;

			heap_deform_tuple(tup, desc, in, null);
			stage = TextDatumGetCString(in[6]);
			age = age_band(null[7], DatumGetTimestampTz(in[7]), as_at);
			amount = amount_band(null[3], in[3], &b);
			partner = partner_band(null[1], DatumGetBool(in[10]),
								   null[8] ? 0 : DatumGetInt64(in[8]), null[9] ? 0 : DatumGetInt64(in[9]));
			close = close_band(null[4], DatumGetDateADT(in[4]), today, q_end, next_end);
			snprintf(cell, sizeof(cell), "%s|%s|%s|%s", stage, age, close, horizon_text);
			if (!model_get(model, "cell", cell, &base) && !model_get(model, "stage", stage, &base))
				base = stage_weight(stage);
			model_get(model, "amount", amount, &fa);
			model_get(model, "partner", partner, &fp);
			if (!null[2])
			{
				char	   *line = TextDatumGetCString(in[2]);

				model_get(model, "line", line, &fl);
			}
			p = base * fa * fp * fl;
			/* least(p, 1): float8 ordering puts NaN above every number */
			if (isnan(p) || p > 1)
				p = 1;

			for (int c = 0; c < 6; c++)
			{
				out[c] = in[c];
				out_null[c] = null[c];
			}
			out[6] = CStringGetTextDatum(stage);
			out[7] = CStringGetTextDatum(age);
			out[8] = CStringGetTextDatum(amount);
			out[9] = CStringGetTextDatum(partner);
			out[10] = CStringGetTextDatum(close);
			out[11] = Int32GetDatum(horizon);
			out[12] = Float8GetDatum(base);
			out[13] = Float8GetDatum(fa);
			out[14] = Float8GetDatum(fp);
			out[15] = Float8GetDatum(fl);
			out[16] = Float8GetDatum(p);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, out_null);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	return (Datum) 0;
}
