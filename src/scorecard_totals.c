/*
 * scorecard_totals.c -- channel.scorecard_totals(): per partner, the sums
 * of its partner_month rows of the scorecard's 12 months and the revenues
 * of the 12 before, for channel.partner_scorecard().  The reading
 * machinery is rollup_reader.c's.
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

PG_FUNCTION_INFO_V1(channel_scorecard_totals);

/* every count and money column of the current 12 months */
#define CARD_COUNTS 12
static const char *const card_counts[CARD_COUNTS] = {
	"leads_routed", "leads_accepted", "leads_rejected", "leads_recalled", "leads_converted",
	"leads_lost", "accept_hours_n", "deals_registered", "deals_won", "deals_lost",
	"sell_through_lines", "sell_through_units"
};
#define CARD_MONEY 3
static const char *const card_money[CARD_MONEY] = {
	"accept_hours_sum", "won_revenue", "sell_through_revenue"
};
/* of the previous 12 months only the two revenues, into slots 3 and 4 */
static const int card_previous_slots[CARD_MONEY] = {-1, CARD_MONEY, CARD_MONEY + 1};

typedef struct card_state
{
	totals_set *totals;
	DateADT		from_month;
	DateADT		split;
	DateADT		to_month;
} card_state;

static bool
card_route(void *state, rollup_reader *r, int64 partner_id, int32 line, DateADT period,
		   row_target *t)
{
	card_state *c = state;

	if (period < c->from_month || period > c->to_month)
		return false;
	t->entry = totals_get(c->totals, partner_id, 0);
	t->sign = 1;
	t->add_counts = period >= c->split;
	t->money_slot = t->add_counts ? identity_slots : card_previous_slots;
	return true;
}

/*
 * channel.scorecard_totals(from_month date, split_month date, to_month date)
 * Per partner with a partner_month row from from_month to to_month: the
 * sums of its rows from split_month on (leads, hours, deals, revenue,
 * sell-through) and the revenue and sell-through revenue of its rows
 * before split_month.  A sequential scan: the 24 months are most of the
 * rollup, and the period index would visit its heap pages out of order.
 */
Datum
channel_scorecard_totals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	card_state	c;
	rollup_reader r;
	TableScanDesc scan;

	InitMaterializedSRF(fcinfo, 0);
	c.from_month = PG_GETARG_DATEADT(0);
	c.split = PG_GETARG_DATEADT(1);
	c.to_month = PG_GETARG_DATEADT(2);
	if (DATE_NOT_FINITE(c.from_month) || DATE_NOT_FINITE(c.split) || DATE_NOT_FINITE(c.to_month))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the scorecard window must be finite dates"),
				 errdetail("from_month, split_month and to_month are first days of months."),
				 errhint("Pass the months of channel.bi_window_start().")));
	c.totals = totals_create("scorecard totals");
	reader_open(&r, "partner_month", NULL, "month", false,
				card_counts, CARD_COUNTS, card_money, CARD_MONEY);
	scan = table_beginscan(r.rel, GetActiveSnapshot(), 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, r.slot))
	{
		CHECK_FOR_INTERRUPTS();
		add_row(&r, NULL, card_route, &c);
	}
	table_endscan(scan);
	reader_close(&r);

	for (int g = 0; g < c.totals->n; g++)
	{
		totals_entry *e = &c.totals->entries[g];
		Datum		values[1 + CARD_COUNTS + CARD_MONEY + 2];
		bool		nulls[1 + CARD_COUNTS + CARD_MONEY + 2] = {0};
		int			k = 0;

		values[k++] = Int64GetDatum(e->partner_id);
		for (int i = 0; i < CARD_COUNTS; i++)
			values[k++] = Int64GetDatum(e->count[i]);
		for (int i = 0; i < CARD_MONEY + 2; i++)
			values[k++] = money_datum(e->money[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

