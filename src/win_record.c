/*
 * win_record.c -- the partners' win record as channel.partner_win_record
 * keeps it: channel_win_record_each() for the forecast's C code
 * (forecast_open.c), and channel.partner_win_record() for SQL.
 */
#include "postgres.h"

#include "access/table.h"
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
#include "win_record.h"

PG_FUNCTION_INFO_V1(channel_partner_win_record);

/*
 * The partner's record (wins, closed), as channel.partner_win_record keeps
 * it: one row per partner, where summing it from every partner-month on
 * each call cost the forecast a sixth of its time.
 */
void
channel_win_record_each(win_record_fn fn, void *arg)
{
	Relation	rel = open_rollup("partner_win_record");
	AttrNumber	partner_att = rollup_column(rel, "partner_id", INT8OID, INT8OID, NULL);
	AttrNumber	won_att = rollup_column(rel, "deals_won", INT8OID, INT8OID, NULL);
	AttrNumber	closed_att = rollup_column(rel, "deals_closed", INT8OID, INT8OID, NULL);
	AttrNumber	last = Max(partner_att, Max(won_att, closed_att));
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		Datum	   *v = slot->tts_values;
		bool	   *n = slot->tts_isnull;

		CHECK_FOR_INTERRUPTS();
		slot_getsomeattrs(slot, last);
		if (n[partner_att - 1] || n[won_att - 1] || n[closed_att - 1])
			continue;
		fn(arg, DatumGetInt64(v[partner_att - 1]), DatumGetInt64(v[won_att - 1]), DatumGetInt64(v[closed_att - 1]));
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
}

typedef struct win_record_out
{
	ReturnSetInfo *rsinfo;
} win_record_out;

static void
record_put(void *arg, int64 partner_id, int64 wins, int64 closed)
{
	ReturnSetInfo *rsinfo = ((win_record_out *) arg)->rsinfo;
	Datum		values[3];
	bool		nulls[3] = {0};

	values[0] = Int64GetDatum(partner_id);
	values[1] = Int64GetDatum(wins);
	values[2] = Int64GetDatum(closed);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * channel.partner_win_record()
 * Per partner with a partner_month row: its deals won and its deals won
 * or lost over every month of the rollup (the forecast's partner record),
 * as channel.partner_win_record keeps them.
 */
Datum
channel_partner_win_record(PG_FUNCTION_ARGS)
{
	win_record_out	out;

	InitMaterializedSRF(fcinfo, 0);
	out.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	channel_win_record_each(record_put, &out);
	return (Datum) 0;
}
