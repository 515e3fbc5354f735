/*
 * deal_trigger.c -- conflict detection when a deal is registered.
 *
 * BEFORE INSERT OR UPDATE OF customer_name, customer_country, product_line
 * ON channel.deal, per row:
 *
 *   - stores the normalized customer name (customer_key) and its blocking
 *     keys (customer_match_keys, each prefixed with country and product
 *     line, so one GIN lookup finds candidates of that customer, country
 *     and line only);
 *   - sets protected_until of a live registration that has none:
 *     submitted_at + the product line's protection_days;
 *   - for a new registration (INSERT with status 'submitted'), finds other
 *     registrants' live registrations (submitted, approved, conflict) of the
 *     same customer -- same key, or company_similarity >= channel.match_threshold
 *     -- in the same country and product line whose protection window
 *     overlaps, and applies channel.conflict_policy: 'flag' turns the new
 *     one into 'conflict' and records the pairs in channel.deal_conflict;
 *     'reject' raises CH001 without a word about the other registration.
 *
 * Rows inserted with another status are imports of history and are not
 * checked.
 *
 * Why an advisory lock and not an exclusion constraint: fuzzy equality is
 * not an operator an exclusion constraint can use, and two inserters
 * checking an exclusion constraint can deadlock each other.  Instead each
 * registration takes a transaction-scoped advisory lock on (country,
 * product line) before looking: a second registration of the same customer
 * waits until the first commits or aborts, and then -- in READ COMMITTED,
 * where every query of the trigger takes a fresh snapshot -- sees it.
 * Under REPEATABLE READ or SERIALIZABLE the snapshot is older than the
 * wait, so a registration that had to wait fails with a serialization
 * error to be retried instead of missing the conflict.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "channel.h"
#include "deal_candidates.h"

PG_FUNCTION_INFO_V1(channel_deal_register_trigger);
PG_FUNCTION_INFO_V1(channel_deal_record_conflicts_trigger);
PG_FUNCTION_INFO_V1(channel_deal_lock_customer);
PG_FUNCTION_INFO_V1(channel_product_line_changed);

/* first half of every advisory lock key this module takes: "CH" */
#define DEAL_LOCK_CLASS 0x4348

typedef enum conflict_policy
{
	CONFLICT_FLAG,
	CONFLICT_REJECT
} conflict_policy;

static const struct config_enum_entry conflict_policy_options[] = {
	{"flag", CONFLICT_FLAG, false},
	{"reject", CONFLICT_REJECT, false},
	{NULL, 0, false}
};

static void deals_xact_callback(XactEvent event, void *arg);

static double match_threshold = 0.85;
static int	conflict_policy_setting = CONFLICT_FLAG;
static int	deal_max_extensions = 2;
static int	deal_extension_days = 30;

/*
 * Both settings are superuser-only (PGC_SUSET): a partner that could lower
 * the threshold or switch the policy could probe other partners'
 * registrations with its own.  Set them with ALTER DATABASE / ALTER SYSTEM.
 */
void
channel_init_deals(void)
{
	DefineCustomRealVariable("channel.match_threshold",
							 "Company similarity from which two registrations are taken for the same customer.",
							 "Between 0.5 and 1; 1 means equal normalized names only.",
							 &match_threshold, 0.85, 0.5, 1.0,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("channel.conflict_policy",
							 "What a registration that conflicts with another registrant's live one does: flag or reject.",
							 "flag: it is stored with status conflict for a channel manager; reject: it fails with SQLSTATE CH001.",
							 &conflict_policy_setting, CONFLICT_FLAG, conflict_policy_options,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("channel.deal_max_extensions",
							"How many times channel.extend_deal() may extend one registration.",
							NULL, &deal_max_extensions, 2, 0, 20,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("channel.deal_extension_days",
							"Days channel.extend_deal() adds when called without days.",
							NULL, &deal_extension_days, 30, 1, 365,
							PGC_SUSET, 0, NULL, NULL, NULL);
	RegisterXactCallback(deals_xact_callback, NULL);
}

/*
 * The columns of channel.deal the triggers read and write, by attribute
 * number, found once per backend instead of by name at every row: a
 * registration asked for about twenty-five of them, each a search of the
 * row descriptor.  The copy is checked against the descriptor at every
 * use, by name and type (a few short string comparisons), and found again
 * when the table is no longer the one it was made for.  The statuses are
 * kept as their enum OIDs, so a row's status is compared without the
 * enum's output function.
 */
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
	DEAL_COLUMNS
} deal_column;

static const struct
{
	const char *name;
	Oid			type;			/* of the column or of its domain; InvalidOid: the enum */
}			deal_column_spec[DEAL_COLUMNS] = {
	[COL_DEAL_ID] = {"deal_id", INT8OID},
	[COL_PARTNER_ID] = {"partner_id", INT8OID},
	[COL_CUSTOMER_NAME] = {"customer_name", TEXTOID},
	[COL_CUSTOMER_COUNTRY] = {"customer_country", TEXTOID},
	[COL_PRODUCT_LINE] = {"product_line", TEXTOID},
	[COL_STATUS] = {"status", InvalidOid},
	[COL_STATUS_REASON] = {"status_reason", TEXTOID},
	[COL_SUBMITTED_AT] = {"submitted_at", TIMESTAMPTZOID},
	[COL_PROTECTED_UNTIL] = {"protected_until", TIMESTAMPTZOID},
	[COL_CUSTOMER_KEY] = {"customer_key", TEXTOID},
	[COL_CUSTOMER_MATCH_KEYS] = {"customer_match_keys", TEXTARRAYOID},
};

typedef struct deal_columns
{
	Oid			relid;
	AttrNumber	att[DEAL_COLUMNS];
	Oid			atttype[DEAL_COLUMNS];
	Oid			submitted;		/* OIDs of the live statuses' labels */
	Oid			approved;
	Oid			conflict;
} deal_columns;

static deal_columns columns = {InvalidOid};

static bool
columns_fit(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (columns.relid != RelationGetRelid(rel))
		return false;
	for (int i = 0; i < DEAL_COLUMNS; i++)
	{
		Form_pg_attribute attr;

		if (columns.att[i] > desc->natts)
			return false;
		attr = TupleDescAttr(desc, columns.att[i] - 1);
		if (attr->attisdropped || attr->atttypid != columns.atttype[i] ||
			strcmp(NameStr(attr->attname), deal_column_spec[i].name) != 0)
			return false;
	}
	return true;
}

static Oid
enum_label_oid(Oid enum_type, const char *label)
{
	return DatumGetObjectId(DirectFunctionCall2(enum_in, CStringGetDatum(label), ObjectIdGetDatum(enum_type)));
}

static const deal_columns *
deal_columns_of(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			status_type;

	if (columns_fit(rel))
		return &columns;
	columns.relid = InvalidOid;
	for (int i = 0; i < DEAL_COLUMNS; i++)
	{
		int			att = SPI_fnumber(desc, deal_column_spec[i].name);
		Oid			type = att > 0 ? TupleDescAttr(desc, att - 1)->atttypid : InvalidOid;

		if (att <= 0 || (OidIsValid(deal_column_spec[i].type) && getBaseType(type) != deal_column_spec[i].type))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("table \"%s\" has no column \"%s\" of the type the registration trigger needs",
							RelationGetRelationName(rel), deal_column_spec[i].name),
					 errdetail("The registration trigger reads or writes this column at every registration."),
					 errhint("The trigger belongs on channel.deal as the extension creates it.")));
		columns.att[i] = (AttrNumber) att;
		columns.atttype[i] = type;
	}
	status_type = columns.atttype[COL_STATUS];
	if (get_typtype(status_type) != TYPTYPE_ENUM)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"status\" of table \"%s\" is not channel.deal_status",
						RelationGetRelationName(rel)),
				 errdetail("The registration trigger compares the status with the labels submitted, approved and conflict."),
				 errhint("The trigger belongs on channel.deal as the extension creates it.")));
	columns.submitted = enum_label_oid(status_type, "submitted");
	columns.approved = enum_label_oid(status_type, "approved");
	columns.conflict = enum_label_oid(status_type, "conflict");
	columns.relid = RelationGetRelid(rel);
	return &columns;
}

/* The advisory lock every registration of (country, product line) takes. */
static void
lock_customer_space(const char *country, const char *product_line)
{
	LOCKTAG		tag;
	char	   *space = psprintf("%s|%s", country, product_line);
	uint32		hash = hash_bytes((const unsigned char *) space, (int) strlen(space));

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, DEAL_LOCK_CLASS, hash, 2);
	if (LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL)
		return;
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not register the deal because of a concurrent registration"),
				 errdetail("Another transaction is registering a deal in the same country and product line, "
						   "and this transaction's snapshot could not see its outcome."),
				 errhint("Retry the transaction, or register deals in READ COMMITTED.")));
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/*
 * channel.deal_lock_customer(country text, product_line text) RETURNS void:
 * the same lock, for the SQL functions that change which registrations are
 * live (expire_deals), so a registration never checks against a row that a
 * concurrent transaction is about to expire.
 */
Datum
channel_deal_lock_customer(PG_FUNCTION_ARGS)
{
	lock_customer_space(text_to_cstring(PG_GETARG_TEXT_PP(0)), text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}

/*
 * SPI is connected only when a query must run (reading the protection days,
 * the fallback candidate query): most registrations need none.  The
 * registration trigger clears the flag when it starts (an aborted call may
 * have left it set; the abort closed the connection) and finishes SPI if it
 * was set.  Its queries only read, so the trigger never runs inside itself.
 */
static bool spi_connected = false;

static void
connect_spi(void)
{
	if (spi_connected)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	spi_connected = true;
}

static SPIPlanPtr protection_plan;
static SPIPlanPtr candidates_plan;
static SPIPlanPtr record_plan;

static SPIPlanPtr
prepare_once(SPIPlanPtr *plan, const char *query, int nargs, Oid *types)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(query, nargs, types);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", query, SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}

/*
 * Protection days of every product line, read once and kept in backend
 * memory: the query per registration cost as much as the rest of the
 * trigger but the conflict lookup.  Any write to channel.product_line fires
 * channel.product_line_changed(), which queues a relcache invalidation of
 * the table; this backend sees it at its next command, the others when the
 * writer commits, and the callback below drops the copy (a rolled-back
 * write is undone the same way).  A transaction with a transaction snapshot
 * (REPEATABLE READ, SERIALIZABLE) reads the table itself instead: a copy
 * loaded from its old snapshot could outlive the invalidation it missed.
 * Product lines are few, so a linear search is enough.
 */
typedef struct protection_days
{
	char	   *code;
	int32		days;
} protection_days;

static MemoryContext protection_cxt = NULL;
static protection_days *protections = NULL;
static int	nprotections = 0;
static bool protections_valid = false;
static uint64 protection_invalidations = 0;
static Oid	product_line_relid = InvalidOid;

static void
product_line_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == product_line_relid)
	{
		protections_valid = false;
		protection_invalidations++;
	}
}

static void
load_protections(void)
{
	MemoryContext old;
	uint64		invalidations = protection_invalidations;

	if (protection_cxt == NULL)
	{
		protection_cxt = AllocSetContextCreate(TopMemoryContext, "channel protection days",
											   ALLOCSET_SMALL_SIZES);
		CacheRegisterRelcacheCallback(product_line_relcache_callback, (Datum) 0);
	}
	MemoryContextReset(protection_cxt);
	protections = NULL;
	nprotections = 0;
	product_line_relid = get_relname_relid("product_line", get_namespace_oid("channel", false));

	/*
	 * Not read-only: with a snapshot of its own, taken now, the copy sees
	 * every write whose invalidation this backend has already processed --
	 * the statement's snapshot may be older than some of them.
	 */
	connect_spi();
	if (SPI_execute("SELECT code, protection_days FROM channel.product_line", false, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading channel.product_line failed");
	old = MemoryContextSwitchTo(protection_cxt);
	protections = palloc(sizeof(protection_days) * (SPI_processed > 0 ? SPI_processed : 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		days = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull);
		char	   *code = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (isnull || code == NULL)
			continue;			/* NOT NULL columns; nothing to protect with */
		protections[nprotections].code = pstrdup(code);
		protections[nprotections].days = DatumGetInt32(days);
		nprotections++;
	}
	MemoryContextSwitchTo(old);
	/*
	 * Valid unless an invalidation arrived while the rows were read (or an
	 * error left the copy half built: then this line is never reached).
	 */
	protections_valid = invalidations == protection_invalidations;
}

/* The protection days of a product line, or -1 for an unknown line. */
static int32
protection_days_of(const char *product_line)
{
	if (IsolationUsesXactSnapshot())
	{
		Oid			types[1] = {TEXTOID};
		Datum		values[1] = {CStringGetTextDatum(product_line)};
		bool		isnull;
		Datum		days;

		connect_spi();
		prepare_once(&protection_plan, "SELECT protection_days FROM channel.product_line WHERE code = $1",
					 1, types);
		if (SPI_execute_plan(protection_plan, values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "reading channel.product_line failed");
		if (SPI_processed == 0)
			return -1;
		days = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		return isnull ? -1 : DatumGetInt32(days);
	}
	if (!protections_valid)
		load_protections();
	for (int i = 0; i < nprotections; i++)
		if (strcmp(protections[i].code, product_line) == 0)
			return protections[i].days;
	return -1;
}

/*
 * submitted_at + the product line's protection days; 0 for an unknown line.
 * A protection day is 24 hours: an interval's day field would be added in
 * the session's TimeZone, and a window that spans a daylight-saving change
 * would then end an hour early or late depending on who registered.
 */
static Datum
protection_end(Datum submitted_at, const char *product_line)
{
	int32		days = protection_days_of(product_line);
	Interval	span = {0};

	if (days < 0)
		return (Datum) 0;		/* the foreign key will say it */
	span.time = (int64) days * USECS_PER_DAY;
	return DirectFunctionCall2(timestamptz_pl_interval, submitted_at, IntervalPGetDatum(&span));
}

/*
 * channel.product_line_changed(): AFTER INSERT OR UPDATE OR DELETE OR
 * TRUNCATE FOR EACH STATEMENT on channel.product_line; tells every backend
 * to drop its cached protection days (see above).
 */
Datum
channel_product_line_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("channel.product_line_changed() must be an AFTER ... FOR EACH STATEMENT trigger"),
				 errhint("It is installed on channel.product_line by the extension.")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

typedef struct match
{
	int64		other_deal_id;
	float4		score;
	const char *kind;
} match;

/*
 * The live registrations whose blocking keys meet ours, through the query:
 * the fallback of deal_candidates_direct() (deal_candidates.c), with the
 * same rows.  Only the keys (&&~) and the live statuses are in the query, so the partial GIN index is the one access
 * path that fits whatever the generic plan guesses.
 */
static int
query_candidates(Datum keys, deal_candidate **out)
{
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1] = {keys};

	connect_spi();
	prepare_once(&candidates_plan,
				 "SELECT deal_id, customer_key, partner_id, submitted_at, protected_until FROM channel.deal "
				 "WHERE customer_match_keys OPERATOR(channel.&&~) $1 "
				 "AND status IN ('submitted', 'approved', 'conflict')",
				 1, types);
	if (SPI_execute_plan(candidates_plan, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "looking for conflicting registrations failed");

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
	int64		x = ((const match *) a)->other_deal_id;
	int64		y = ((const match *) b)->other_deal_id;

	return x < y ? -1 : x > y;
}

/*
 * Other registrants' live registrations whose blocking keys meet ours,
 * whose window overlaps [submitted_at, protected_until) and whose name
 * reaches the threshold.  Returns the number of matches, written to *out (palloc'd) in
 * deal_id order, the order their pairs are recorded in.
 */
static int
find_conflicts(Relation rel, const deal_columns *cols, HeapTuple row, const char *key, Datum keys,
			   Datum protected_until, match **out)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	bool		direct;
	int64		partner = 0;
	int64		deal_id;
	TimestampTz submitted_at;
	TimestampTz window_end = DatumGetTimestampTz(protected_until);
	AttrNumber	candidate_atts[DEAL_CANDIDATE_COLUMNS] = {
		cols->att[COL_DEAL_ID], cols->att[COL_CUSTOMER_KEY], cols->att[COL_PARTNER_ID],
	cols->att[COL_SUBMITTED_AT], cols->att[COL_PROTECTED_UNTIL]};
	deal_candidate *cands;
	company_name *name;
	int			ncand;
	int			nmatch = 0;

	{
		Datum		d = heap_getattr(row, cols->att[COL_PARTNER_ID], desc, &direct);

		if (!direct)
			partner = DatumGetInt64(d);
	}
	submitted_at = DatumGetTimestampTz(heap_getattr(row, cols->att[COL_SUBMITTED_AT], desc, &isnull));
	deal_id = DatumGetInt64(heap_getattr(row, cols->att[COL_DEAL_ID], desc, &isnull));

	ncand = deal_candidates_direct(rel, candidate_atts, cols->att[COL_CUSTOMER_MATCH_KEYS], keys, &cands);
	if (ncand < 0)
		ncand = query_candidates(keys, &cands);

	*out = palloc(sizeof(match) * (ncand > 0 ? ncand : 1));
	if (ncand == 0)
		return 0;
	/* the new name is split and weighed once for all its candidates */
	name = company_name_prepare(key);
	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Preparing the customer name for comparison failed.")));
	for (int i = 0; i < ncand; i++)
	{
		deal_candidate *c = &cands[i];
		company_match_kind kind;
		float4		score;

		if (c->deal_id == deal_id)
			continue;
		/* the same registrant again, direct sales against direct sales */
		if (c->direct ? direct : (!direct && c->partner_id == partner))
			continue;
		/* windows [submitted_at, protected_until) must overlap */
		if (c->noend || c->protected_until <= submitted_at || (!c->nostart && c->submitted_at >= window_end))
			continue;
		if (c->customer_key == NULL)
			continue;
		/* malloc'd memory: nothing in this loop may raise an error */
		score = company_similarity_prepared(name, c->customer_key, &kind);
		if (score < match_threshold)
			continue;
		(*out)[nmatch].other_deal_id = c->deal_id;
		(*out)[nmatch].score = score;
		(*out)[nmatch].kind = kind == COMPANY_MATCH_EXACT ? "exact"
			: kind == COMPANY_MATCH_ACRONYM ? "acronym" : "fuzzy";
		nmatch++;
	}
	company_name_free(name);
	qsort(*out, nmatch, sizeof(match), match_by_deal_id);
	return nmatch;
}

/*
 * The BEFORE trigger finds the conflicts, but the pairs can only be stored
 * once the deal row exists: they wait here, in transaction memory, for the
 * AFTER INSERT trigger of the same row.
 */
typedef struct pending_conflicts
{
	int64		deal_id;
	int			nmatch;
	match	   *matches;
	struct pending_conflicts *next;
} pending_conflicts;

static pending_conflicts *pending = NULL;

static void
deals_xact_callback(XactEvent event, void *arg)
{
	/* the list lived in TopTransactionContext, which is gone or going */
	pending = NULL;
}

static void
remember_conflicts(int64 deal_id, match *matches, int nmatch)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	pending_conflicts *p = palloc(sizeof(pending_conflicts));

	p->deal_id = deal_id;
	p->nmatch = nmatch;
	p->matches = palloc(sizeof(match) * nmatch);
	memcpy(p->matches, matches, sizeof(match) * nmatch);
	p->next = pending;
	pending = p;
	MemoryContextSwitchTo(old);
}

/* Takes the conflicts remembered for deal_id off the list (NULL if none). */
static pending_conflicts *
take_conflicts(int64 deal_id)
{
	for (pending_conflicts **pp = &pending; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->deal_id == deal_id)
		{
			pending_conflicts *p = *pp;

			*pp = p->next;
			return p;
		}
	return NULL;
}

static void
record_conflicts(Datum deal_id, match *matches, int nmatch)
{
	Oid			types[4] = {INT8OID, INT8OID, TEXTOID, FLOAT4OID};

	prepare_once(&record_plan,
				 "INSERT INTO channel.deal_conflict (deal_id, other_deal_id, match_kind, score) "
				 "VALUES ($1, $2, $3, $4)",
				 4, types);
	for (int i = 0; i < nmatch; i++)
	{
		Datum		values[4] = {deal_id, Int64GetDatum(matches[i].other_deal_id),
		CStringGetTextDatum(matches[i].kind), Float4GetDatum(matches[i].score)};

		if (SPI_execute_plan(record_plan, values, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "recording a deal conflict failed");
	}
}

static bool
text_is_blank(text *t)
{
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);

	for (int i = 0; i < len; i++)
		if (!isspace((unsigned char) s[i]))
			return false;
	return true;
}

/* The row's status as its enum label's OID; InvalidOid when NULL. */
static Oid
status_of(HeapTuple row, TupleDesc desc, const deal_columns *cols)
{
	bool		isnull;
	Datum		status = heap_getattr(row, cols->att[COL_STATUS], desc, &isnull);

	return isnull ? InvalidOid : DatumGetObjectId(status);
}

Datum
channel_deal_register_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	MemoryContext caller = CurrentMemoryContext;
	const deal_columns *cols;
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	text	   *name;
	char	   *key;
	char	   *country;
	char	   *product_line;
	Oid			status;
	bool		live;
	bool		is_new_registration;
	int			attnums[5];
	Datum		newvals[5];
	bool		newnulls[5] = {false, false, false, false, false};
	int			nchange = 0;
	Datum		protected_until;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("channel.deal_register_trigger() must be a BEFORE INSERT OR UPDATE row trigger")));

	spi_connected = false;
	row = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? trigdata->tg_trigtuple : trigdata->tg_newtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	cols = deal_columns_of(trigdata->tg_relation);

	/* missing values are the NOT NULL constraints' to report */
	if (heap_attisnull(row, cols->att[COL_CUSTOMER_NAME], desc) ||
		heap_attisnull(row, cols->att[COL_CUSTOMER_COUNTRY], desc) ||
		heap_attisnull(row, cols->att[COL_PRODUCT_LINE], desc))
		return PointerGetDatum(row);

	name = DatumGetTextPP(heap_getattr(row, cols->att[COL_CUSTOMER_NAME], desc, &isnull));
	key = channel_normalize_text(name, "the customer name");
	/* a blank name is the CHECK constraint's to report, after this trigger */
	if (key[0] == '\0' && !text_is_blank(name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customer name has no letter or digit"),
				 errdetail("A registration is matched against others by the customer's name."),
				 errhint("Write the end customer's company name.")));

	/* both text (the country a domain over it): no output function needed */
	country = TextDatumGetCString(heap_getattr(row, cols->att[COL_CUSTOMER_COUNTRY], desc, &isnull));
	product_line = TextDatumGetCString(heap_getattr(row, cols->att[COL_PRODUCT_LINE], desc, &isnull));

	attnums[nchange] = cols->att[COL_CUSTOMER_KEY];
	newvals[nchange++] = CStringGetTextDatum(key);
	attnums[nchange] = cols->att[COL_CUSTOMER_MATCH_KEYS];
	newvals[nchange++] = PointerGetDatum(channel_match_keys_array(key, psprintf("%s|%s|", country, product_line)));

	status = status_of(row, desc, cols);
	live = status == cols->submitted || status == cols->approved || status == cols->conflict;
	is_new_registration = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && status == cols->submitted;

	protected_until = heap_getattr(row, cols->att[COL_PROTECTED_UNTIL], desc, &isnull);
	if (isnull && live)
	{
		Datum		submitted_at = heap_getattr(row, cols->att[COL_SUBMITTED_AT], desc, &isnull);

		/* a missing submitted_at is the NOT NULL constraint's to report */
		protected_until = isnull ? (Datum) 0 : protection_end(submitted_at, product_line);
		if (protected_until != (Datum) 0)
		{
			attnums[nchange] = cols->att[COL_PROTECTED_UNTIL];
			newvals[nchange++] = protected_until;
		}
	}

	if (is_new_registration && protected_until != (Datum) 0)
	{
		match	   *matches;
		int			nmatch;

		lock_customer_space(country, product_line);
		nmatch = find_conflicts(trigdata->tg_relation, cols, row, key, newvals[1], protected_until, &matches);
		if (nmatch > 0 && conflict_policy_setting == CONFLICT_REJECT)
			ereport(ERROR,
					(errcode(MAKE_SQLSTATE('C', 'H', '0', '0', '1')),
					 errmsg("deal registration conflicts with an existing registration"),
					 errdetail("This end customer and product line are already registered by another registrant "
							   "for an overlapping period."),
					 errhint("Ask your channel manager about this opportunity.")));
		if (nmatch > 0)
		{
			remember_conflicts(DatumGetInt64(heap_getattr(row, cols->att[COL_DEAL_ID], desc, &isnull)),
							   matches, nmatch);
			attnums[nchange] = cols->att[COL_STATUS];
			newvals[nchange++] = ObjectIdGetDatum(cols->conflict);
			attnums[nchange] = cols->att[COL_STATUS_REASON];
			newvals[nchange++] = CStringGetTextDatum("conflicts with an existing registration");
		}
	}

	/*
	 * The row is built in the caller's memory, before SPI (if a query
	 * connected it) frees its own, where some of the new values may be.
	 */
	MemoryContextSwitchTo(caller);
	row = heap_modify_tuple_by_cols(row, desc, nchange, attnums, newvals, newnulls);
	if (spi_connected)
		SPI_finish();
	spi_connected = false;
	return PointerGetDatum(row);
}

/*
 * AFTER INSERT row trigger (WHEN NEW.status = 'conflict'): stores the pairs
 * the BEFORE trigger found for this row in channel.deal_conflict.
 */
Datum
channel_deal_record_conflicts_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	bool		isnull;
	int64		deal_id;
	pending_conflicts *p;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || !TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("channel.deal_record_conflicts() must be an AFTER INSERT row trigger")));
	desc = RelationGetDescr(trigdata->tg_relation);
	deal_id = DatumGetInt64(heap_getattr(trigdata->tg_trigtuple, deal_columns_of(trigdata->tg_relation)->att[COL_DEAL_ID],
										 desc, &isnull));
	p = take_conflicts(deal_id);
	if (p == NULL)
		return PointerGetDatum(NULL);	/* inserted as conflict by hand: nothing found here */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	record_conflicts(Int64GetDatum(deal_id), p->matches, p->nmatch);
	SPI_finish();
	return PointerGetDatum(NULL);
}
