/*
 * net_price.c -- SQL wrappers of the net price (decisions in src/core/pricing.c).
 *
 *   channel.net_price(partner_id, sku, on_date, currency) RETURNS numeric
 *   channel.list_price(sku, on_date, currency) RETURNS numeric
 *   channel.schedule_discount(partner_id, sku, on_date) RETURNS numeric
 *   channel.pricing_changed()   AFTER ... FOR EACH STATEMENT trigger on the
 *                               pricing tables, the catalogue, partner tiers
 *                               and programme memberships
 *
 * The price lists, their items, the catalogue and the discount schedule are
 * read with SPI once and kept in backend memory; a partner's tier and
 * programme memberships are read the first time it is priced and kept with
 * them.  Like the scoring rules (scoring_sql.c): any write to one of those
 * tables fires pricing_changed(), which queues a relcache invalidation of
 * the table; every backend (this one at its next command, the others when
 * the writer commits) then drops the whole copy through the relcache
 * callback below and reloads it at the next call.  An invalidation that
 * arrives while the copy is being read leaves it invalid (it is read again
 * at the next call).  A transaction with a transaction snapshot (REPEATABLE
 * READ, SERIALIZABLE) reads its own copy, once per transaction: a copy read
 * by an older snapshot could miss a write whose invalidation it has seen.
 *
 * The copy is read as the owner of the tables (the extension's owner), so
 * it is the same whoever calls first: a partner's row-level security and
 * column privileges do not shape it, and a partner is only ever given its
 * own net price.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "channel_spi.h"
#include "pricing.h"

PG_FUNCTION_INFO_V1(channel_net_price);
PG_FUNCTION_INFO_V1(channel_list_price);
PG_FUNCTION_INFO_V1(channel_schedule_discount);
PG_FUNCTION_INFO_V1(channel_pricing_changed);

extern Datum channel_current_partner(PG_FUNCTION_ARGS);	/* identity.c */

#define SKU_LEN 48
#define LINE_LEN 64
#define MAX_MEMBERSHIPS 64

typedef struct product_entry
{
	char		sku[SKU_LEN];	/* hash key */
	int64		product_id;
	char		line[LINE_LEN];
	pricing_period active;
} product_entry;

typedef struct item_key
{
	int64		list_id;
	int64		product_id;
} item_key;

typedef struct item_entry
{
	item_key	key;
	int64		price;			/* 1/10000 units */
} item_entry;

typedef struct membership
{
	int64		program_id;
	pricing_period period;
} membership;

typedef struct partner_entry
{
	int64		partner_id;		/* hash key */
	int			tier;
	int			nmemberships;
	membership	memberships[MAX_MEMBERSHIPS];
} partner_entry;

/* the copy */
static MemoryContext pricing_cxt = NULL;
static pricing_list *lists = NULL;
static int *list_minor_units = NULL;
static int	nlists = 0;
static pricing_rule *rules = NULL;
static int	nrules = 0;
static HTAB *products = NULL;
static HTAB *items = NULL;
static HTAB *partners = NULL;
static bool pricing_valid = false;
static bool loaded_for_xact = false;	/* read by a transaction snapshot */
static LocalTransactionId loaded_lxid = InvalidLocalTransactionId;
static uint64 pricing_invalidations = 0;
static bool callback_registered = false;
static SPIPlanPtr partner_plan = NULL;

/* the tables whose writes invalidate the copy */
static const char *const watched[] = {"price_list", "price_list_item", "discount_schedule", "product",
"currency", "partner", "program_member"};
#define NWATCHED lengthof(watched)
static Oid	watched_relids[NWATCHED];

static void
pricing_relcache_callback(Datum arg, Oid relid)
{
	bool		ours = relid == InvalidOid;

	for (int i = 0; !ours && i < (int) NWATCHED; i++)
		ours = relid == watched_relids[i];
	if (ours)
	{
		pricing_valid = false;
		pricing_invalidations++;
	}
}

static int32
day_or_open(HeapTuple t, TupleDesc td, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(t, td, col, &isnull);

	return isnull ? PRICING_OPEN_END : DatumGetDateADT(d);
}

static int64
int8_col(HeapTuple t, TupleDesc td, int col, int64 if_null)
{
	bool		isnull;
	Datum		d = SPI_getbinval(t, td, col, &isnull);

	return isnull ? if_null : DatumGetInt64(d);
}

static int32
int4_col(HeapTuple t, TupleDesc td, int col, int32 if_null)
{
	bool		isnull;
	Datum		d = SPI_getbinval(t, td, col, &isnull);

	return isnull ? if_null : DatumGetInt32(d);
}

/* text of column col copied into the copy's context (NULL stays NULL) */
static char *
text_col(HeapTuple t, TupleDesc td, int col)
{
	char	   *v = SPI_getvalue(t, td, col);

	return v ? MemoryContextStrdup(pricing_cxt, v) : NULL;
}

/* The owner of channel.price_list (the extension's owner): the copy is read as it. */
static Oid
tables_owner(void)
{
	Oid			relid = watched_relids[0];
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

static void
load_pricing(void)
{
	uint64		invalidations = pricing_invalidations;
	Oid			nsp = get_namespace_oid("channel", false);
	Oid			save_user;
	int			save_sec;
	HASHCTL		ctl;
	TupleDesc	td;

	if (pricing_cxt == NULL)
		pricing_cxt = AllocSetContextCreate(TopMemoryContext, "channel pricing", ALLOCSET_DEFAULT_SIZES);
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(pricing_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	MemoryContextReset(pricing_cxt);
	lists = NULL;
	list_minor_units = NULL;
	rules = NULL;
	nlists = nrules = 0;
	products = items = partners = NULL;
	pricing_valid = false;
	for (int i = 0; i < (int) NWATCHED; i++)
		watched_relids[i] = get_relname_relid(watched[i], nsp);

	memset(&ctl, 0, sizeof ctl);
	ctl.hcxt = pricing_cxt;
	ctl.keysize = SKU_LEN;
	ctl.entrysize = sizeof(product_entry);
	products = hash_create("channel pricing products", 1024, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	ctl.keysize = sizeof(item_key);
	ctl.entrysize = sizeof(item_entry);
	items = hash_create("channel pricing items", 4096, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(partner_entry);
	partners = hash_create("channel pricing partners", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	GetUserIdAndSecContext(&save_user, &save_sec);
	SetUserIdAndSecContext(tables_owner(), save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		/*
		 * Not read-only: with a snapshot of its own, taken now, the copy sees
		 * every write whose invalidation this backend has already processed.
		 */
		channel_spi_connect();

		channel_spi_run("reading channel.price_list", SPI_OK_SELECT,
						"SELECT l.price_list_id, l.currency::text, l.valid_from, l.valid_until, c.minor_units::int4"
						" FROM channel.price_list l JOIN channel.currency c ON c.code = l.currency",
						0, NULL, NULL, NULL, false, 0);
		td = SPI_tuptable->tupdesc;
		lists = MemoryContextAlloc(pricing_cxt, sizeof(pricing_list) * (SPI_processed + 1));
		list_minor_units = MemoryContextAlloc(pricing_cxt, sizeof(int) * (SPI_processed + 1));
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	t = SPI_tuptable->vals[i];

			lists[nlists].id = int8_col(t, td, 1, 0);
			lists[nlists].currency = text_col(t, td, 2);
			lists[nlists].period.from = day_or_open(t, td, 3);
			lists[nlists].period.until = day_or_open(t, td, 4);
			list_minor_units[nlists] = int4_col(t, td, 5, 2);
			nlists++;
		}

		channel_spi_run("reading channel.price_list_item", SPI_OK_SELECT,
						"SELECT i.price_list_id, i.product_id, (i.unit_price * 10000)::int8 FROM channel.price_list_item i",
						0, NULL, NULL, NULL, false, 0);
		td = SPI_tuptable->tupdesc;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	t = SPI_tuptable->vals[i];
			item_key	key;
			item_entry *e;

			memset(&key, 0, sizeof key);
			key.list_id = int8_col(t, td, 1, 0);
			key.product_id = int8_col(t, td, 2, 0);
			e = hash_search(items, &key, HASH_ENTER, NULL);
			e->price = int8_col(t, td, 3, 0);
		}

		channel_spi_run("reading channel.product", SPI_OK_SELECT,
						"SELECT p.sku::text, p.product_id, p.product_line::text, p.active_from, p.active_until"
						" FROM channel.product p",
						0, NULL, NULL, NULL, false, 0);
		td = SPI_tuptable->tupdesc;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	t = SPI_tuptable->vals[i];
			char	   *sku = SPI_getvalue(t, td, 1);
			char	   *line = SPI_getvalue(t, td, 3);
			product_entry *e;

			if (sku == NULL || strlen(sku) >= SKU_LEN || line == NULL || strlen(line) >= LINE_LEN)
				continue;		/* the sku domain keeps SKUs within 40 characters */
			e = hash_search(products, sku, HASH_ENTER, NULL);
			e->product_id = int8_col(t, td, 2, 0);
			strlcpy(e->line, line, LINE_LEN);
			e->active.from = day_or_open(t, td, 4);
			e->active.until = day_or_open(t, td, 5);
		}

		channel_spi_run("reading channel.discount_schedule", SPI_OK_SELECT,
						"SELECT s.schedule_id,"
						" pg_catalog.array_position(pg_catalog.enum_range(NULL::channel.partner_tier), s.tier) - 1,"
						" s.product_line::text, s.program_id, (s.discount_pct * 100)::int4, s.valid_from, s.valid_until"
						" FROM channel.discount_schedule s",
						0, NULL, NULL, NULL, false, 0);
		td = SPI_tuptable->tupdesc;
		rules = MemoryContextAlloc(pricing_cxt, sizeof(pricing_rule) * (SPI_processed + 1));
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	t = SPI_tuptable->vals[i];
			pricing_rule *r = &rules[nrules++];

			r->id = int8_col(t, td, 1, 0);
			r->tier = int4_col(t, td, 2, PRICING_ANY);
			r->product_line = text_col(t, td, 3);
			r->program_id = int8_col(t, td, 4, PRICING_ANY);
			r->discount = int4_col(t, td, 5, 0);
			r->period.from = day_or_open(t, td, 6);
			r->period.until = day_or_open(t, td, 7);
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();

	loaded_for_xact = IsolationUsesXactSnapshot();
	loaded_lxid = MyProc->lxid;
	/* valid unless an invalidation arrived while the rows were read */
	pricing_valid = invalidations == pricing_invalidations;
}

static void
ensure_pricing(void)
{
	bool		xact = IsolationUsesXactSnapshot();

	if (!pricing_valid || xact != loaded_for_xact || (xact && loaded_lxid != MyProc->lxid))
		load_pricing();
}

/*
 * The partner's tier and memberships, read at its first pricing and kept;
 * NULL when there is no such partner.  Read while an invalidation arrives,
 * they serve this call only (the copy is read again at the next).
 */
static partner_entry *
partner_of(int64 partner_id)
{
	static partner_entry scratch;
	partner_entry *e;
	bool		found;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	Oid			save_user;
	int			save_sec;
	volatile uint64 n = 0;
	uint64		invalidations = pricing_invalidations;

	e = hash_search(partners, &partner_id, HASH_FIND, &found);
	if (found)
		return e;

	values[0] = Int64GetDatum(partner_id);
	memset(&scratch, 0, sizeof scratch);
	scratch.partner_id = partner_id;
	GetUserIdAndSecContext(&save_user, &save_sec);
	SetUserIdAndSecContext(tables_owner(), save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		channel_spi_connect();
		channel_spi_plan(&partner_plan,
						 "SELECT pg_catalog.array_position(pg_catalog.enum_range(NULL::channel.partner_tier), p.tier) - 1,"
						 " m.program_id, m.joined_on, m.left_on"
						 " FROM channel.partner p LEFT JOIN channel.program_member m ON m.partner_id = p.partner_id"
						 " WHERE p.partner_id = $1 ORDER BY m.joined_on DESC NULLS LAST",
						 1, types);
		n = channel_spi_run_plan("reading a partner's tier", SPI_OK_SELECT, partner_plan, values, NULL, false, 0);
		if (n > 0)
		{
			TupleDesc	td = SPI_tuptable->tupdesc;

			scratch.tier = int4_col(SPI_tuptable->vals[0], td, 1, 0);
			for (uint64 i = 0; i < n && scratch.nmemberships < MAX_MEMBERSHIPS; i++)
			{
				HeapTuple	t = SPI_tuptable->vals[i];
				membership *m = &scratch.memberships[scratch.nmemberships];
				bool		isnull;

				(void) SPI_getbinval(t, td, 2, &isnull);
				if (isnull)
					continue;
				m->program_id = int8_col(t, td, 2, 0);
				m->period.from = day_or_open(t, td, 3);
				m->period.until = day_or_open(t, td, 4);
				scratch.nmemberships++;
			}
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
	if (n == 0)
		return NULL;
	if (invalidations != pricing_invalidations)
		return &scratch;
	e = hash_search(partners, &partner_id, HASH_ENTER, NULL);
	memcpy(e, &scratch, sizeof scratch);
	return e;
}

static int64
program_on(const partner_entry *p, int32 day)
{
	for (int i = 0; i < p->nmemberships; i++)
		if (pricing_in_period(p->memberships[i].period, day))
			return p->memberships[i].program_id;
	return PRICING_ANY;
}

static const product_entry *
product_of(text *sku_text)
{
	char		sku[SKU_LEN];
	int			len = VARSIZE_ANY_EXHDR(sku_text);
	const char *s = VARDATA_ANY(sku_text);
	product_entry *e;

	/* the SKU as the catalogue stores it: upper case, trimmed */
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len > 0 && len < SKU_LEN)
	{
		for (int i = 0; i < len; i++)
			sku[i] = (s[i] >= 'a' && s[i] <= 'z') ? s[i] - 'a' + 'A' : s[i];
		sku[len] = '\0';
		e = hash_search(products, sku, HASH_FIND, NULL);
		if (e)
			return e;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown SKU \"%s\"", text_to_cstring(sku_text)),
			 errhint("SKUs are those of channel.product.")));
	return NULL;
}

static void
not_orderable(const product_entry *p, DateADT day, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("SKU %s is not orderable on %s", p->sku,
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)))),
			 errdetail("%s", why)));
}

/* The index of the price list of currency on day, or an error. */
static int
list_of(text *currency_text, DateADT day)
{
	char	   *currency = text_to_cstring(currency_text);
	int			i = pricing_pick_list(lists, nlists, currency, day);

	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no price list in currency \"%s\" is in force on %s", currency,
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)))),
				 errhint("Quote in a currency with a price list (channel.price_list), or add one.")));
	return i;
}

/* The list price (1/10000 units) of a product in list li, or the not-orderable error. */
static int64
price_in(const product_entry *p, int li, DateADT day)
{
	item_key	key;
	item_entry *e;

	if (!pricing_in_period(p->active, day))
		not_orderable(p, day, p->active.from > day ? "It is not sold yet on that day." : "It is no longer sold on that day.");
	memset(&key, 0, sizeof key);
	key.list_id = lists[li].id;
	key.product_id = p->product_id;
	e = hash_search(items, &key, HASH_FIND, NULL);
	if (e == NULL)
		not_orderable(p, day, psprintf("Price list %lld (%s) has no price for it.", (long long) lists[li].id,
									   lists[li].currency));
	return e->price;
}

/* The partner's scheduled discount (1/100 %) on a product on day; checks the caller may price it. */
static int32
discount_for(int64 partner_id, const product_entry *p, DateADT day)
{
	LOCAL_FCINFO(cp, 0);
	Datum		me;
	partner_entry *pe;
	int			r;

	InitFunctionCallInfoData(*cp, NULL, 0, InvalidOid, NULL, NULL);
	me = channel_current_partner(cp);
	if (!cp->isnull && DatumGetInt64(me) != partner_id)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("a partner sees its own prices only"),
				 errhint("Pass your own partner_id, channel.current_partner().")));
	pe = partner_of(partner_id);
	if (pe == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("partner %lld does not exist", (long long) partner_id)));
	r = pricing_pick_rule(rules, nrules, pe->tier, p->line, program_on(pe, day), day);
	return r < 0 ? 0 : rules[r].discount;
}

Datum
channel_net_price(PG_FUNCTION_ARGS)
{
	int64		partner_id = PG_GETARG_INT64(0);
	text	   *sku = PG_GETARG_TEXT_PP(1);
	DateADT		day = PG_GETARG_DATEADT(2);
	text	   *currency = PG_GETARG_TEXT_PP(3);
	const product_entry *p;
	int			li;
	int64		list;
	int64		net;
	int32		discount;

	ensure_pricing();
	p = product_of(sku);
	li = list_of(currency, day);
	list = price_in(p, li, day);
	discount = discount_for(partner_id, p, day);
	if (!pricing_net(list, discount, list_minor_units[li], &net))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("net price of SKU %s is out of range", p->sku)));
	/* net is a whole number of minor units: shown with the currency's decimals */
	for (int m = list_minor_units[li]; m < 4; m++)
		net /= 10;
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(net, list_minor_units[li]));
}

Datum
channel_list_price(PG_FUNCTION_ARGS)
{
	text	   *sku = PG_GETARG_TEXT_PP(0);
	DateADT		day = PG_GETARG_DATEADT(1);
	text	   *currency = PG_GETARG_TEXT_PP(2);
	const product_entry *p;
	int			li;

	ensure_pricing();
	p = product_of(sku);
	li = list_of(currency, day);
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(price_in(p, li, day), 4));
}

Datum
channel_schedule_discount(PG_FUNCTION_ARGS)
{
	int64		partner_id = PG_GETARG_INT64(0);
	text	   *sku = PG_GETARG_TEXT_PP(1);
	DateADT		day = PG_GETARG_DATEADT(2);
	const product_entry *p;

	ensure_pricing();
	p = product_of(sku);
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(discount_for(partner_id, p, day), 2));
}

/*
 * channel.pricing_changed(): AFTER ... FOR EACH STATEMENT on the watched
 * tables; tells every backend to drop its copy (see above).
 */
Datum
channel_pricing_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("channel.pricing_changed() must be an AFTER ... FOR EACH STATEMENT trigger"),
				 errhint("It is installed on the pricing tables by the extension.")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
