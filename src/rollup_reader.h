/*
 * rollup_reader.h -- reading rollup rows into per-partner totals, shared by
 * the C totals of the BI functions (funnel_totals.c, scorecard_totals.c).
 * See rollup_reader.c.
 */
#ifndef ROLLUP_READER_H
#define ROLLUP_READER_H

#include "postgres.h"

#include "access/attnum.h"
#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/numeric.h"
#include "utils/rel.h"

/* the most counters / money columns a total carries */
#define TOTALS_MAX_COUNTS 12
#define TOTALS_MAX_MONEY 5

/* one group's running totals; the key comes first (hsearch) */
typedef struct totals_entry
{
	int64		partner_id;
	int32		line;			/* index into the interned product lines; 0 without lines */
	int32		pad;
	int64		count[TOTALS_MAX_COUNTS];
	Numeric		money[TOTALS_MAX_MONEY];	/* NULL: nothing added yet */
} totals_entry;

typedef struct totals_key
{
	int64		partner_id;
	int32		line;
	int32		pad;
} totals_key;

/* an open rollup table, its period index and the columns read */
typedef struct rollup_reader
{
	Relation	rel;
	Relation	index;
	TupleTableSlot *slot;
	AttrNumber	partner_att;
	AttrNumber	period_att;
	AttrNumber	line_att;		/* InvalidAttrNumber: no product line */
	int			n_counts;
	AttrNumber	count_att[TOTALS_MAX_COUNTS];
	Oid			count_type[TOTALS_MAX_COUNTS];
	int			n_money;
	AttrNumber	money_att[TOTALS_MAX_MONEY];
	AttrNumber	last_att;		/* the highest of the columns above */
} rollup_reader;

/*
 * The groups' totals: an array indexed by partner id and a chain of each
 * partner's product lines (rollup_reader.c says why); the entries live in
 * one array, in the order they were first seen.
 */
typedef struct totals_set
{
	totals_entry *entries;
	int32	   *next;			/* entries: the next line of the same partner, or -1 */
	int			n;
	int			cap;
	int32	   *first;			/* partner id -> its first entry + 1 (0: none) */
	int64		first_cap;
	HTAB	   *far;			/* ids outside the dense range: key -> entry index */
} totals_set;

/* The product lines seen so far, interned: a partner-line key is then two
 * integers.  There are a few dozen lines at most. */
typedef struct line_names
{
	int			n;
	int			cap;
	char	  **names;
	int		   *lens;
} line_names;

/*
 * What one fetched row adds: where_to picks the entry (and the column
 * offset within it) or refuses the row; sign is +1 or -1.
 */
typedef struct row_target
{
	totals_entry *entry;
	bool		add_counts;		/* false: the row's counts are not added */
	const int  *money_slot;		/* reader's money column i -> entry money slot, or -1 */
	int			sign;
} row_target;

typedef bool (*row_router) (void *state, rollup_reader *r, int64 partner_id, int32 line,
							DateADT period, row_target *target);

/* every money column into the slot of its own number */
extern const int identity_slots[TOTALS_MAX_MONEY];

/* The relation channel.<name>, opened for reading after the caller's
 * SELECT privilege on it is checked. */
Relation	open_rollup(const char *name);
/* A column of the rollup by name, of one of the expected types. */
AttrNumber	rollup_column(Relation rel, const char *name, Oid type1, Oid type2, Oid *type_out);
/* The rollup, and its period index unless index is NULL. */
void		reader_open(rollup_reader *r, const char *table, const char *index, const char *period,
						bool lines, const char *const *counts, int n_counts,
						const char *const *money, int n_money);
void		reader_close(rollup_reader *r);
totals_set *totals_create(const char *name);
totals_entry *totals_get(totals_set *t, int64 partner_id, int32 line);
int32		line_intern(line_names *lines, text *t);
DateADT		month_start(DateADT d);
/* Add the row in r's slot into the target its router picks (if any). */
void		add_row(rollup_reader *r, line_names *lines, row_router route, void *state);
/* Every row whose period is between lo and hi (both included), added. */
void		scan_periods(rollup_reader *r, DateADT lo, DateADT hi, line_names *lines,
						 row_router route, void *state);
Datum		money_datum(Numeric n);
/* The dates of a date[] argument (NULL: none); NULL and infinite elements refused. */
DateADT    *date_array(ArrayType *a, int *n, const char *what);

#endif
