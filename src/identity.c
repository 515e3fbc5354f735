/*
 * identity.c -- which partner the caller acts for.
 *
 * channel.current_partner() is evaluated in every row-level security policy
 * and by every partner-facing function, so it must be cheap and impossible
 * for a partner to forge.  It resolves, in this order:
 *
 *   1. the partner set for the current transaction by the portal
 *      application with channel.set_portal_partner(id) (kept here, in
 *      backend memory, and forgotten when the transaction or the
 *      subtransaction that set it ends);
 *   2. the partner that channel.partner_user maps the SESSION user to
 *      (read once per transaction, then cached);
 *   3. otherwise NULL (the caller acts for the vendor) -- unless the session
 *      user is a member of channel_partner or channel_portal, which fail
 *      closed with insufficient_privilege instead of being taken for the
 *      vendor.
 *
 * Why not a GUC: a custom GUC can be SET by anyone (or, made superuser-only,
 * still reaches the server through ALTER ROLE ... SET, placeholders and
 * function SET clauses).  Backend memory is reachable only through
 * set_portal_partner(), whose EXECUTE privilege the extension grants to
 * channel_portal alone.  The price: parallel workers do not see it, so
 * current_partner() is PARALLEL RESTRICTED.
 *
 * Why the session user and not the current user: inside a SECURITY DEFINER
 * function current_user is the function's owner, and SET ROLE changes it at
 * will; session_user is the role that authenticated, which neither changes.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"

#include "channel.h"

PG_FUNCTION_INFO_V1(channel_current_partner);
PG_FUNCTION_INFO_V1(channel_set_portal_partner);

/* the partner set by the portal application for this transaction */
static bool portal_set = false;
static int64 portal_partner = 0;
static SubTransactionId portal_subid = InvalidSubTransactionId;

/* channel.partner_user looked up for cache_user in this transaction */
static bool cache_valid = false;
static Oid	cache_user = InvalidOid;
static bool cache_found = false;
static int64 cache_partner = 0;

static void
identity_forget_all(void)
{
	portal_set = false;
	portal_partner = 0;
	portal_subid = InvalidSubTransactionId;
	cache_valid = false;
	cache_user = InvalidOid;
}

static void
identity_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			identity_forget_all();
			break;
		default:
			break;
	}
}

/* ROLLBACK TO a savepoint taken before set_portal_partner() undoes it */
static void
identity_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	if (!portal_set || portal_subid != mySubid)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		portal_set = false;
		portal_partner = 0;
		portal_subid = InvalidSubTransactionId;
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		portal_subid = parentSubid;
}

void
channel_init_identity(void)
{
	RegisterXactCallback(identity_xact_callback, NULL);
	RegisterSubXactCallback(identity_subxact_callback, NULL);
}

/*
 * Reads one int8 column of the row of channel.<relname> whose primary key
 * (a single column) equals key, through the primary-key index and the
 * current snapshot.  It reads the heap directly, so neither table
 * privileges nor row-level security apply: resolving the caller's identity
 * is this module's own job.  Returns false when there is no such row.
 */
static bool
fetch_by_primary_key(const char *relname, RegProcedure eqproc, Datum key,
					 const char *outcol, int64 *out, bool *outnull)
{
	Oid			nsp = get_namespace_oid("channel", false);
	Oid			relid = get_relname_relid(relname, nsp);
	Relation	rel;
	Oid			pkey;
	Relation	pkrel;
	AttrNumber	keyatt;
	AttrNumber	outatt;
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table channel.%s does not exist", relname),
				 errhint("The channel extension is not installed correctly; reinstall it.")));
	rel = table_open(relid, AccessShareLock);
	pkey = RelationGetPrimaryKeyIndex(rel);
	outatt = get_attnum(relid, outcol);
	if (!OidIsValid(pkey) || outatt == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table channel.%s has lost its primary key or column %s", relname, outcol),
				 errhint("The channel extension is not installed correctly; reinstall it.")));
	pkrel = index_open(pkey, AccessShareLock);
	keyatt = pkrel->rd_index->indkey.values[0];
	index_close(pkrel, AccessShareLock);

	ScanKeyInit(&skey, keyatt, BTEqualStrategyNumber, eqproc, key);
	scan = systable_beginscan(rel, pkey, true,
							  ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot(),
							  1, &skey);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		Datum		d = heap_getattr(tup, outatt, RelationGetDescr(rel), outnull);

		*out = *outnull ? 0 : DatumGetInt64(d);
		found = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* true when the session user belongs to the named group role (not merely by being superuser) */
static bool
session_user_in(const char *group)
{
	Oid			groupid = get_role_oid(group, true);

	return OidIsValid(groupid) && is_member_of_role_nosuper(GetSessionUserId(), groupid);
}

/*
 * channel.current_partner() RETURNS bigint
 * STABLE PARALLEL RESTRICTED: the answer is fixed for a transaction.
 */
Datum
channel_current_partner(PG_FUNCTION_ARGS)
{
	Oid			user = GetSessionUserId();

	if (portal_set)
		PG_RETURN_INT64(portal_partner);

	if (!cache_valid || cache_user != user)
	{
		NameData	rolname;
		bool		isnull = false;
		int64		partner = 0;

		namestrcpy(&rolname, GetUserNameFromId(user, false));
		cache_found = fetch_by_primary_key("partner_user", F_NAMEEQ, NameGetDatum(&rolname),
										   "partner_id", &partner, &isnull) && !isnull;
		cache_partner = partner;
		cache_user = user;
		cache_valid = true;
	}
	if (cache_found)
		PG_RETURN_INT64(cache_partner);

	if (session_user_in("channel_partner") || session_user_in("channel_portal"))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" acts for no partner", GetUserNameFromId(user, false)),
				 errdetail("It is a member of channel_partner or channel_portal, but channel.partner_user "
						   "does not map it to a partner and no portal partner is set for this transaction."),
				 errhint("Map the role with INSERT INTO channel.partner_user, or have the portal application "
						 "call channel.set_portal_partner() at the start of the transaction.")));
	PG_RETURN_NULL();
}

/*
 * channel.set_portal_partner(partner_id bigint) RETURNS void
 * For the portal application (EXECUTE granted to channel_portal only): the
 * caller acts for partner_id until the end of the current transaction.
 */
Datum
channel_set_portal_partner(PG_FUNCTION_ARGS)
{
	int64		partner;
	int64		found_id;
	bool		isnull;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("partner_id must not be NULL"),
				 errdetail("The portal always acts for exactly one partner."),
				 errhint("Pass the id of the partner whose user the portal is serving.")));
	partner = PG_GETARG_INT64(0);

	if (!IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
				 errmsg("channel.set_portal_partner() can only be used in a transaction block"),
				 errdetail("The acting partner is forgotten when the transaction ends; outside a "
						   "transaction block that would be at the end of this very statement."),
				 errhint("Run BEGIN first, then set the partner, then the partner's statements, then COMMIT.")));

	if (portal_set)
	{
		if (portal_partner == partner)
			PG_RETURN_VOID();
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the acting partner is already set for this transaction"),
				 errdetail("A transaction acts for one partner only."),
				 errhint("End the transaction (COMMIT or ROLLBACK) before acting for another partner.")));
	}

	if (!fetch_by_primary_key("partner", F_INT8EQ, Int64GetDatum(partner),
							  "partner_id", &found_id, &isnull))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("partner " INT64_FORMAT " does not exist", partner),
				 errhint("Pass the partner_id of a row of channel.partner.")));

	portal_partner = partner;
	portal_subid = GetCurrentSubTransactionId();
	portal_set = true;
	PG_RETURN_VOID();
}
