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
 *
 * The same context, features and feed serve channel.forecast_totals()
 * (forecast_totals.c), which sums the rows instead of returning them.
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
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "channel.h"
#include "channel_spi.h"
#include "forecast_open.h"
#include "win_record.h"

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

/* The features' values, by index: the names the SQL helpers return
 * (their counts are in forecast_open.h). */
/* pipeline_stage_weight(status), as float8, by stage */
const double forecast_stage_weights[N_STAGE] = {0.3, 0.6, 0.1};

static const char *const stage_names[N_STAGE] = {"submitted", "approved", "conflict"};
static const char *const age_names[N_AGE] = {"0-13 days", "14-44 days", "45-89 days", "90-179 days", "180+ days"};
static const char *const amount_names[N_AMOUNT] = {"<10k", "10k-50k", "50k-250k", "250k+"};
static const char *const partner_names[N_PARTNER] = {"direct sales", "under 5 closed", "won <25%", "won 25-50%",
													  "won 50-75%", "won 75%+"};
static const char *const close_names[N_CLOSE] = {"overdue", "this quarter", "next quarter", "later"};

/* forecast_age_band(as_at - submitted_at): the interval comparisons are
 * comparisons of the difference in microseconds (a day is 24 hours). */
static int
age_band(bool isnull, TimestampTz submitted, TimestampTz as_at)
{
	int64		age;

	if (isnull || pg_sub_s64_overflow(as_at, submitted, &age))
		return 4;
	if (age < 14 * USECS_PER_DAY)
		return 0;
	if (age < 45 * USECS_PER_DAY)
		return 1;
	if (age < 90 * USECS_PER_DAY)
		return 2;
	if (age < 180 * USECS_PER_DAY)
		return 3;
	return 4;
}

static bool
numeric_below(Datum amount, Datum bound)
{
	return DatumGetBool(DirectFunctionCall2(numeric_lt, amount, bound));
}

/* forecast_amount_band(amount) */
static int
amount_band(bool isnull, Datum amount, const bounds *b)
{
	if (isnull)
		return 3;
	if (numeric_below(amount, b->k10))
		return 0;
	if (numeric_below(amount, b->k50))
		return 1;
	if (numeric_below(amount, b->k250))
		return 2;
	return 3;
}

/* forecast_partner_band(partner_id, wins, closed) */
static int
partner_band(bool no_partner, bool no_record, int64 wins, int64 closed)
{
	double		rate;

	if (no_partner)
		return 0;
	if (no_record || closed < 5)
		return 1;
	rate = (double) wins / (double) closed;
	if (rate < 0.25)
		return 2;
	if (rate < 0.50)
		return 3;
	if (rate < 0.75)
		return 4;
	return 5;
}

/* forecast_close_band_by(expected_close, today, quarter_end, next_end) */
static int
close_band(bool isnull, DateADT expected, DateADT today, DateADT q_end, DateADT next_end)
{
	if (isnull)
		return 3;
	if (expected < today)
		return 0;
	if (expected < q_end)
		return 1;
	if (expected < next_end)
		return 2;
	return 3;
}

/* The partner's record (channel.partner_win_record()'s row), read in C
 * from partner_month once per call instead of joined in the query. */
typedef struct win_record
{
	int64		partner_id;
	int64		wins;
	int64		closed;
} win_record;

static void
record_add(void *arg, int64 partner_id, int64 wins, int64 closed)
{
	win_record *r = hash_search((HTAB *) arg, &partner_id, HASH_ENTER, NULL);

	r->wins = wins;
	r->closed = closed;
}

/* The index of a product line (text datum), interned on first sight. */
int
forecast_line_intern(forecast_ctx *c, Datum d)
{
	line_set   *l = &c->lines;
	text	   *t = DatumGetTextPP(d);
	const char *s = VARDATA_ANY(t);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	MemoryContext old;

	if (l->last >= 0 && VARSIZE_ANY_EXHDR(l->texts[l->last]) == len &&
		memcmp(VARDATA_ANY(l->texts[l->last]), s, len) == 0)
		return l->last;
	for (int i = 0; i < l->n; i++)
		if (VARSIZE_ANY_EXHDR(l->texts[i]) == len && memcmp(VARDATA_ANY(l->texts[i]), s, len) == 0)
			return l->last = i;
	old = MemoryContextSwitchTo(c->keep);
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 16;
		l->names = l->names ? repalloc(l->names, l->cap * sizeof(char *)) : palloc(l->cap * sizeof(char *));
		l->texts = l->texts ? repalloc(l->texts, l->cap * sizeof(text *)) : palloc(l->cap * sizeof(text *));
		l->cache = l->cache ? repalloc(l->cache, l->cap * sizeof(terms **)) : palloc(l->cap * sizeof(terms **));
	}
	l->names[l->n] = pnstrdup(s, len);
	l->texts[l->n] = cstring_to_text_with_len(s, len);
	l->cache[l->n] = palloc0(N_COMBOS * sizeof(terms *));
	MemoryContextSwitchTo(old);
	return l->last = l->n++;
}

/* The terms of a feature combination: the cell's rate, else the stage's,
 * else the fixed stage weight; the amount, partner and line factors (1
 * when the model lacks them); their product capped at 1. */
static terms *
terms_of(forecast_ctx *c, open_features *f)
{
	terms	  **cache;
	terms	  **slot;
	terms	   *t;
	char		cell[MODEL_KEY_LEN];
	const char *stage = stage_names[f->stage];

	if (f->line < 0)
	{
		if (c->lines.null_cache == NULL)
			c->lines.null_cache = MemoryContextAllocZero(c->keep, N_COMBOS * sizeof(terms *));
		cache = c->lines.null_cache;
	}
	else
		cache = c->lines.cache[f->line];
	slot = &cache[(((f->stage * N_AGE + f->age) * N_AMOUNT + f->amount) * N_PARTNER + f->partner) * N_CLOSE + f->close];
	if (*slot != NULL)
		return *slot;
	t = *slot = MemoryContextAllocZero(c->keep, sizeof(terms));
	t->fa = t->fp = t->fl = 1;
	snprintf(cell, sizeof(cell), "%s|%s|%s|%s", stage, age_names[f->age], close_names[f->close], c->horizon_text);
	if (!model_get(c->model, "cell", cell, &t->base) && !model_get(c->model, "stage", stage, &t->base))
		t->base = forecast_stage_weights[f->stage];
	model_get(c->model, "amount", amount_names[f->amount], &t->fa);
	model_get(c->model, "partner", partner_names[f->partner], &t->fp);
	if (f->line >= 0)
		model_get(c->model, "line", c->lines.names[f->line], &t->fl);
	t->p = t->base * t->fa * t->fp * t->fl;
	/* least(p, 1): float8 ordering puts NaN above every number */
	if (isnan(t->p) || t->p > 1)
		t->p = 1;
	return t;
}

static SPIPlanPtr open_plan;

/* The open registrations expected to close from close_from and before
 * close_before (NULL: unbounded), of only_partner when not NULL, each
 * handed to fn as the index-only scan reads it (a kept plan). */
void
forecast_open_each(Datum close_from, bool from_null, Datum close_before, bool before_null,
				   Datum only_partner, bool partner_null, channel_spi_row_fn fn, void *arg)
{
	Datum		params[3];
	char		nulls[3] = {' ', ' ', partner_null ? 'n' : ' '};
	Oid			types[3] = {DATEOID, DATEOID, INT8OID};

	params[0] = from_null ? DateADTGetDatum(DATEVAL_NOBEGIN) : close_from;
	params[1] = before_null ? DateADTGetDatum(DATEVAL_NOEND) : close_before;
	params[2] = partner_null ? (Datum) 0 : only_partner;
	/* the stage as the index of stage_names: no enum label text per row */
	channel_spi_plan(&open_plan,
					 "SELECT d.deal_id, d.partner_id, d.product_line, d.amount, d.expected_close, d.status, "
					 "       CASE d.status WHEN 'submitted' THEN 0 WHEN 'approved' THEN 1 WHEN 'conflict' THEN 2 END, "
					 "       d.submitted_at "
					 "FROM channel.deal d "
					 "WHERE d.status IN ('submitted', 'approved', 'conflict') "
					 "  AND d.expected_close >= $1 AND d.expected_close < $2 "
					 "  AND ($3::bigint IS NULL OR d.partner_id = $3)",
					 3, types);
	channel_spi_each("the open registrations' query", open_plan, params, nulls, fn, arg);
}

/* A feed row's features and terms. */
void
forecast_open_row(forecast_ctx *c, Datum *in, bool *null, open_features *f)
{
	if (null[IN_STAGE])
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("an open registration without a stage")));
	f->stage = DatumGetInt32(in[IN_STAGE]);
	f->age = age_band(null[IN_SUBMITTED], DatumGetTimestampTz(in[IN_SUBMITTED]), c->as_at);
	/* detoasted once: an index tuple's short-header numeric is copied out
	 * by each function that reads it, and the band and the sums are four */
	f->amount_value = null[IN_AMOUNT] ? NULL : DatumGetNumeric(in[IN_AMOUNT]);
	f->amount = amount_band(null[IN_AMOUNT], NumericGetDatum(f->amount_value), &c->b);
	if (null[IN_PARTNER])
		f->partner = partner_band(true, true, 0, 0);
	else
	{
		int64		id = DatumGetInt64(in[IN_PARTNER]);
		win_record *r = hash_search(c->records, &id, HASH_FIND, NULL);

		f->partner = partner_band(false, r == NULL, r ? r->wins : 0, r ? r->closed : 0);
	}
	f->close = close_band(null[IN_CLOSE], DatumGetDateADT(in[IN_CLOSE]), c->today, c->q_end, c->next_end);
	f->line = null[IN_LINE] ? -1 : forecast_line_intern(c, in[IN_LINE]);
	f->t = terms_of(c, f);
}

/* The context of a call from its arguments model (0), as_at (3) to
 * horizon (7), shared by both functions. */
void
forecast_ctx_init(forecast_ctx *c, FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(5) || PG_ARGISNULL(6) || PG_ARGISNULL(7))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the moment, its day, the quarter's ends and the months left must not be NULL"),
				 errdetail("They place each registration against the quarter being forecast."),
				 errhint("Call channel.forecast_open(), which computes them.")));
	memset(c, 0, sizeof(*c));
	c->model = model_table(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0));
	c->as_at = PG_GETARG_TIMESTAMPTZ(3);
	c->today = PG_GETARG_DATEADT(4);
	c->q_end = PG_GETARG_DATEADT(5);
	c->next_end = PG_GETARG_DATEADT(6);
	c->horizon = PG_GETARG_INT32(7);
	snprintf(c->horizon_text, sizeof(c->horizon_text), "%d", c->horizon);
	c->b.k10 = NumericGetDatum(int64_to_numeric(10000));
	c->b.k50 = NumericGetDatum(int64_to_numeric(50000));
	c->b.k250 = NumericGetDatum(int64_to_numeric(250000));
	c->lines.last = -1;
	c->keep = AllocSetContextCreate(CurrentMemoryContext, "forecast", ALLOCSET_DEFAULT_SIZES);
	{
		HASHCTL		ctl;
		MemoryContext old = MemoryContextSwitchTo(c->keep);

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(win_record);
		ctl.hcxt = c->keep;
		c->records = hash_create("forecast partner records", 32768, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		channel_win_record_each(record_add, c->records);
		MemoryContextSwitchTo(old);
	}
}

/* A row of channel.forecast_open_rows(): the feed's first six columns,
 * the features' names and the terms. */
typedef struct open_rows_out
{
	forecast_ctx *c;
	ReturnSetInfo *rsinfo;
} open_rows_out;

static void
open_row_put(void *arg, TupleTableSlot *slot)
{
	open_rows_out *o = arg;
	Datum	   *in = slot->tts_values;
	bool	   *null = slot->tts_isnull;
	Datum		out[17];
	bool		out_null[17] = {0};
	open_features f;

	forecast_open_row(o->c, in, null, &f);
	for (int k = 0; k < 6; k++)
	{
		out[k] = in[k];
		out_null[k] = null[k];
	}
	out[6] = CStringGetTextDatum(stage_names[f.stage]);
	out[7] = CStringGetTextDatum(age_names[f.age]);
	out[8] = CStringGetTextDatum(amount_names[f.amount]);
	out[9] = CStringGetTextDatum(partner_names[f.partner]);
	out[10] = CStringGetTextDatum(close_names[f.close]);
	out[11] = Int32GetDatum(o->c->horizon);
	out[12] = Float8GetDatum(f.t->base);
	out[13] = Float8GetDatum(f.t->fa);
	out[14] = Float8GetDatum(f.t->fp);
	out[15] = Float8GetDatum(f.t->fl);
	out[16] = Float8GetDatum(f.t->p);
	tuplestore_putvalues(o->rsinfo->setResult, o->rsinfo->setDesc, out, out_null);
}

/*
 * channel.forecast_open_rows(model jsonb, close_from date, close_before date,
 *                            as_at timestamptz, today date, quarter_end date,
 *                            next_end date, horizon integer)
 * The rows of channel.forecast_open(): see there.
 */
Datum
channel_forecast_open_rows(PG_FUNCTION_ARGS)
{
	forecast_ctx c;
	open_rows_out o;

	forecast_ctx_init(&c, fcinfo);
	InitMaterializedSRF(fcinfo, 0);
	o.c = &c;
	o.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	channel_spi_connect();
	forecast_open_each(PG_GETARG_DATUM(1), PG_ARGISNULL(1), PG_GETARG_DATUM(2), PG_ARGISNULL(2), 0, true,
					   open_row_put, &o);
	SPI_finish();
	MemoryContextDelete(c.keep);
	return (Datum) 0;
}
