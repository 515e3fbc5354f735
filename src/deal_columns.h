/*
 * deal_columns.h -- the columns of channel.deal the registration triggers
 * read and write, by attribute number, cached per backend (deal_columns.c).
 */
#ifndef DEAL_COLUMNS_H
#define DEAL_COLUMNS_H

#include "access/htup.h"
#include "utils/relcache.h"

typedef enum deal_column
{
	COL_DEAL_ID,
	COL_PARTNER_ID,
	COL_CUSTOMER_NAME,
	COL_CUSTOMER_COUNTRY,
	COL_PRODUCT_LINE,
	COL_STATUS,
	COL_STATUS_REASON,
	COL_SUBMITTED_AT,
	COL_PROTECTED_UNTIL,
	COL_CUSTOMER_KEY,
	COL_CUSTOMER_MATCH_KEYS,
	COL_CUSTOMER_JURISDICTIONS, /* optional: 0.1.0's table has none (att 0) */
	DEAL_COLUMNS
} deal_column;

typedef struct deal_columns
{
	Oid			relid;
	int			natts;			/* of the descriptor they were found in */
	AttrNumber	att[DEAL_COLUMNS];
	Oid			atttype[DEAL_COLUMNS];
	Oid			submitted;		/* OIDs of the live statuses' labels */
	Oid			approved;
	Oid			conflict;
} deal_columns;

/*
 * The columns of rel (channel.deal), checked; an error if one is missing,
 * naming the trigger that needs them (e.g. "channel.deal_register()").
 */
const deal_columns *deal_columns_of(Relation rel, const char *trigger);

/* The row's status as its enum label's OID; InvalidOid when NULL. */
Oid			deal_status_of(HeapTuple row, TupleDesc desc, const deal_columns *cols);

#endif
