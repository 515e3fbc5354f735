/*
 * deal_conflict_find.h -- the conflicts of a new registration: other
 * registrants' live registrations of the same customer, country and
 * product line in an overlapping window (deal_conflict_find.c).
 */
#ifndef DEAL_CONFLICT_FIND_H
#define DEAL_CONFLICT_FIND_H

#include "access/htup.h"
#include "utils/relcache.h"

#include "deal_columns.h"

/* one conflicting registration */
typedef struct deal_match
{
	int64		other_deal_id;
	float4		score;
	const char *kind;			/* "exact", "acronym" or "fuzzy" */
} deal_match;

/*
 * The conflicts of row (customer_key key, customer_match_keys keys, window
 * up to protected_until), written to *out (palloc'd) in deal_id order;
 * returns how many.  May connect SPI lazily (channel_spi_lazy_connect).
 */
int			deal_find_conflicts(Relation rel, const deal_columns *cols, HeapTuple row, const char *key,
								Datum keys, const char *const *jurisdictions, int njurisdictions,
								Datum protected_until, deal_match **out);

#endif
