/*
 * deal_conflict_find.c -- finding the registrations a new one conflicts
 * with.
 *
 * Candidates are the live registrations sharing a blocking key with the new
 * one (deal_candidates.c reads them from the GIN index directly; the
 * prepared query here is its fallback, with the same rows).  A candidate
 * conflicts when it belongs to another registrant, its protection window
 * [submitted_at, protected_until) overlaps the new one's, and
 * company_similarity of the normalized names (src/core) reaches
 * channel.match_threshold -- after the penalty company_similarity gives
 * legal forms of different jurisdictions, which the stored
 * customer_jurisdictions of both registrations tell.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "channel_spi.h"
#include "company.h"
#include "deal_candidates.h"
#include "deal_conflict_find.h"
#include "deal_settings.h"

static SPIPlanPtr candidates_plan;
static SPIPlanPtr candidates_plan_010;	/* 0.1.0's table: no customer_jurisdictions */

/*
 * The live registrations whose blocking keys meet ours, through the query:
 * the fallback of deal_candidates_direct() (deal_candidates.c), with the
 * same rows.  Only the keys (&&~) and the live statuses are in the query,
 * so the partial GIN index is the one access path that fits whatever the
 * generic plan guesses.
 */
static int
query_candidates(Datum keys, bool has_jurisdictions, deal_candidate **out)
{
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1] = {keys};
	SPIPlanPtr *plan = has_jurisdictions ? &candidates_plan : &candidates_plan_010;

	channel_spi_lazy_connect();
	channel_spi_plan(plan, has_jurisdictions ?
					 "SELECT deal_id, customer_key, partner_id, submitted_at, protected_until, customer_jurisdictions "
					 "FROM channel.deal WHERE customer_match_keys OPERATOR(channel.&&~) $1 "
					 "AND status IN ('submitted', 'approved', 'conflict')" :
					 "SELECT deal_id, customer_key, partner_id, submitted_at, protected_until, NULL::text[] "
					 "FROM channel.deal WHERE customer_match_keys OPERATOR(channel.&&~) $1 "
					 "AND status IN ('submitted', 'approved', 'conflict')",
					 1, types);
	channel_spi_run_plan("looking for conflicting registrations", SPI_OK_SELECT, *plan,
						 values, NULL, false, 0);

	*out = palloc(sizeof(deal_candidate) * (SPI_processed > 0 ? SPI_processed : 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum		values[DEAL_CANDIDATE_COLUMNS];
		bool		nulls[DEAL_CANDIDATE_COLUMNS];

		for (int col = 0; col < DEAL_CANDIDATE_COLUMNS; col++)
			values[col] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col + 1, &nulls[col]);
		deal_candidate_from_columns(values, nulls, &(*out)[i]);
	}
	return (int) SPI_processed;
}

static int
match_by_deal_id(const void *a, const void *b)
{
	int64		x = ((const deal_match *) a)->other_deal_id;
	int64		y = ((const deal_match *) b)->other_deal_id;

	return x < y ? -1 : x > y;
}

/* the new registration, as its candidates are compared with it */
typedef struct registrant
{
	int64		deal_id;
	bool		direct;			/* partner_id is NULL: direct sales */
	int64		partner;
	TimestampTz submitted_at;
	TimestampTz window_end;
	const char *const *jurisdictions;	/* of its legal forms, sorted */
	int			njurisdictions;
} registrant;

/* Whether candidate c is another registrant's, in an overlapping window. */
static bool
may_conflict(const deal_candidate *c, const registrant *me)
{
	if (c->deal_id == me->deal_id)
		return false;
	/* the same registrant again, direct sales against direct sales */
	if (c->direct ? me->direct : (!me->direct && c->partner_id == me->partner))
		return false;
	/* windows [submitted_at, protected_until) must overlap */
	if (c->noend || c->protected_until <= me->submitted_at || (!c->nostart && c->submitted_at >= me->window_end))
		return false;
	return c->customer_key != NULL;
}

/* The candidates whose names reach the threshold, into out; returns how many. */
static int
score_candidates(const char *key, const deal_candidate *cands, int ncand, const registrant *me, deal_match *out)
{
	double		threshold = deal_match_threshold();
	int			nmatch = 0;
	/* the new name is split and weighed once for all its candidates */
	company_name *name = company_name_prepare(key);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Preparing the customer name for comparison failed.")));
	for (int i = 0; i < ncand; i++)
	{
		const deal_candidate *c = &cands[i];
		company_match_kind kind;
		float4		score;

		if (!may_conflict(c, me))
			continue;
		/* malloc'd memory: nothing in this loop may raise an error */
		score = company_similarity_prepared(name, c->customer_key, &kind);
		/* legal forms of different jurisdictions, as company_similarity weighs them */
		if (company_jurisdiction_codes_conflict(me->jurisdictions, me->njurisdictions,
												(const char *const *) c->jurisdictions, c->njurisdictions))
			score *= COMPANY_JURISDICTION_PENALTY;
		if (score < threshold)
			continue;
		out[nmatch].other_deal_id = c->deal_id;
		out[nmatch].score = score;
		out[nmatch].kind = kind == COMPANY_MATCH_EXACT ? "exact"
			: kind == COMPANY_MATCH_ACRONYM ? "acronym" : "fuzzy";
		nmatch++;
	}
	company_name_free(name);
	return nmatch;
}

/*
 * Other registrants' live registrations whose blocking keys meet ours,
 * whose window overlaps [submitted_at, protected_until) and whose name
 * reaches the threshold.  Returns the number of matches, written to *out
 * (palloc'd) in deal_id order, the order their pairs are recorded in.
 */
int
deal_find_conflicts(Relation rel, const deal_columns *cols, HeapTuple row, const char *key, Datum keys,
					const char *const *jurisdictions, int njurisdictions,
					Datum protected_until, deal_match **out)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	registrant	me = {0};
	AttrNumber	candidate_atts[DEAL_CANDIDATE_COLUMNS] = {
		cols->att[COL_DEAL_ID], cols->att[COL_CUSTOMER_KEY], cols->att[COL_PARTNER_ID],
		cols->att[COL_SUBMITTED_AT], cols->att[COL_PROTECTED_UNTIL], cols->att[COL_CUSTOMER_JURISDICTIONS]};
	deal_candidate *cands;
	int			ncand;
	int			nmatch;
	Datum		partner = heap_getattr(row, cols->att[COL_PARTNER_ID], desc, &me.direct);

	if (!me.direct)
		me.partner = DatumGetInt64(partner);
	me.submitted_at = DatumGetTimestampTz(heap_getattr(row, cols->att[COL_SUBMITTED_AT], desc, &isnull));
	me.deal_id = DatumGetInt64(heap_getattr(row, cols->att[COL_DEAL_ID], desc, &isnull));
	me.window_end = DatumGetTimestampTz(protected_until);
	me.jurisdictions = jurisdictions;
	me.njurisdictions = njurisdictions;

	ncand = deal_candidates_direct(rel, candidate_atts, cols->att[COL_CUSTOMER_MATCH_KEYS], keys, &cands);
	if (ncand < 0)
		ncand = query_candidates(keys, cols->att[COL_CUSTOMER_JURISDICTIONS] != 0, &cands);

	*out = palloc(sizeof(deal_match) * (ncand > 0 ? ncand : 1));
	if (ncand == 0)
		return 0;
	nmatch = score_candidates(key, cands, ncand, &me, *out);
	qsort(*out, nmatch, sizeof(deal_match), match_by_deal_id);
	return nmatch;
}
