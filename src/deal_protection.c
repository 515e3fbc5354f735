/*
 * deal_protection.c -- the protection days of every product line, for the
 * registration trigger, and channel.product_line_changed(), which keeps
 * them current.
 *
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
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "channel_spi.h"
#include "deal_protection.h"

PG_FUNCTION_INFO_V1(channel_product_line_changed);

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
static SPIPlanPtr protection_plan;

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
	channel_spi_lazy_connect();
	channel_spi_run("reading channel.product_line", SPI_OK_SELECT,
					"SELECT code, protection_days FROM channel.product_line",
					0, NULL, NULL, NULL, false, 0);
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

/* The days read by the transaction's own snapshot (REPEATABLE READ, SERIALIZABLE). */
static int32
protection_days_queried(const char *product_line)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(product_line)};
	bool		isnull;
	Datum		days;

	channel_spi_lazy_connect();
	channel_spi_plan(&protection_plan, "SELECT protection_days FROM channel.product_line WHERE code = $1",
					 1, types);
	if (channel_spi_run_plan("reading channel.product_line", SPI_OK_SELECT, protection_plan,
							 values, NULL, true, 1) == 0)
		return -1;
	days = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? -1 : DatumGetInt32(days);
}

/* The protection days of a product line, or -1 for an unknown line. */
static int32
protection_days_of(const char *product_line)
{
	if (IsolationUsesXactSnapshot())
		return protection_days_queried(product_line);
	if (!protections_valid)
		load_protections();
	for (int i = 0; i < nprotections; i++)
		if (strcmp(protections[i].code, product_line) == 0)
			return protections[i].days;
	return -1;
}

/*
 * A protection day is 24 hours: an interval's day field would be added in
 * the session's TimeZone, and a window that spans a daylight-saving change
 * would then end an hour early or late depending on who registered.
 */
Datum
deal_protection_end(Datum submitted_at, const char *product_line)
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
