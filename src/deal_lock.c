/*
 * deal_lock.c -- the advisory locks that serialize registrations which
 * could conflict, and the jobs that change which registrations are live.
 *
 * Two levels, both transaction-scoped advisory locks of the database:
 *
 *   - the CELL lock of a country and product line (class "CH", the 32-bit
 *     hash of "country|line", field 2).  A registration takes it in SHARE
 *     mode, so registrations of one cell do not wait for each other on it;
 *     the jobs that change which registrations of a cell are live
 *     (channel.expire_deals, channel.make_renewals) take it EXCLUSIVE
 *     through channel.deal_lock_customer(), so a registration never checks
 *     against a row that one of them is about to change, and waits for
 *     their commit to see their rows;
 *   - the KEY locks of the registration's customer (class "CH", the hash
 *     of "country|line|" and a lock key, field 3): one per blocking-key
 *     range the conflict lookup searches (company_lock_keys.c: for each
 *     word its half-word prefixes and suffixes, the acronym and initials,
 *     the whole name, ...).  Two registrations whose blocking keys meet --
 *     the only ones the lookup can find -- share one of them (exclusive in
 *     at least one), so the second one waits until the first commits or
 *     aborts and then sees it; registrations of unrelated customers of the
 *     same cell take different key locks and go on side by side.
 *
 * Order: the key locks sorted by their 32-bit key, then the cell lock; the
 * jobs take only cell locks, sorted by country and line.  A registration
 * holding its cell lock waits for nothing else of the lock protocol, so
 * single registrations cannot deadlock one another or a job.
 *
 * A transaction that registers many deals would need many key locks (the
 * shared lock table holds max_locks_per_transaction per connection on
 * average): once this transaction's key locks would pass
 * DEAL_KEY_LOCK_BUDGET, a registration takes its cell lock EXCLUSIVE
 * instead (and needs no key lock while it holds it).  Two such bulk
 * transactions in the same cell, both holding the cell in share mode from
 * their first registrations, can then deadlock, and so can a bulk one
 * against a single registration of a matching customer that holds its
 * country's end-customer lock in share mode while it waits for one of the
 * bulk's key locks; PostgreSQL cancels one of them (SQLSTATE 40P01), to be
 * retried (doc/deals.md).  Single registrations cannot deadlock each other
 * or the jobs.
 *
 * Under REPEATABLE READ or SERIALIZABLE the snapshot is older than any
 * wait, so a registration that would have to wait for a lock fails with a
 * serialization error instead of missing the conflict.
 *
 * The end-customer master (channel.end_customer_of, which every new
 * registration and lead runs first, through its BEFORE trigger) has the
 * same two levels, class "CE": key locks scoped by the country, then the
 * country's lock in share mode, which channel.resolve_end_customers()
 * takes exclusive (channel_end_customer_lock below).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "company.h"
#include "deal_lock.h"

PG_FUNCTION_INFO_V1(channel_deal_lock_customer);
PG_FUNCTION_INFO_V1(channel_end_customer_lock);

/* first half of every advisory lock key this module takes: "CH" */
#define DEAL_LOCK_CLASS 0x4348
/* ... and of the end-customer master's (channel.end_customer_of): "CE", 17221 */
#define END_CUSTOMER_LOCK_CLASS 0x4345
/* the fourth field: 2 for the cell lock (as two int4 keys), 3 for key locks */
#define DEAL_LOCK_CELL 2
#define DEAL_LOCK_KEY 3

/* the key locks one transaction takes before it locks whole cells instead */
#define DEAL_KEY_LOCK_BUDGET 64

/* this transaction's key locks so far */
static LocalTransactionId key_locks_lxid = InvalidLocalTransactionId;
static int	key_locks_taken;

static void
cell_tag(LOCKTAG *tag, const char *country, const char *product_line)
{
	char	   *space = psprintf("%s|%s", country, product_line);
	uint32		hash = hash_bytes((const unsigned char *) space, (int) strlen(space));

	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, DEAL_LOCK_CLASS, hash, DEAL_LOCK_CELL);
	pfree(space);
}

/*
 * Takes the lock, or fails when it must wait under a transaction snapshot;
 * what names what the lock protects, for the message.
 */
static void
acquire(LOCKTAG *tag, LOCKMODE mode, const char *what)
{
	if (LockAcquire(tag, mode, false, true) != LOCKACQUIRE_NOT_AVAIL)
		return;
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 strcmp(what, "deal") == 0 ?
				 errmsg("could not register the deal because of a concurrent registration") :
				 errmsg("could not match the end customer because of a concurrent transaction"),
				 strcmp(what, "deal") == 0 ?
				 errdetail("Another transaction is registering a deal for a customer of a similar name, or changing "
						   "the live registrations, in the same country and product line, and this transaction's "
						   "snapshot could not see its outcome.") :
				 errdetail("Another transaction is creating an end customer of a similar name in the same country, "
						   "or matching its end customers, and this transaction's snapshot could not see its outcome."),
				 errhint("Retry the transaction, or run it in READ COMMITTED.")));
	(void) LockAcquire(tag, mode, false, false);
}

/* one key lock: its 32-bit key and whether share mode is enough */
typedef struct key_lock
{
	uint32		hash;
	bool		shared;
} key_lock;

static int
key_lock_cmp(const void *a, const void *b)
{
	uint32		x = ((const key_lock *) a)->hash;
	uint32		y = ((const key_lock *) b)->hash;

	return x < y ? -1 : x > y;
}

/*
 * The key locks of blocking keys (text[] without NULLs), sorted by key,
 * each once (exclusive if any lock key of that hash is); returns how many.
 */
static int
key_locks_of(const char *scope, Datum match_keys, key_lock **out)
{
	ArrayType  *arr = DatumGetArrayTypeP(match_keys);
	Datum	   *elems;
	bool	   *nulls;
	int			nkeys;
	const char **keys;
	size_t	   *lens;
	company_lock *locks;
	int			nlocks;
	int			kept = 0;
	company_status st;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nkeys);
	keys = palloc(sizeof(char *) * (nkeys > 0 ? nkeys : 1));
	lens = palloc(sizeof(size_t) * (nkeys > 0 ? nkeys : 1));
	for (int i = 0; i < nkeys; i++)
	{
		text	   *t = DatumGetTextPP(elems[i]);

		keys[i] = nulls[i] ? "" : VARDATA_ANY(t);
		lens[i] = nulls[i] ? 0 : VARSIZE_ANY_EXHDR(t);
	}
	st = company_lock_keys(keys, lens, nkeys, &locks, &nlocks);
	if (st != COMPANY_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not derive the registration's lock keys: %s", company_status_text(st))));
	*out = palloc(sizeof(key_lock) * (nlocks > 0 ? nlocks : 1));
	for (int i = 0; i < nlocks; i++)
	{
		(*out)[i].hash = company_lock_hash(scope, strlen(scope), locks[i].key, locks[i].len);
		(*out)[i].shared = locks[i].shared;
	}
	free(locks);
	qsort(*out, nlocks, sizeof(key_lock), key_lock_cmp);
	for (int i = 0; i < nlocks; i++)
	{
		if (kept > 0 && (*out)[kept - 1].hash == (*out)[i].hash)
		{
			(*out)[kept - 1].shared = (*out)[kept - 1].shared && (*out)[i].shared;
			continue;
		}
		(*out)[kept++] = (*out)[i];
	}
	pfree(keys);
	pfree(lens);
	return kept;
}

/* the budget counts this transaction's key locks only */
static void
budget_reset(void)
{
	if (MyProc->lxid != key_locks_lxid)
	{
		key_locks_lxid = MyProc->lxid;
		key_locks_taken = 0;
	}
}

void
deal_lock_registration(const char *country, const char *product_line, Datum match_keys)
{
	LOCKTAG		cell;
	key_lock   *locks;
	int			n;

	cell_tag(&cell, country, product_line);
	budget_reset();
	/* a job of this transaction, or an earlier registration, holds the whole cell */
	if (LockHeldByMe(&cell, ExclusiveLock))
		return;
	n = key_locks_of(psprintf("%s|%s", country, product_line), match_keys, &locks);
	if (n == 0 || key_locks_taken + n > DEAL_KEY_LOCK_BUDGET)
	{
		acquire(&cell, ExclusiveLock, "deal");
		pfree(locks);
		return;
	}
	for (int i = 0; i < n; i++)
	{
		LOCKTAG		tag;

		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, DEAL_LOCK_CLASS, locks[i].hash, DEAL_LOCK_KEY);
		acquire(&tag, locks[i].shared ? ShareLock : ExclusiveLock, "deal");
	}
	key_locks_taken += n;
	pfree(locks);
	acquire(&cell, ShareLock, "deal");
}

/*
 * channel.deal_lock_customer(country text, product_line text) RETURNS void:
 * the cell lock, exclusive, for the SQL functions that change which
 * registrations are live (expire_deals, make_renewals): every registration
 * of the country and line waits until this transaction ends.
 */
Datum
channel_deal_lock_customer(PG_FUNCTION_ARGS)
{
	LOCKTAG		cell;

	cell_tag(&cell, text_to_cstring(PG_GETARG_TEXT_PP(0)), text_to_cstring(PG_GETARG_TEXT_PP(1)));
	acquire(&cell, ExclusiveLock, "deal");
	PG_RETURN_VOID();
}

/*
 * channel.end_customer_lock(country text, keys text[]) RETURNS void: the
 * same two levels for the end-customer master (class "CE", 17221), for
 * channel.end_customer_of() before it looks a new spelling up: the key
 * locks of the name's blocking keys (with the head "country|"), scoped by
 * the country, then the country's lock -- pg_advisory_xact_lock(17221,
 * hashtext(country)) -- in share mode; or, past the transaction's budget
 * of key locks, that country lock exclusive.  Two sessions creating end
 * customers whose names could match wait for each other, unrelated new
 * customers of a country do not, and channel.resolve_end_customers(), which
 * takes the country's lock exclusive, waits for both.  Under REPEATABLE
 * READ or SERIALIZABLE a wait fails with a serialization error, as the
 * registration's does: the lookup's snapshot could not see the other
 * session's new customer.
 */
Datum
channel_end_customer_lock(PG_FUNCTION_ARGS)
{
	text	   *country = PG_GETARG_TEXT_PP(0);
	LOCKTAG		whole;
	key_lock   *locks;
	int			n;
	int32		hash = DatumGetInt32(DirectFunctionCall1Coll(hashtext, DEFAULT_COLLATION_OID,
															 PointerGetDatum(country)));

	SET_LOCKTAG_ADVISORY(whole, MyDatabaseId, END_CUSTOMER_LOCK_CLASS, (uint32) hash, DEAL_LOCK_CELL);
	budget_reset();
	if (LockHeldByMe(&whole, ExclusiveLock))
		PG_RETURN_VOID();
	n = key_locks_of(text_to_cstring(country), PG_GETARG_DATUM(1), &locks);
	if (n == 0 || key_locks_taken + n > DEAL_KEY_LOCK_BUDGET)
	{
		acquire(&whole, ExclusiveLock, "end customer");
		PG_RETURN_VOID();
	}
	for (int i = 0; i < n; i++)
	{
		LOCKTAG		tag;

		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, END_CUSTOMER_LOCK_CLASS, locks[i].hash, DEAL_LOCK_KEY);
		acquire(&tag, locks[i].shared ? ShareLock : ExclusiveLock, "end customer");
	}
	key_locks_taken += n;
	acquire(&whole, ShareLock, "end customer");
	PG_RETURN_VOID();
}
