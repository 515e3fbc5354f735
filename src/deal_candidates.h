/*
 * deal_candidates.h -- the registration trigger's candidate lookup
 * (deal_candidates.c).
 */
#ifndef DEAL_CANDIDATES_H
#define DEAL_CANDIDATES_H

#include "datatype/timestamp.h"
#include "utils/relcache.h"

/* a live registration sharing a blocking key with the new one */
typedef struct deal_candidate
{
	int64		deal_id;
	char	   *customer_key;	/* NULL when the column is */
	bool		direct;			/* partner_id is NULL: direct sales */
	int64		partner_id;
	bool		nostart;		/* submitted_at is NULL */
	TimestampTz submitted_at;
	bool		noend;			/* protected_until is NULL */
	TimestampTz protected_until;
	/* the countries of its legal forms (customer_jurisdictions); none when NULL */
	int			njurisdictions;
	char	  **jurisdictions;
} deal_candidate;

/*
 * deal_id, customer_key, partner_id, submitted_at, protected_until,
 * customer_jurisdictions (att 0 when the table has no such column: NULL)
 */
#define DEAL_CANDIDATE_COLUMNS 6

void		deal_candidate_from_columns(const Datum *values, const bool *nulls, deal_candidate *c);
int			deal_candidates_direct(Relation deal, const AttrNumber *atts, AttrNumber keys_att,
								   Datum keys, deal_candidate **out);

#endif
