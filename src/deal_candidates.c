/*
 * deal_candidates.c -- the registration trigger's candidate lookup, without
 * the executor.
 *
 * The candidates of a new registration are the live registrations with a
 * blocking key meeting one of its own: one bitmap scan of the partial GIN index
 * deal_match_keys_idx with the &&~ operator, then a heap fetch per TID.  Run
 * through SPI this was a prepared query whose planning was cached but whose
 * executor start-up, bitmap heap scan node, sort and result copying cost
 * about as much as the GIN probe itself (a profile at 1,000,000
 * registrations: ~15% of the server's CPU).  Here the same index access
 * method is called directly, with the same snapshot SPI would have taken,
 * so the rows found are the ones the query found.
 *
 * When this path cannot answer exactly -- the index is missing, not valid
 * or not the one the extension builds, or the bitmap went lossy (more
 * candidates than work_mem holds exactly) -- it says so and the caller runs
 * the query instead.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "catalog/pg_am_d.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/tidbitmap.h"
#include "nodes/value.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "deal_candidates.h"

#define MATCH_KEYS_INDEX "deal_match_keys_idx"

/*
 * The extension's GIN index on customer_match_keys, opened, or NULL when
 * there is none usable (then the query decides what to scan).
 */
static Relation
open_match_keys_index(Relation deal, AttrNumber keys_att)
{
	Oid			indexoid = get_relname_relid(MATCH_KEYS_INDEX, RelationGetNamespace(deal));
	Relation	index;

	if (!OidIsValid(indexoid))
		return NULL;
	index = index_open(indexoid, AccessShareLock);
	if (index->rd_index->indrelid != RelationGetRelid(deal) || !index->rd_index->indisvalid ||
		!index->rd_index->indisready || index->rd_rel->relam != GIN_AM_OID ||
		index->rd_index->indnatts != 1 || index->rd_index->indkey.values[0] != keys_att)
	{
		index_close(index, AccessShareLock);
		return NULL;
	}
	return index;
}

/*
 * The operator &&~ (text[], text[]) and its function, looked up by name in
 * the index's schema once per backend rather than at every registration.
 * The copy is used while the index's operator family holds it (after a
 * DROP and CREATE EXTENSION it does not, and the name is looked up again).
 */
static Oid	meet_operator = InvalidOid;
static Oid	meet_function = InvalidOid;

/* The strategy of &&~ in the index's operator family, 0 if it has none. */
static int16
keys_meet_strategy(Relation index)
{
	Oid			opfamily = index->rd_opfamily[0];
	int16		strategy = OidIsValid(meet_operator) ? get_op_opfamily_strategy(meet_operator, opfamily) : 0;

	if (strategy == 0)
	{
		List	   *name = list_make2(makeString(get_namespace_name(RelationGetNamespace(index))),
									  makeString("&&~"));

		meet_operator = OpernameGetOprid(name, TEXTARRAYOID, TEXTARRAYOID);
		meet_function = OidIsValid(meet_operator) ? get_opcode(meet_operator) : InvalidOid;
		strategy = OidIsValid(meet_operator) ? get_op_opfamily_strategy(meet_operator, opfamily) : 0;
	}
	return strategy;
}

/* TIDs of the index entries whose keys meet keys; false if lossy */
static bool
matching_tids(Relation index, Snapshot snapshot, Datum keys, ItemPointerData **tids, int *ntids)
{
	ScanKeyData skey;
	IndexScanDesc scan;
	TIDBitmap  *tbm;
	TBMIterator *it;
	TBMIterateResult *page;
	int			allocated = 16;
	bool		exact = true;
	int16		strategy = keys_meet_strategy(index);

	if (strategy == 0)
		return false;			/* not channel.company_keys_ops: let the planner decide */
	ScanKeyEntryInitialize(&skey, 0, 1, strategy, InvalidOid, index->rd_indcollation[0],
						   meet_function, keys);
	tbm = tbm_create(work_mem * 1024L, NULL);
	scan = index_beginscan_bitmap(index, snapshot, 1);
	index_rescan(scan, &skey, 1, NULL, 0);
	(void) index_getbitmap(scan, tbm);
	index_endscan(scan);

	*tids = palloc(sizeof(ItemPointerData) * allocated);
	*ntids = 0;
	it = tbm_begin_iterate(tbm);
	while ((page = tbm_iterate(it)) != NULL)
	{
		/* &&~ on company_keys_ops never asks for a recheck; a lossy page would */
		if (page->ntuples < 0 || page->recheck)
		{
			exact = false;
			break;
		}
		for (int i = 0; i < page->ntuples; i++)
		{
			if (*ntids == allocated)
			{
				allocated *= 2;
				*tids = repalloc(*tids, sizeof(ItemPointerData) * allocated);
			}
			/* a macro: the index must not move inside it */
			ItemPointerSet(&(*tids)[*ntids], page->blockno, page->offsets[i]);
			(*ntids)++;
		}
	}
	tbm_end_iterate(it);
	tbm_free(tbm);
	return exact;
}

/*
 * A candidate from its six columns (deal_id, customer_key, partner_id,
 * submitted_at, protected_until, customer_jurisdictions), wherever they
 * were read: from the heap here, from the fallback query's result in
 * deal_conflict_find.c.  What it keeps is copied.
 */
void
deal_candidate_from_columns(const Datum *values, const bool *nulls, deal_candidate *c)
{
	c->deal_id = DatumGetInt64(values[0]);
	c->customer_key = nulls[1] ? NULL : TextDatumGetCString(values[1]);
	c->direct = nulls[2];
	c->partner_id = nulls[2] ? 0 : DatumGetInt64(values[2]);
	c->nostart = nulls[3];
	c->submitted_at = nulls[3] ? 0 : DatumGetTimestampTz(values[3]);
	c->noend = nulls[4];
	c->protected_until = nulls[4] ? 0 : DatumGetTimestampTz(values[4]);
	c->njurisdictions = 0;
	c->jurisdictions = NULL;
	if (!nulls[5])
	{
		Datum	   *elems;
		bool	   *elem_nulls;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(values[5]), TEXTOID, -1, false, TYPALIGN_INT, &elems, &elem_nulls, &n);
		c->jurisdictions = palloc(sizeof(char *) * (n > 0 ? n : 1));
		for (int i = 0; i < n; i++)
			if (!elem_nulls[i])
				c->jurisdictions[c->njurisdictions++] = TextDatumGetCString(elems[i]);
	}
}

/* The candidate's columns, read from the fetched tuple's slot. */
static void
read_candidate(TupleTableSlot *slot, const AttrNumber *atts, deal_candidate *c)
{
	Datum		values[DEAL_CANDIDATE_COLUMNS];
	bool		nulls[DEAL_CANDIDATE_COLUMNS];

	for (int i = 0; i < DEAL_CANDIDATE_COLUMNS; i++)
	{
		nulls[i] = true;
		values[i] = atts[i] == 0 ? (Datum) 0 : slot_getattr(slot, atts[i], &nulls[i]);
	}
	deal_candidate_from_columns(values, nulls, c);
}

/*
 * The visible live registrations of deal with a key meeting keys (a text[] of
 * prefixed blocking keys), in *out; returns how many, or -1 when the caller
 * must run the query instead.  atts are the candidate's columns in the order
 * deal_candidate_from_columns takes them, keys_att customer_match_keys.
 *
 * The snapshot is the one SPI takes for a query that is not read-only: a
 * command counter increment first (rows inserted earlier by this statement
 * are seen), then the transaction snapshot -- a fresh one in READ
 * COMMITTED, taken after the advisory lock the caller holds.  The index
 * only holds live registrations (its predicate), and an update of the
 * status is never HOT (a predicate column), so every visible tuple it
 * leads to is live, as in the query's plan, which had no filter either.
 */
int
deal_candidates_direct(Relation deal, const AttrNumber *atts, AttrNumber keys_att, Datum keys,
					   deal_candidate **out)
{
	Relation	index;
	Snapshot	snapshot;
	ItemPointerData *tids;
	int			ntids;
	int			n = 0;

	index = open_match_keys_index(deal, keys_att);
	if (index == NULL)
		return -1;

	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	snapshot = GetActiveSnapshot();

	if (!matching_tids(index, snapshot, keys, &tids, &ntids))
		n = -1;
	else
	{
		IndexFetchTableData *fetch = table_index_fetch_begin(deal);
		TupleTableSlot *slot = table_slot_create(deal, NULL);

		*out = palloc(sizeof(deal_candidate) * (ntids > 0 ? ntids : 1));
		for (int i = 0; i < ntids; i++)
		{
			bool		call_again = false;
			bool		all_dead = false;

			CHECK_FOR_INTERRUPTS();
			/* an MVCC snapshot sees at most one member of a HOT chain */
			if (table_index_fetch_tuple(fetch, &tids[i], snapshot, slot, &call_again, &all_dead))
				read_candidate(slot, atts, &(*out)[n++]);
		}
		ExecDropSingleTupleTableSlot(slot);
		table_index_fetch_end(fetch);
	}

	PopActiveSnapshot();
	/* the lock is kept to the end of the transaction, as the executor does */
	index_close(index, NoLock);
	return n;
}
