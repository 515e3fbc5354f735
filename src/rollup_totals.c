/*
 * rollup_totals.c -- per-partner totals of rollup rows over a set of
 * periods, for the BI functions of src/sql/31_bi.sql:
 *
 *   channel.funnel_totals(months, days, minus_days, skip_partner, skip_month,
 *                         only_partner)     partner_line_month / _day rows
 *   channel.scorecard_totals(from_month, split_month, to_month)
 *                                           partner_month rows
 *
 * Why C: both functions add up, per partner (and product line), 90,000 to
 * 200,000 rollup rows into 10,000 to 30,000 groups.  As SQL that is a
 * HashAggregate with a dozen transition calls and FILTER or sign
 * expressions per row and a numeric state per group: most of the BI
 * functions' time at the bench's scale.  Here each row is read once by an
 * index scan of the rollup's period index, its few columns taken from the
 * slot and added into one hash entry; the SQL around it only joins the
 * partner and computes the rates.  Results equal the SQL sums (integers
 * exactly, in int64 with overflow checks; money with numeric addition).
 *
 * Neither function is granted to anyone: they read the rollups by index
 * scan without the executor, so they check the caller's SELECT privilege
 * on the table themselves, and the SECURITY DEFINER BI functions that call
 * them apply the partner filter.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "channel.h"
#include "rollup_totals.h"

PG_FUNCTION_INFO_V1(channel_funnel_totals);
PG_FUNCTION_INFO_V1(channel_scorecard_totals);
PG_FUNCTION_INFO_V1(channel_partner_win_record);

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

/* The relation channel.<name>, opened for reading after the caller's
 * SELECT privilege on it is checked. */
static Relation
open_rollup(const char *name)
{
	Oid			nsp = get_namespace_oid("channel", false);
	Oid			relid = get_relname_relid(name, nsp);
	AclResult	acl;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation channel.%s does not exist", name),
				 errdetail("The BI totals read the rollups of the channel extension."),
				 errhint("Reinstall or update the extension: ALTER EXTENSION channel UPDATE;")));
	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, name);
	return table_open(relid, AccessShareLock);
}

/* A column of the rollup by name, of one of the expected types. */
static AttrNumber
rollup_column(Relation rel, const char *name, Oid type1, Oid type2, Oid *type_out)
{
	AttrNumber	att = get_attnum(RelationGetRelid(rel), name);
	Oid			type;

	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column %s of %s does not exist", name, RelationGetRelationName(rel)),
				 errdetail("The BI totals read the rollup's columns by name."),
				 errhint("Reinstall or update the extension: ALTER EXTENSION channel UPDATE;")));
	type = getBaseType(TupleDescAttr(RelationGetDescr(rel), att - 1)->atttypid);
	if (type != type1 && type != type2)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column %s of %s has type %s", name, RelationGetRelationName(rel),
						format_type_be(type)),
				 errdetail("The BI totals expect %s.", format_type_be(type1)),
				 errhint("Reinstall or update the extension: ALTER EXTENSION channel UPDATE;")));
	if (type_out)
		*type_out = type;
	return att;
}

/* The rollup, and its period index unless index is NULL (a sequential
 * scan needs none). */
static void
reader_open(rollup_reader *r, const char *table, const char *index, const char *period,
			bool lines, const char *const *counts, int n_counts,
			const char *const *money, int n_money)
{
	Oid			index_oid;

	memset(r, 0, sizeof(*r));
	r->rel = open_rollup(table);
	if (index != NULL)
	{
		index_oid = get_relname_relid(index, RelationGetNamespace(r->rel));
		if (!OidIsValid(index_oid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("index channel.%s does not exist", index),
					 errdetail("The BI totals read %s by its period index.", table),
					 errhint("Reinstall or update the extension: ALTER EXTENSION channel UPDATE;")));
		r->index = index_open(index_oid, AccessShareLock);
	}
	r->slot = table_slot_create(r->rel, NULL);
	r->partner_att = rollup_column(r->rel, "partner_id", INT8OID, INT8OID, NULL);
	r->period_att = rollup_column(r->rel, period, DATEOID, DATEOID, NULL);
	r->line_att = lines ? rollup_column(r->rel, "product_line", TEXTOID, TEXTOID, NULL) : InvalidAttrNumber;
	r->n_counts = n_counts;
	for (int i = 0; i < n_counts; i++)
		r->count_att[i] = rollup_column(r->rel, counts[i], INT4OID, INT8OID, &r->count_type[i]);
	r->n_money = n_money;
	for (int i = 0; i < n_money; i++)
		r->money_att[i] = rollup_column(r->rel, money[i], NUMERICOID, NUMERICOID, NULL);
	r->last_att = Max(Max(r->partner_att, r->period_att), r->line_att);
	for (int i = 0; i < n_counts; i++)
		r->last_att = Max(r->last_att, r->count_att[i]);
	for (int i = 0; i < n_money; i++)
		r->last_att = Max(r->last_att, r->money_att[i]);
}

static void
reader_close(rollup_reader *r)
{
	ExecDropSingleTupleTableSlot(r->slot);
	if (r->index != NULL)
		index_close(r->index, AccessShareLock);
	table_close(r->rel, AccessShareLock);
}

/*
 * The groups' totals.  Partner ids are a sequence's values, dense from 1,
 * so a group is found through an array indexed by partner id (grown by
 * doubling up to DENSE_MAX ids) and a short chain of its product lines:
 * no hashing, and one cache line touched per row where a hash table of
 * 30,000 wide entries took several.  Ids outside that range (negative, or
 * a sequence restarted far out) go to a hash table instead.  The entries
 * live in one array, in the order they were first seen.
 */
#define DENSE_MAX (16 * 1024 * 1024)

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

typedef struct far_entry
{
	totals_key	key;
	int32		index;
} far_entry;

static totals_set *
totals_create(const char *name)
{
	totals_set *t = palloc0(sizeof(totals_set));

	t->cap = 16384;
	t->entries = palloc(sizeof(totals_entry) * t->cap);
	t->next = palloc(sizeof(int32) * t->cap);
	t->first_cap = 32768;
	t->first = palloc0(sizeof(int32) * t->first_cap);
	return t;
}

static int32
totals_new_entry(totals_set *t, int64 partner_id, int32 line)
{
	totals_entry *e;

	if (t->n == t->cap)
	{
		if ((Size) t->cap >= MaxAllocSize / sizeof(totals_entry) / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many partner and product line groups in one total"),
					 errdetail("The totals hold at most %d groups.", t->cap),
					 errhint("Ask for fewer partners or a shorter period.")));
		t->cap *= 2;
		t->entries = repalloc(t->entries, sizeof(totals_entry) * t->cap);
		t->next = repalloc(t->next, sizeof(int32) * t->cap);
	}
	e = &t->entries[t->n];
	memset(e, 0, sizeof(*e));
	e->partner_id = partner_id;
	e->line = line;
	t->next[t->n] = -1;
	return t->n++;
}

static totals_entry *
totals_get(totals_set *t, int64 partner_id, int32 line)
{
	int32		i;

	if (partner_id >= 0 && partner_id < DENSE_MAX)
	{
		if (partner_id >= t->first_cap)
		{
			int64		cap = t->first_cap;

			while (cap <= partner_id)
				cap *= 2;
			t->first = repalloc(t->first, sizeof(int32) * cap);
			memset(t->first + t->first_cap, 0, sizeof(int32) * (cap - t->first_cap));
			t->first_cap = cap;
		}
		i = t->first[partner_id] - 1;
		if (i < 0)
		{
			i = totals_new_entry(t, partner_id, line);
			t->first[partner_id] = i + 1;
			return &t->entries[i];
		}
		for (;;)
		{
			if (t->entries[i].line == line)
				return &t->entries[i];
			if (t->next[i] < 0)
			{
				int32		j = totals_new_entry(t, partner_id, line);

				t->next[i] = j;
				return &t->entries[j];
			}
			i = t->next[i];
		}
	}
	else
	{
		totals_key	key;
		far_entry  *f;
		bool		found;

		if (t->far == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(totals_key);
			ctl.entrysize = sizeof(far_entry);
			ctl.hcxt = CurrentMemoryContext;
			t->far = hash_create("rollup totals", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		}
		memset(&key, 0, sizeof(key));
		key.partner_id = partner_id;
		key.line = line;
		f = hash_search(t->far, &key, HASH_ENTER, &found);
		if (!found)
			f->index = totals_new_entry(t, partner_id, line);
		return &t->entries[f->index];
	}
}

static void
add_count(int64 *total, int64 value)
{
	if (unlikely(pg_add_s64_overflow(*total, value, total)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("a rollup total is out of range for bigint"),
				 errdetail("The sum of a rollup column over the period exceeds 2^63."),
				 errhint("Ask for a shorter period.")));
}

/*
 * total += value (or -=).  The totals are this function's own pallocs, so
 * each addition frees the total it replaces: memory stays one numeric per
 * group however many rows are added.  value may point into a buffer page
 * (a by-reference datum of the slot): it is never kept.
 */
/*
 * Whether a stored numeric is certainly zero, read from its header without
 * detoasting: a short-format value (the form every zero is written in)
 * with no digits.  Special values (NaN, infinities) have the same length
 * but another header, so they are never taken for zero; a value this
 * cannot tell is simply added.
 */
static bool
numeric_datum_is_zero(Datum value)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(value);
	uint16		header;

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		return false;			/* compressed or external: not a zero */
	if (VARSIZE_ANY_EXHDR(v) != sizeof(uint16))
		return false;
	memcpy(&header, VARDATA_ANY(v), sizeof(uint16));
	return (header & 0xC000) == 0x8000;	/* NUMERIC_SHORT, not NUMERIC_SPECIAL */
}

static void
add_money(Numeric *total, Datum value, bool subtract)
{
	Numeric		v = DatumGetNumeric(value); /* a copy when it was packed */
	Numeric		next;
	bool		err = false;

	if (*total == NULL && !subtract)
	{
		next = palloc(VARSIZE(v));
		memcpy(next, v, VARSIZE(v));
	}
	else
	{
		Numeric		base = *total ? *total : int64_to_numeric(0);

		next = subtract ? numeric_sub_opt_error(base, v, &err) : numeric_add_opt_error(base, v, &err);
		if (err)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("a rollup money total is out of range"),
					 errdetail("The sum of a rollup amount over the period exceeds numeric's range."),
					 errhint("Ask for a shorter period.")));
		pfree(base);
	}
	if ((Pointer) v != DatumGetPointer(value))
		pfree(v);
	*total = next;
}

/* The product lines seen so far, interned: a partner-line key is then two
 * integers.  There are a few dozen lines at most. */
typedef struct line_names
{
	int			n;
	int			cap;
	char	  **names;
	int		   *lens;
} line_names;

static int32
line_intern(line_names *lines, text *t)
{
	int			len = VARSIZE_ANY_EXHDR(t);
	const char *s = VARDATA_ANY(t);

	for (int i = 0; i < lines->n; i++)
		if (lines->lens[i] == len && memcmp(lines->names[i], s, len) == 0)
			return i;
	if (lines->n == lines->cap)
	{
		lines->cap = lines->cap ? lines->cap * 2 : 16;
		lines->names = lines->names ? repalloc(lines->names, lines->cap * sizeof(char *))
			: palloc(lines->cap * sizeof(char *));
		lines->lens = lines->lens ? repalloc(lines->lens, lines->cap * sizeof(int))
			: palloc(lines->cap * sizeof(int));
	}
	lines->names[lines->n] = pnstrdup(s, len);
	lines->lens[lines->n] = len;
	return lines->n++;
}

/* The first day of the month of a date. */
static DateADT
month_start(DateADT d)
{
	int			y,
				m,
				day;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	return date2j(y, m, 1) - POSTGRES_EPOCH_JDATE;
}

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

/* every money column into the slot of its own number */
static const int identity_slots[TOTALS_MAX_MONEY] = {0, 1, 2, 3, 4};

typedef bool (*row_router) (void *state, rollup_reader *r, int64 partner_id, int32 line,
							DateADT period, row_target *target);

/*
 * Add the row in r's slot into the target its router picks (if any).
 */
static void
add_row(rollup_reader *r, line_names *lines, row_router route, void *state)
{
	TupleTableSlot *slot = r->slot;
	Datum	   *values;
	bool	   *nulls;
	int32		line = 0;
	row_target	t;

	/* one deforming pass up to the last column read, then plain array reads */
	slot_getsomeattrs(slot, r->last_att);
	values = slot->tts_values;
	nulls = slot->tts_isnull;
	if (nulls[r->partner_att - 1] || nulls[r->period_att - 1])
		return;
	if (r->line_att != InvalidAttrNumber)
	{
		if (nulls[r->line_att - 1])
			return;
		line = line_intern(lines, DatumGetTextPP(values[r->line_att - 1]));
	}
	if (!route(state, r, DatumGetInt64(values[r->partner_att - 1]), line,
			   DatumGetDateADT(values[r->period_att - 1]), &t))
		return;
	for (int i = 0; t.add_counts && i < r->n_counts; i++)
	{
		int			a = r->count_att[i] - 1;

		if (nulls[a])
			continue;
		add_count(&t.entry->count[i],
				  t.sign * (r->count_type[i] == INT4OID ? DatumGetInt32(values[a]) : DatumGetInt64(values[a])));
	}
	for (int i = 0; i < r->n_money; i++)
	{
		int			a = r->money_att[i] - 1;

		if (t.money_slot[i] < 0 || nulls[a] || numeric_datum_is_zero(values[a]))
			continue;
		add_money(&t.entry->money[t.money_slot[i]], values[a], t.sign < 0);
	}
}

/*
 * Scan the rows whose period is between lo and hi (both included) and add
 * each accepted row into its target.
 */
static void
scan_periods(rollup_reader *r, DateADT lo, DateADT hi, line_names *lines,
			 row_router route, void *state)
{
	ScanKeyData keys[2];
	IndexScanDesc scan;
	int			n_keys;

	ScanKeyInit(&keys[0], 1, lo == hi ? BTEqualStrategyNumber : BTGreaterEqualStrategyNumber,
				lo == hi ? F_DATE_EQ : F_DATE_GE, DateADTGetDatum(lo));
	ScanKeyInit(&keys[1], 1, BTLessEqualStrategyNumber, F_DATE_LE, DateADTGetDatum(hi));
	n_keys = lo == hi ? 1 : 2;
	scan = index_beginscan(r->rel, r->index, GetActiveSnapshot(), n_keys, 0);
	index_rescan(scan, keys, n_keys, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, r->slot))
	{
		CHECK_FOR_INTERRUPTS();
		add_row(r, lines, route, state);
	}
	index_endscan(scan);
}

static Datum
money_datum(Numeric n)
{
	return NumericGetDatum(n ? n : int64_to_numeric(0));
}

/* The dates of a date[] argument (NULL: none); NULL elements refused. */
static DateADT *
date_array(ArrayType *a, int *n, const char *what)
{
	Datum	   *elems;
	bool	   *nulls;
	DateADT    *out;

	if (a == NULL)
	{
		*n = 0;
		return NULL;
	}
	deconstruct_array(a, DATEOID, sizeof(DateADT), true, TYPALIGN_INT, &elems, &nulls, n);
	out = palloc(sizeof(DateADT) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what),
					 errdetail("Each element is a period of the rollup."),
					 errhint("Leave NULLs out of the array.")));
		out[i] = DatumGetDateADT(elems[i]);
		if (DATE_NOT_FINITE(out[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must contain finite dates", what),
					 errdetail("Each element is a period of the rollup."),
					 errhint("Leave infinity out of the array.")));
	}
	return out;
}

/* ---------------------------------------------------------------- funnel */

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
	bool		by_day;			/* the rows' period is a day, not a month */
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
		k.month = f->by_day ? month_start(period) : period;
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
funnel_scan(funnel_state *f, rollup_reader *r, DateADT *periods, int n, int sign, bool by_day,
			line_names *lines)
{
	f->sign = sign;
	f->by_day = by_day;
	for (int i = 0; i < n; i++)
		scan_periods(r, periods[i], periods[i], lines, funnel_route, f);
}

/*
 * channel.funnel_totals(months date[], days date[], minus_days date[],
 *                       skip_partner bigint[], skip_month date[],
 *                       only_partner bigint)
 * Per partner and product line: the sums of the partner_line_month rows of
 * the months plus those of the partner_line_day rows of days less those of
 * minus_days, leaving out the rows of the (skip_partner[i], skip_month[i])
 * partner-months and, when only_partner is not NULL, every other partner's.
 */
Datum
channel_funnel_totals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n_months,
				n_days,
				n_minus,
				n_skip = 0;
	DateADT    *months = date_array(PG_ARGISNULL(0) ? NULL : PG_GETARG_ARRAYTYPE_P(0), &n_months, "months");
	DateADT    *days = date_array(PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1), &n_days, "days");
	DateADT    *minus = date_array(PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2), &n_minus, "minus_days");
	funnel_state f;
	line_names	lines = {0};
	rollup_reader r;

	InitMaterializedSRF(fcinfo, 0);
	memset(&f, 0, sizeof(f));
	f.totals = totals_create("funnel totals");
	f.one_partner = !PG_ARGISNULL(5);
	f.only_partner = f.one_partner ? PG_GETARG_INT64(5) : 0;
	if (!PG_ARGISNULL(3) && !PG_ARGISNULL(4))
	{
		ArrayType  *pa = PG_GETARG_ARRAYTYPE_P(3);
		Datum	   *partners;
		bool	   *pnulls;
		int			n_partners;
		DateADT    *skip_months = date_array(PG_GETARG_ARRAYTYPE_P(4), &n_skip, "skip_month");
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

	if (n_months > 0)
	{
		reader_open(&r, "partner_line_month", "partner_line_month_month_idx", "month", true,
					funnel_counts, FUNNEL_COUNTS, funnel_money, 1);
		funnel_scan(&f, &r, months, n_months, 1, false, &lines);
		reader_close(&r);
	}
	if (n_days > 0 || n_minus > 0)
	{
		reader_open(&r, "partner_line_day", "partner_line_day_day_idx", "day", true,
					funnel_counts, FUNNEL_COUNTS, funnel_money, 1);
		funnel_scan(&f, &r, days, n_days, 1, true, &lines);
		funnel_scan(&f, &r, minus, n_minus, -1, true, &lines);
		reader_close(&r);
	}

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

/* ---------------------------------------------------------------- scorecard */

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

/* ---------------------------------------------------------------- win record */

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
