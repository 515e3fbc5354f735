/*
 * rollup_reader.c -- per-partner totals of rollup rows, the machinery of
 * the BI functions' C totals (src/sql/31_bi.sql):
 *
 *   funnel_totals.c     channel.funnel_totals(): partner_line_month / _day rows
 *   scorecard_totals.c  channel.scorecard_totals(): partner_month rows
 *
 * and of the partners' win record (win_record.c).
 *
 * Why C: the BI functions add up, per partner (and product line), 90,000
 * to 200,000 rollup rows into 10,000 to 30,000 groups.  As SQL that is a
 * HashAggregate with a dozen transition calls and FILTER or sign
 * expressions per row and a numeric state per group: most of the BI
 * functions' time at the bench's scale.  Here each row is read once by an
 * index scan of the rollup's period index (or one sequential scan), its few
 * columns taken from the slot and added into its group's entry; the SQL
 * around it only joins the partner and computes the rates.  Results equal
 * the SQL sums (integers exactly, in int64 with overflow checks; money
 * with numeric addition).
 *
 * None of the totals is granted to anyone: they read the rollups without
 * the executor, so open_rollup() checks the caller's SELECT privilege on
 * the table itself, and the SECURITY DEFINER BI functions that call them
 * apply the partner filter.
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

#include "rollup_reader.h"

#define DENSE_MAX (16 * 1024 * 1024)

/* every money column into the slot of its own number */
const int identity_slots[TOTALS_MAX_MONEY] = {0, 1, 2, 3, 4};

/* The relation channel.<name>, opened for reading after the caller's
 * SELECT privilege on it is checked. */
Relation
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
AttrNumber
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
void
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

void
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
typedef struct far_entry
{
	totals_key	key;
	int32		index;
} far_entry;

totals_set *
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

totals_entry *
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


int32
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
DateADT
month_start(DateADT d)
{
	int			y,
				m,
				day;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	return date2j(y, m, 1) - POSTGRES_EPOCH_JDATE;
}




/*
 * Add the row in r's slot into the target its router picks (if any).
 */
void
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
void
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

Datum
money_datum(Numeric n)
{
	return NumericGetDatum(n ? n : int64_to_numeric(0));
}

/* The dates of a date[] argument (NULL: none); NULL elements refused. */
DateADT *
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

