/*
 * funnel_totals.c -- channel.funnel_totals(): the lead funnel's sums per
 * partner and product line over months, weeks and days of the funnel
 * rollups (partner_line_month, partner_line_week, partner_line_day), for
 * channel.lead_funnel().
 * The reading machinery is rollup_reader.c's.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "channel.h"
#include "rollup_reader.h"

PG_FUNCTION_INFO_V1(channel_funnel_totals);

#define FUNNEL_COUNTS 10
static const char *const funnel_counts[FUNNEL_COUNTS] = {
	"facts", "leads_routed", "leads_accepted", "leads_rejected", "leads_recalled",
	"leads_converted", "leads_lost", "deals_registered", "deals_won", "deals_lost"
};
static const char *const funnel_money[1] = {"won_revenue"};

typedef struct funnel_state
{
	totals_set *totals;
	HTAB	   *skip;			/* (partner_id, month) pairs read elsewhere; NULL: none */
	int			sign;
	bool		one_partner;
	int64		only_partner;
} funnel_state;

typedef struct skip_key
{
	int64		partner_id;
	int32		month;
	int32		pad;
} skip_key;

static bool
funnel_route(void *state, rollup_reader *r, int64 partner_id, int32 line, DateADT period,
			 row_target *t)
{
	funnel_state *f = state;

	if (f->one_partner && partner_id != f->only_partner)
		return false;
	if (f->skip)
	{
		skip_key	k;

		memset(&k, 0, sizeof(k));
		k.partner_id = partner_id;
		/* a week or a day lies in one month (see channel.funnel_week_of()) */
		k.month = month_start(period);
		if (hash_search(f->skip, &k, HASH_FIND, NULL))
			return false;
	}
	t->entry = totals_get(f->totals, partner_id, line);
	t->add_counts = true;
	t->money_slot = identity_slots;
	t->sign = f->sign;
	return true;
}

static void
funnel_scan(funnel_state *f, rollup_reader *r, DateADT *periods, int n, int sign, line_names *lines)
{
	f->sign = sign;
	for (int i = 0; i < n; i++)
		scan_periods(r, periods[i], periods[i], lines, funnel_route, f);
}

/* One rollup's share: its rows of the periods plus, less those of minus. */
static void
funnel_grain(funnel_state *f, const char *table, const char *index, const char *period_column,
			 DateADT *plus, int n_plus, DateADT *minus, int n_minus, line_names *lines)
{
	rollup_reader r;

	if (n_plus == 0 && n_minus == 0)
		return;
	reader_open(&r, table, index, period_column, true, funnel_counts, FUNNEL_COUNTS, funnel_money, 1);
	funnel_scan(f, &r, plus, n_plus, 1, lines);
	funnel_scan(f, &r, minus, n_minus, -1, lines);
	reader_close(&r);
}

/*
 * channel.funnel_totals(months date[], weeks date[], minus_weeks date[],
 *                       days date[], minus_days date[],
 *                       skip_partner bigint[], skip_month date[],
 *                       only_partner bigint)
 * Per partner and product line: the sums of the partner_line_month rows of
 * the months, plus those of the partner_line_week rows of weeks and of the
 * partner_line_day rows of days, less those of minus_weeks and minus_days,
 * leaving out the rows of the (skip_partner[i], skip_month[i])
 * partner-months and, when only_partner is not NULL, every other partner's.
 */
Datum
channel_funnel_totals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n_months,
				n_weeks,
				n_minus_weeks,
				n_days,
				n_minus,
				n_skip = 0;
	DateADT    *months = date_array(PG_ARGISNULL(0) ? NULL : PG_GETARG_ARRAYTYPE_P(0), &n_months, "months");
	DateADT    *weeks = date_array(PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1), &n_weeks, "weeks");
	DateADT    *minus_weeks = date_array(PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2), &n_minus_weeks,
										 "minus_weeks");
	DateADT    *days = date_array(PG_ARGISNULL(3) ? NULL : PG_GETARG_ARRAYTYPE_P(3), &n_days, "days");
	DateADT    *minus = date_array(PG_ARGISNULL(4) ? NULL : PG_GETARG_ARRAYTYPE_P(4), &n_minus, "minus_days");
	funnel_state f;
	line_names	lines = {0};

	InitMaterializedSRF(fcinfo, 0);
	memset(&f, 0, sizeof(f));
	f.totals = totals_create("funnel totals");
	f.one_partner = !PG_ARGISNULL(7);
	f.only_partner = f.one_partner ? PG_GETARG_INT64(7) : 0;
	if (!PG_ARGISNULL(5) && !PG_ARGISNULL(6))
	{
		ArrayType  *pa = PG_GETARG_ARRAYTYPE_P(5);
		Datum	   *partners;
		bool	   *pnulls;
		int			n_partners;
		DateADT    *skip_months = date_array(PG_GETARG_ARRAYTYPE_P(6), &n_skip, "skip_month");
		HASHCTL		ctl;

		deconstruct_array(pa, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &partners, &pnulls, &n_partners);
		if (n_partners != n_skip)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("skip_partner and skip_month must have the same length, got %d and %d",
							n_partners, n_skip),
					 errdetail("Element i of both names one partner-month to leave out."),
					 errhint("Build both with one array_agg over the same rows.")));
		if (n_skip > 0)
		{
			ctl.keysize = sizeof(skip_key);
			ctl.entrysize = sizeof(skip_key);
			ctl.hcxt = CurrentMemoryContext;
			f.skip = hash_create("funnel skipped partner-months", n_skip, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
			for (int i = 0; i < n_skip; i++)
			{
				skip_key	k;

				if (pnulls[i])
					continue;
				memset(&k, 0, sizeof(k));
				k.partner_id = DatumGetInt64(partners[i]);
				k.month = month_start(skip_months[i]);
				hash_search(f.skip, &k, HASH_ENTER, NULL);
			}
		}
	}

	funnel_grain(&f, "partner_line_month", "partner_line_month_month_idx", "month",
				 months, n_months, NULL, 0, &lines);
	funnel_grain(&f, "partner_line_week", "partner_line_week_week_idx", "week",
				 weeks, n_weeks, minus_weeks, n_minus_weeks, &lines);
	funnel_grain(&f, "partner_line_day", "partner_line_day_day_idx", "day",
				 days, n_days, minus, n_minus, &lines);

	for (int g = 0; g < f.totals->n; g++)
	{
		totals_entry *e = &f.totals->entries[g];
		Datum		values[2 + FUNNEL_COUNTS + 1];
		bool		nulls[2 + FUNNEL_COUNTS + 1] = {0};

		values[0] = Int64GetDatum(e->partner_id);
		values[1] = CStringGetTextDatum(lines.names[e->line]);
		for (int i = 0; i < FUNNEL_COUNTS; i++)
			values[2 + i] = Int64GetDatum(e->count[i]);
		values[2 + FUNNEL_COUNTS] = money_datum(e->money[0]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

