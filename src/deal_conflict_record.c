/*
 * deal_conflict_record.c -- recording a registration's conflicts.
 *
 *   channel.deal_record_conflicts_trigger()  AFTER INSERT row trigger on
 *                                            channel.deal (WHEN NEW.status
 *                                            = 'conflict')
 *
 * The BEFORE trigger finds the conflicts, but the pairs can only be stored
 * once the deal row exists: they wait here, in transaction memory, for the
 * AFTER INSERT trigger of the same row, which inserts them into
 * channel.deal_conflict in one statement of a kept plan.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "channel_spi.h"
#include "deal_columns.h"
#include "deal_conflict_record.h"

PG_FUNCTION_INFO_V1(channel_deal_record_conflicts_trigger);

typedef struct pending_conflicts
{
	int64		deal_id;
	int			nmatch;
	deal_match *matches;
	struct pending_conflicts *next;
} pending_conflicts;

static pending_conflicts *pending = NULL;
static SPIPlanPtr record_plan;

static void
deals_xact_callback(XactEvent event, void *arg)
{
	/* the list lived in TopTransactionContext, which is gone or going */
	pending = NULL;
}

void
deal_conflict_record_init(void)
{
	RegisterXactCallback(deals_xact_callback, NULL);
}

void
deal_remember_conflicts(int64 deal_id, const deal_match *matches, int nmatch)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	pending_conflicts *p = palloc(sizeof(pending_conflicts));

	p->deal_id = deal_id;
	p->nmatch = nmatch;
	p->matches = palloc(sizeof(deal_match) * nmatch);
	memcpy(p->matches, matches, sizeof(deal_match) * nmatch);
	p->next = pending;
	pending = p;
	MemoryContextSwitchTo(old);
}

/* Takes the conflicts remembered for deal_id off the list (NULL if none). */
static pending_conflicts *
take_conflicts(int64 deal_id)
{
	for (pending_conflicts **pp = &pending; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->deal_id == deal_id)
		{
			pending_conflicts *p = *pp;

			*pp = p->next;
			return p;
		}
	return NULL;
}

/*
 * One INSERT for all the pairs, in the order found (deal_id order of the
 * other registrations): one executor run and one firing of the table's
 * statement triggers (the change feed) per registration, not per pair.
 */
static void
record_conflicts(Datum deal_id, const deal_match *matches, int nmatch)
{
	Oid			types[4] = {INT8OID, INT8ARRAYOID, TEXTARRAYOID, FLOAT4ARRAYOID};
	Datum	   *others = palloc(sizeof(Datum) * nmatch);
	Datum	   *kinds = palloc(sizeof(Datum) * nmatch);
	Datum	   *scores = palloc(sizeof(Datum) * nmatch);
	Datum		values[4];

	for (int i = 0; i < nmatch; i++)
	{
		others[i] = Int64GetDatum(matches[i].other_deal_id);
		kinds[i] = CStringGetTextDatum(matches[i].kind);
		scores[i] = Float4GetDatum(matches[i].score);
	}
	values[0] = deal_id;
	values[1] = PointerGetDatum(construct_array(others, nmatch, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[2] = PointerGetDatum(construct_array(kinds, nmatch, TEXTOID, -1, false, TYPALIGN_INT));
	values[3] = PointerGetDatum(construct_array(scores, nmatch, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT));
	channel_spi_plan(&record_plan,
					 "INSERT INTO channel.deal_conflict (deal_id, other_deal_id, match_kind, score) "
					 "SELECT $1, u.other_deal_id, u.match_kind, u.score "
					 "FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4)) "
					 "WITH ORDINALITY AS u (other_deal_id, match_kind, score, n) "
					 "ORDER BY u.n",
					 4, types);
	channel_spi_run_plan("recording a deal's conflicts", SPI_OK_INSERT, record_plan, values, NULL, false, 0);
}

/*
 * AFTER INSERT row trigger (WHEN NEW.status = 'conflict'): stores the pairs
 * the BEFORE trigger found for this row in channel.deal_conflict.
 */
Datum
channel_deal_record_conflicts_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	const deal_columns *cols;
	bool		isnull;
	int64		deal_id;
	pending_conflicts *p;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || !TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("channel.deal_record_conflicts() must be an AFTER INSERT row trigger"),
				 errhint("It is installed on channel.deal by the extension.")));
	desc = RelationGetDescr(trigdata->tg_relation);
	cols = deal_columns_of(trigdata->tg_relation, "channel.deal_record_conflicts()");
	deal_id = DatumGetInt64(heap_getattr(trigdata->tg_trigtuple, cols->att[COL_DEAL_ID], desc, &isnull));
	p = take_conflicts(deal_id);
	if (p == NULL)
		return PointerGetDatum(NULL);	/* inserted as conflict by hand: nothing found here */
	channel_spi_connect();
	record_conflicts(Int64GetDatum(deal_id), p->matches, p->nmatch);
	SPI_finish();
	return PointerGetDatum(NULL);
}
