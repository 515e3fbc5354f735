/*
 * forecast_totals.c -- channel.forecast_totals(): the open registrations of
 * channel.forecast_open_rows() summed per partner, product line and month
 * of expected close, with the quarter's wins, for channel.forecast() and the
 * learned channel.pipeline() (src/sql/34_forecast.sql, 31_bi.sql).
 *
 * Why C: summing as the rows are read needs no row per registration, no
 * tuplestore and no GROUPING SETS, and a probability's numeric is made once
 * per combination of features instead of once per registration.  The sums
 * are exact numerics, the same as SQL's sum() of the same products:
 * sql/33_bi_speed compares forecast() and pipeline() with their SQL
 * definitions as text, in order.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "channel.h"
#include "channel_spi.h"
#include "forecast_open.h"

PG_FUNCTION_INFO_V1(channel_forecast_totals);

/* Exact numeric sums, kept in the call's context: NULL is no term yet. */
static void
sum_add(Numeric *acc, Numeric v, MemoryContext keep)
{
	MemoryContext old = MemoryContextSwitchTo(keep);
	Numeric		r;

	if (*acc == NULL)
	{
		r = palloc(VARSIZE(v));
		memcpy(r, v, VARSIZE(v));
	}
	else
	{
		r = DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(*acc), NumericGetDatum(v)));
		pfree(*acc);
	}
	MemoryContextSwitchTo(old);
	*acc = r;
}

/* The sums of a group of registrations (and wins). */
typedef struct group_sums
{
	int64		n;				/* open registrations */
	Numeric		stage_amount[N_STAGE];	/* their amounts, per stage */
	Numeric		expected;		/* sum of amount * probability::numeric */
	Numeric		won;			/* amounts won */
	bool		seen;
} group_sums;

typedef struct group_key
{
	int64		partner_id;
	int32		line;
	int32		no_partner;
	DateADT		month;
	int32		pad;
} group_key;

typedef struct group_entry
{
	group_key	key;
	group_sums	s;
} group_entry;

static void
sums_merge(group_sums *into, const group_sums *from, MemoryContext keep)
{
	into->seen = true;
	into->n += from->n;
	for (int s = 0; s < N_STAGE; s++)
		if (from->stage_amount[s])
			sum_add(&into->stage_amount[s], from->stage_amount[s], keep);
	if (from->expected)
		sum_add(&into->expected, from->expected, keep);
	if (from->won)
		sum_add(&into->won, from->won, keep);
}

static Datum
sum_datum(Numeric n)
{
	return n ? NumericGetDatum(n) : NumericGetDatum(int64_to_numeric(0));
}

/* One output row: level 0 a group, 1 a line, 2 the total (of no rows:
 * NULL sums, as the SQL aggregates give). */
static void
emit(ReturnSetInfo *rsinfo, forecast_ctx *c, int level, const group_key *k, bool by_month,
	 const group_sums *s, Numeric *weights, int64 *ord)
{
	Datum		v[10];
	bool		nulls[10] = {0};
	Numeric		amount = NULL,
				staged = NULL;

	v[0] = Int32GetDatum(level);
	nulls[1] = level > 0 || k->no_partner;
	v[1] = Int64GetDatum(k->partner_id);
	nulls[2] = level == 2 || k->line < 0;
	v[2] = nulls[2] ? (Datum) 0 : PointerGetDatum(c->lines.texts[k->line]);
	nulls[3] = level > 0 || !by_month;
	v[3] = DateADTGetDatum(k->month);
	v[9] = Int64GetDatum(++*ord);
	if (!s->seen)
	{
		for (int i = 4; i < 9; i++)
			nulls[i] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
		return;
	}
	if (s->n > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("integer out of range"),
				 errdetail("One group holds %lld open registrations; open_deals is an integer.", (long long) s->n),
				 errhint("Ask for one partner's rows, or a shorter window of expected close.")));
	for (int i = 0; i < N_STAGE; i++)
		if (s->stage_amount[i])
		{
			Numeric		w = DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(s->stage_amount[i]),
																NumericGetDatum(weights[i])));

			sum_add(&amount, s->stage_amount[i], c->keep);
			sum_add(&staged, w, c->keep);
		}
	v[4] = Int32GetDatum((int32) s->n);
	v[5] = sum_datum(amount);
	v[6] = sum_datum(s->expected);
	v[7] = sum_datum(s->won);
	v[8] = sum_datum(staged);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
}

/* What the row functions sum into. */
typedef struct totals_state
{
	forecast_ctx *c;
	HTAB	   *groups;
	bool		by_month;
} totals_state;

/* The group of a key, made (with zero sums) on first sight. */
static group_sums *
group_of(totals_state *st, const group_key *k)
{
	bool		found;
	group_entry *e = hash_search(st->groups, k, HASH_ENTER, &found);

	if (!found)
		memset(&e->s, 0, sizeof(e->s));
	e->s.seen = true;
	return &e->s;
}

/* month_of(expected_close); an infinite date stays itself */
static DateADT
month_start(DateADT d)
{
	int			y,
				m,
				day;

	if (DATE_NOT_FINITE(d))
		return d;
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	return date2j(y, m, 1) - POSTGRES_EPOCH_JDATE;
}

/* An open registration into its group: count, stage amount, amount times
 * its probability (a combination's probability made numeric once). */
static void
open_row_sum(void *arg, TupleTableSlot *slot)
{
	totals_state *st = arg;
	forecast_ctx *c = st->c;
	Datum	   *in = slot->tts_values;
	bool	   *null = slot->tts_isnull;
	open_features f;
	group_key	k;
	group_sums *g;

	forecast_open_row(c, in, null, &f);
	memset(&k, 0, sizeof(k));
	k.no_partner = null[IN_PARTNER];
	k.partner_id = null[IN_PARTNER] ? 0 : DatumGetInt64(in[IN_PARTNER]);
	k.line = f.line;
	if (st->by_month && !null[IN_CLOSE])
		k.month = month_start(DatumGetDateADT(in[IN_CLOSE]));
	g = group_of(st, &k);
	g->n++;
	if (f.amount_value != NULL)
	{
		Numeric		amount = f.amount_value;

		if (f.t->p_numeric == NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(c->keep);

			f.t->p_numeric = DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(f.t->p)));
			MemoryContextSwitchTo(old);
		}
		sum_add(&g->stage_amount[f.stage], amount, c->keep);
		sum_add(&g->expected,
				DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(amount),
													NumericGetDatum(f.t->p_numeric))),
				c->keep);
	}
}

/* A won registration's amount into its group. */
static void
won_row_sum(void *arg, TupleTableSlot *slot)
{
	totals_state *st = arg;
	Datum	   *in = slot->tts_values;
	bool	   *null = slot->tts_isnull;
	group_key	k;
	group_sums *g;

	memset(&k, 0, sizeof(k));
	k.no_partner = null[0];
	k.partner_id = null[0] ? 0 : DatumGetInt64(in[0]);
	k.line = null[1] ? -1 : forecast_line_intern(st->c, in[1]);
	g = group_of(st, &k);
	if (!null[2])
		sum_add(&g->won, DatumGetNumeric(in[2]), st->c->keep);
}

/*
 * The rows are written in their callers' order, and numbered (ord), so
 * that the caller's ORDER BY is of one bigint over rows already in order:
 * sorting the text of the product line under the database's collation,
 * row by row, cost a quarter of forecast()'s time.  The lines are few, so
 * they are ranked once under that collation (varstr_cmp, as ORDER BY
 * product_line compares them; no line sorts last, as NULLs do).
 */
static int *line_rank_of;

static int
by_line_text(const void *x, const void *y)
{
	const text *a = *(text *const *) x;
	const text *b = *(text *const *) y;

	return varstr_cmp(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b),
					  DEFAULT_COLLATION_OID);
}

/* rank[line + 1] for line -1 (none) .. n - 1, in c->keep */
static int *
line_ranks(forecast_ctx *c)
{
	int			n = c->lines.n;
	text	  **sorted = palloc(Max(n, 1) * sizeof(text *));
	int		   *rank = MemoryContextAlloc(c->keep, (n + 1) * sizeof(int));

	memcpy(sorted, c->lines.texts, n * sizeof(text *));
	qsort(sorted, n, sizeof(text *), by_line_text);
	for (int l = 0; l < n; l++)
		for (int r = 0; r < n; r++)
			if (sorted[r] == c->lines.texts[l])
				rank[l + 1] = r;
	rank[0] = n;				/* no line: last */
	pfree(sorted);
	return rank;
}

/* a partner before direct sales (NULLS LAST), then by id */
static int
partner_cmp(const group_key *a, const group_key *b)
{
	if (a->no_partner != b->no_partner)
		return a->no_partner ? 1 : -1;
	return a->partner_id < b->partner_id ? -1 : a->partner_id > b->partner_id ? 1 : 0;
}

static int
line_cmp(const group_key *a, const group_key *b)
{
	int			ra = line_rank_of[a->line + 1],
				rb = line_rank_of[b->line + 1];

	return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/* forecast(): by line, then partner */
static int
by_line_partner(const void *x, const void *y)
{
	const group_key *a = &(*(group_entry *const *) x)->key;
	const group_key *b = &(*(group_entry *const *) y)->key;
	int			r = line_cmp(a, b);

	return r != 0 ? r : partner_cmp(a, b);
}

/* pipeline(): by partner, then line, then month of close */
static int
by_partner_line_month(const void *x, const void *y)
{
	const group_key *a = &(*(group_entry *const *) x)->key;
	const group_key *b = &(*(group_entry *const *) y)->key;
	int			r = partner_cmp(a, b);

	if (r == 0)
		r = line_cmp(a, b);
	if (r == 0)
		r = a->month < b->month ? -1 : a->month > b->month ? 1 : 0;
	return r;
}

static SPIPlanPtr won_plan;

/*
 * channel.forecast_totals(model jsonb, close_from date, close_before date,
 *                         as_at timestamptz, today date, quarter_end date,
 *                         next_end date, horizon integer, by_month boolean,
 *                         levels boolean, won_from timestamptz,
 *                         won_before timestamptz, only_partner bigint)
 * The open registrations of channel.forecast_open_rows() (of only_partner
 * when not NULL) summed per partner, product line and, by_month, month of
 * expected close: count, amount, expected amount (each amount times its
 * probability as numeric) and stage-weighted amount (each stage's amounts
 * times its weight), with the amounts won from won_from and before
 * won_before (none when NULL) in the same groups; with levels, also per
 * line and in total.  Exact numeric sums, the same as SQL's sum() of the
 * same products.
 */
Datum
channel_forecast_totals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	forecast_ctx c;
	bool		by_month,
				levels;
	totals_state st;
	HASHCTL		ctl;
	HTAB	   *groups;
	HASH_SEQ_STATUS seq;
	group_entry *e;
	Numeric		weights[N_STAGE];
	group_sums *line_sums;
	group_sums	total = {0};
	group_entry **sorted;
	long		n_groups;
	int64		ord = 0;
	group_key	nokey = {0};

	if (PG_ARGISNULL(8) || PG_ARGISNULL(9) || PG_ARGISNULL(10) != PG_ARGISNULL(11))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("by_month and levels must not be NULL, and the wins' period has both ends or none"),
				 errdetail("They say how the registrations are summed."),
				 errhint("Call channel.forecast() or channel.pipeline(), which pass them.")));
	forecast_ctx_init(&c, fcinfo);
	by_month = PG_GETARG_BOOL(8);
	levels = PG_GETARG_BOOL(9);
	InitMaterializedSRF(fcinfo, 0);
	{
		MemoryContext old = MemoryContextSwitchTo(c.keep);

		for (int s = 0; s < N_STAGE; s++)
			weights[s] = DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(forecast_stage_weights[s])));
		MemoryContextSwitchTo(old);
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(group_key);
	ctl.entrysize = sizeof(group_entry);
	ctl.hcxt = c.keep;
	groups = hash_create("forecast totals", 4096, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	st.c = &c;
	st.groups = groups;
	st.by_month = by_month;
	channel_spi_connect();
	forecast_open_each(PG_GETARG_DATUM(1), PG_ARGISNULL(1), PG_GETARG_DATUM(2), PG_ARGISNULL(2),
					   PG_GETARG_DATUM(12), PG_ARGISNULL(12), open_row_sum, &st);
	if (!PG_ARGISNULL(10))
	{
		Datum		params[3] = {PG_GETARG_DATUM(10), PG_GETARG_DATUM(11), PG_ARGISNULL(12) ? (Datum) 0 : PG_GETARG_DATUM(12)};
		char		nulls[3] = {' ', ' ', PG_ARGISNULL(12) ? 'n' : ' '};
		Oid			types[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID};

		channel_spi_plan(&won_plan,
						 "SELECT d.partner_id, d.product_line, d.amount FROM channel.deal d "
						 "WHERE d.status = 'won' AND d.closed_at >= $1 AND d.closed_at < $2 "
						 "  AND ($3::bigint IS NULL OR d.partner_id = $3)",
						 3, types);
		channel_spi_each("the quarter's wins' query", won_plan, params, nulls, won_row_sum, &st);
	}

	/* the open-only groups have won 0, as SQL's sum over their 0s */
	line_sums = MemoryContextAllocZero(c.keep, (c.lines.n + 1) * sizeof(group_sums));
	n_groups = hash_get_num_entries(groups);
	sorted = MemoryContextAlloc(c.keep, Max(n_groups, 1) * sizeof(group_entry *));
	n_groups = 0;
	hash_seq_init(&seq, groups);
	while ((e = hash_seq_search(&seq)) != NULL)
		sorted[n_groups++] = e;
	line_rank_of = line_ranks(&c);
	qsort(sorted, n_groups, sizeof(group_entry *), levels ? by_line_partner : by_partner_line_month);
	for (long g = 0; g < n_groups; g++)
	{
		e = sorted[g];
		emit(rsinfo, &c, 0, &e->key, by_month, &e->s, weights, &ord);
		if (levels)
		{
			sums_merge(&line_sums[e->key.line + 1], &e->s, c.keep);
			sums_merge(&total, &e->s, c.keep);
		}
	}
	if (levels)
	{
		/* the lines in their rank's order, no line last */
		for (int r = 0; r <= c.lines.n; r++)
			for (int l = -1; l < c.lines.n; l++)
				if (line_rank_of[l + 1] == r && line_sums[l + 1].seen)
				{
					group_key	k = {0};

					k.line = l;
					emit(rsinfo, &c, 1, &k, by_month, &line_sums[l + 1], weights, &ord);
				}
		emit(rsinfo, &c, 2, &nokey, by_month, &total, weights, &ord);
	}
	line_rank_of = NULL;
	SPI_finish();
	MemoryContextDelete(c.keep);
	return (Datum) 0;
}
