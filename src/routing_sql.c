/*
 * routing_sql.c -- SQL wrappers of lead routing (src/core/routing.c).
 *
 *   channel.route_leads(max_leads integer)  vendor: route the new leads
 *   channel.route_lead(lead_id bigint)      vendor: route one lead
 *   channel.reroute_leads(lead_ids bigint[]) internal: route leads that were
 *                                           rejected or recalled (called by
 *                                           reject_lead, recall_overdue_leads)
 *   channel.partner_fit(l, p)               fit of a partner for a lead, 0 if
 *                                           not eligible
 *   channel.partner_ineligibility(l, p)     why a partner is not eligible
 *
 * One routing call loads every candidate partner once (active resellers with
 * their territories x product lines, valid certifications, load and
 * history) into backend memory, then decides each lead there: candidates come
 * from two hash buckets, (product line, country) and (product line,
 * region); the hard rules filter them; routing_choose() picks one.  All
 * decisions are written with two set-based UPDATEs at the end.
 *
 * Concurrency: the leads are locked FOR UPDATE (SKIP LOCKED for
 * route_leads, so two routers split the new leads between them).  Before a
 * partner gets its first lead in a call, the router takes the partner's
 * transaction-level advisory lock without waiting and recounts the
 * partner's open leads (a fresh snapshot in READ COMMITTED): whoever else
 * assigned to that partner has committed by then, and nobody else can until
 * this transaction ends.  A partner locked by another router is skipped for
 * this call; a lead whose only eligible partners are busy stays new.
 * claim_lead() takes the same lock, waiting.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "channel.h"
#include "detrand.h"
#include "routing.h"

PG_FUNCTION_INFO_V1(channel_route_leads);
PG_FUNCTION_INFO_V1(channel_route_lead);
PG_FUNCTION_INFO_V1(channel_reroute_leads);
PG_FUNCTION_INFO_V1(channel_partner_fit);
PG_FUNCTION_INFO_V1(channel_partner_ineligibility);

/* advisory lock space of a partner's capacity: (CHANNEL_LOCK_CLASS, id % INT_MAX) */
#define CHANNEL_LOCK_CLASS 17224

/* ------------------------------------------------------------------ GUCs */

static int	routing_policy = RP_ROUND_ROBIN;
static int	routing_seed = 0;
static char *sla_hours_string = NULL;
static char *lottery_weights_string = NULL;
static char *min_tier_string = NULL;

static const struct config_enum_entry policy_options[] = {
	{"round_robin", RP_ROUND_ROBIN, false},
	{"lottery", RP_LOTTERY, false},
	{NULL, 0, false}
};

typedef struct TierValues
{
	double		v[ROUTING_NTIERS];
} TierValues;

typedef struct BandValues
{
	int			n;
	RoutingBand b[ROUTING_MAX_BANDS];
} BandValues;

static TierValues sla_hours = {{24, 36, 48, 72}};
static TierValues lottery_weights = {{1, 2, 4, 8}};
static BandValues min_tier_bands = {2, {{60, 1}, {85, 2}}};

static bool
check_tier_values(char **newval, void **extra, GucSource source, double maxval)
{
	char		err[256];
	TierValues *tv = (TierValues *) malloc(sizeof(TierValues));

	if (tv == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		GUC_check_errmsg("out of memory");
		return false;
	}
	if (!routing_parse_tier_values(*newval, maxval, tv->v, err, sizeof err))
	{
		GUC_check_errmsg("%s", err);
		GUC_check_errhint("Give every tier once, e.g. 'registered=24, silver=36, gold=48, platinum=72'.");
		free(tv);
		return false;
	}
	*extra = tv;
	return true;
}

static bool
check_sla_hours(char **newval, void **extra, GucSource source)
{
	return check_tier_values(newval, extra, source, 24 * 30);
}

static bool
check_lottery_weights(char **newval, void **extra, GucSource source)
{
	return check_tier_values(newval, extra, source, 1e6);
}

static void
assign_sla_hours(const char *newval, void *extra)
{
	sla_hours = *(TierValues *) extra;
}

static void
assign_lottery_weights(const char *newval, void *extra)
{
	lottery_weights = *(TierValues *) extra;
}

static bool
check_min_tier(char **newval, void **extra, GucSource source)
{
	char		err[256];
	BandValues *bv = (BandValues *) malloc(sizeof(BandValues));

	if (bv == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		GUC_check_errmsg("out of memory");
		return false;
	}
	if (!routing_parse_bands(*newval, bv->b, &bv->n, err, sizeof err))
	{
		GUC_check_errmsg("%s", err);
		GUC_check_errhint("Give score=tier items, e.g. '60=silver, 85=gold', or '' for no minimum.");
		free(bv);
		return false;
	}
	*extra = bv;
	return true;
}

static void
assign_min_tier(const char *newval, void *extra)
{
	min_tier_bands = *(BandValues *) extra;
}

void
channel_init_routing(void)
{
	DefineCustomEnumVariable("channel.routing_policy",
							 "How routing breaks ties between equally fitting partners.",
							 "round_robin: the least recently assigned partner; lottery: a draw weighted by channel.lottery_weights, seeded by channel.routing_seed.",
							 &routing_policy, RP_ROUND_ROBIN, policy_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("channel.routing_seed",
							"Seed of the routing lottery: same seed, same draws.",
							NULL,
							&routing_seed, 0, INT_MIN, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("channel.sla_hours",
							   "Hours a partner has to accept a routed lead, per tier.",
							   "A list such as 'registered=24, silver=36, gold=48, platinum=72'.",
							   &sla_hours_string,
							   "registered=24, silver=36, gold=48, platinum=72",
							   PGC_SUSET, 0, check_sla_hours, assign_sla_hours, NULL);
	DefineCustomStringVariable("channel.lottery_weights",
							   "Weight of each tier in the routing lottery.",
							   "A list such as 'registered=1, silver=2, gold=4, platinum=8'.",
							   &lottery_weights_string,
							   "registered=1, silver=2, gold=4, platinum=8",
							   PGC_SUSET, 0, check_lottery_weights, assign_lottery_weights, NULL);
	DefineCustomStringVariable("channel.min_tier_by_score",
							   "Lowest partner tier per lead score band.",
							   "A list such as '60=silver, 85=gold': leads scoring 60 or more go to silver partners or better.",
							   &min_tier_string,
							   "60=silver, 85=gold",
							   PGC_SUSET, 0, check_min_tier, assign_min_tier, NULL);
}

/* --------------------------------------------------------------- helpers */

static int
tier_of(const char *name)
{
	int			t = routing_tier_from_name(name, strlen(name));

	if (t < 0)
		elog(ERROR, "unknown partner tier \"%s\"", name);
	return t;
}

static int
cert_level_of(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "associate") == 0)
		return 0;
	if (strcmp(name, "professional") == 0)
		return 1;
	if (strcmp(name, "expert") == 0)
		return 2;
	elog(ERROR, "unknown certification level \"%s\"", name);
	return -1;
}

static int64
get_int64(HeapTuple t, TupleDesc td, int col, int64 ifnull)
{
	bool		isnull;
	Datum		d = SPI_getbinval(t, td, col, &isnull);

	return isnull ? ifnull : DatumGetInt64(d);
}

static void
require_vendor(const char *fname)
{
	bool		isnull;
	int			ret = SPI_execute("SELECT channel.current_partner()", true, 1);

	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "channel.current_partner() failed");
	(void) SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function %s", fname),
				 errdetail("Routing leads is a vendor action."),
				 errhint("Partners accept, reject or claim leads with channel.accept_lead(), channel.reject_lead() and channel.claim_lead().")));
}

static void
require_read_committed(const char *fname)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s must run at the READ COMMITTED isolation level", fname),
				 errdetail("Routing recounts each partner's open leads after locking it, which needs a fresh snapshot."),
				 errhint("Run it in a READ COMMITTED transaction (the default).")));
}

/* ------------------------------------------------------ the routing state */

typedef struct Partner
{
	int64		id;
	int			tier;
	long		capacity;
	long		open;
	long		converted;
	long		lost;
	long		offered;
	long		accepted;
	int64		last_assigned;
	int			lock_state;		/* 0 not yet, 1 ours (open recounted), 2 busy */
	int64		stamp;			/* last lead (ordinal) it was gathered for */
	bool		stamp_country;
} Partner;

#define BUCKET_KEY_LEN 48

typedef struct Bucket
{
	char		key[BUCKET_KEY_LEN];	/* "LINE|c|FR" or "LINE|r|EMEA" */
	int			n;
	int			cap;
	int		   *idx;			/* partner indexes */
	int8	   *cert;			/* their best valid certification on the line, -1 none */
} Bucket;

typedef struct CertEntry
{
	char		key[BUCKET_KEY_LEN];	/* "partner_id|LINE" */
	int			level;
} CertEntry;

typedef struct LineEntry
{
	char		key[BUCKET_KEY_LEN];	/* product line code */
	bool		requires_cert;
	int			min_level;
} LineEntry;

typedef struct PartnerIdEntry
{
	int64		id;
	int			idx;
} PartnerIdEntry;

typedef struct Router
{
	MemoryContext cxt;
	Partner    *partners;
	int			npartners;
	HTAB	   *buckets;
	HTAB	   *certs;
	HTAB	   *lines;
	HTAB	   *by_id;
	SPIPlanPtr	recount_plan;
	int64		now_us;
	int64		seq;
	/* results */
	int			nrouted;
	int			cap_routed;
	int64	   *routed_lead;
	int64	   *routed_partner;
	double	   *routed_hours;
	char	  **routed_reason;
	int			npooled;
	int			cap_pooled;
	int64	   *pooled_lead;
	/* scratch */
	RoutingCandidate *cand;
	int		   *cand_idx;
	bool	   *cand_country;
	int8	   *cand_cert;
} Router;

static HTAB *
make_hash(const char *name, Size entrysize, MemoryContext cxt, bool blobs)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = blobs ? sizeof(int64) : BUCKET_KEY_LEN;
	ctl.entrysize = entrysize;
	ctl.hcxt = cxt;
	return hash_create(name, 1024, &ctl,
					   HASH_ELEM | HASH_CONTEXT | (blobs ? HASH_BLOBS : HASH_STRINGS));
}

static void
bucket_key(char *key, const char *line, char kind, const char *place)
{
	memset(key, 0, BUCKET_KEY_LEN);
	snprintf(key, BUCKET_KEY_LEN, "%s|%c|%s", line, kind, place);
}

static Datum
int8_array(int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * A filter for small routing calls (route_lead, reject, recall): only the
 * partners that could take one of the leads are loaded.  NULL arrays = all.
 */
typedef struct RouterFilter
{
	Datum		lines;			/* text[] of product lines */
	Datum		countries;		/* text[] */
	Datum		regions;		/* text[] */
} RouterFilter;

#define FILTER_MAX_LEADS 1000

static Datum
text_array(char **v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static void
router_load(Router *r, const RouterFilter *filter)
{
	int			ret;
	MemoryContext old;
	Oid			types[4] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID};
	Datum		args[4];
	char		nulls[4] = {'n', 'n', 'n', 'n'};
	int64	   *terr_pid;
	int8	   *terr_cert;
	char	  **terr_key;
	uint64		nterr;

	r->cxt = AllocSetContextCreate(CurrentMemoryContext, "channel routing", ALLOCSET_DEFAULT_SIZES);
	r->now_us = (int64) GetCurrentTransactionStartTimestamp();
	r->seq = 0;
	if (filter)
	{
		args[0] = filter->lines;
		args[1] = filter->countries;
		args[2] = filter->regions;
		nulls[0] = nulls[1] = nulls[2] = ' ';
	}

	/* certifications valid today */
	ret = SPI_execute_with_args(
		"SELECT c.partner_id, c.product_line::text, max(c.level)::text "
		"FROM channel.certification c "
		"WHERE c.earned_on <= current_date AND c.expires_on > current_date "
		"  AND ($1 IS NULL OR c.product_line = ANY ($1)) "
		"GROUP BY 1, 2",
		1, types, args, nulls, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "loading certifications failed: %s", SPI_result_code_string(ret));
	old = MemoryContextSwitchTo(r->cxt);
	r->certs = make_hash("channel routing certifications", sizeof(CertEntry), r->cxt, false);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char		key[BUCKET_KEY_LEN];
		CertEntry  *c;

		memset(key, 0, sizeof key);
		snprintf(key, sizeof key, INT64_FORMAT "|%s", get_int64(t, td, 1, 0), SPI_getvalue(t, td, 2));
		c = hash_search(r->certs, key, HASH_ENTER, NULL);
		c->level = cert_level_of(SPI_getvalue(t, td, 3));
	}
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);

	/* territories x authorized product lines of active resellers */
	ret = SPI_execute_with_args(
		"SELECT t.partner_id, pp.product_line::text, t.country IS NOT NULL, "
		"       coalesce(t.country::text, t.region::text) "
		"FROM channel.partner_territory t "
		"JOIN channel.partner_product pp ON pp.partner_id = t.partner_id "
		"JOIN channel.partner p ON p.partner_id = t.partner_id "
		"WHERE p.status = 'active' AND p.kind <> 'distributor' "
		"  AND ($1 IS NULL OR pp.product_line = ANY ($1)) "
		"  AND ($2 IS NULL OR t.country = ANY ($2) OR t.region = ANY ($3))",
		3, types, args, nulls, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "loading territories failed: %s", SPI_result_code_string(ret));
	old = MemoryContextSwitchTo(r->cxt);
	nterr = SPI_processed;
	terr_pid = palloc(sizeof(int64) * Max(nterr, 1));
	terr_key = palloc(sizeof(char *) * Max(nterr, 1));
	terr_cert = palloc(sizeof(int8) * Max(nterr, 1));
	for (uint64 i = 0; i < nterr; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		bool		isnull;
		bool		by_country = DatumGetBool(SPI_getbinval(t, td, 3, &isnull));
		char	   *key = palloc0(BUCKET_KEY_LEN);
		char	   *line = SPI_getvalue(t, td, 2);
		char		ckey[BUCKET_KEY_LEN];
		CertEntry  *c;

		terr_pid[i] = get_int64(t, td, 1, 0);
		bucket_key(key, line, by_country ? 'c' : 'r', SPI_getvalue(t, td, 4));
		terr_key[i] = key;
		/* the partner's best valid certification on the line, looked up once */
		memset(ckey, 0, sizeof ckey);
		snprintf(ckey, sizeof ckey, INT64_FORMAT "|%s", terr_pid[i], line);
		c = hash_search(r->certs, ckey, HASH_FIND, NULL);
		terr_cert[i] = c ? c->level : -1;
	}
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);

	/* the partners: all active resellers, or those of the territories found */
	if (filter)
	{
		int64	   *ids = palloc(sizeof(int64) * Max(nterr, 1));

		for (uint64 i = 0; i < nterr; i++)
			ids[i] = terr_pid[i];
		args[3] = int8_array(ids, (int) nterr);
		nulls[3] = ' ';
	}
	ret = SPI_execute_with_args(
		"SELECT p.partner_id, p.tier::text, p.max_open_leads, "
		"       coalesce(o.open, 0), coalesce(o.converted, 0), coalesce(o.lost, 0), "
		"       coalesce(e.offered, 0), coalesce(e.accepted, 0), "
		"       (extract(epoch FROM e.last_routed - '2000-01-01 00:00+00'::timestamptz) * 1000000)::int8 "
		"FROM channel.partner p "
		"LEFT JOIN (SELECT l.partner_id, "
		"                  count(*) FILTER (WHERE l.status IN ('routed', 'accepted')) AS open, "
		"                  count(*) FILTER (WHERE l.status = 'converted') AS converted, "
		"                  count(*) FILTER (WHERE l.status = 'lost') AS lost "
		"           FROM channel.lead l WHERE l.partner_id IS NOT NULL "
		"             AND ($4 IS NULL OR l.partner_id = ANY ($4)) GROUP BY l.partner_id) o "
		"       ON o.partner_id = p.partner_id "
		"LEFT JOIN (SELECT ev.partner_id, "
		"                  count(*) FILTER (WHERE ev.to_status = 'routed') AS offered, "
		"                  count(*) FILTER (WHERE ev.to_status = 'accepted') AS accepted, "
		"                  max(ev.at) FILTER (WHERE ev.to_status = 'routed') AS last_routed "
		"           FROM channel.lead_event ev WHERE ev.partner_id IS NOT NULL "
		"             AND ($4 IS NULL OR ev.partner_id = ANY ($4)) GROUP BY ev.partner_id) e "
		"       ON e.partner_id = p.partner_id "
		"WHERE p.status = 'active' AND p.kind <> 'distributor' "
		"  AND ($4 IS NULL OR p.partner_id = ANY ($4)) "
		"ORDER BY p.partner_id",
		4, types, args, nulls, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "loading partners failed: %s", SPI_result_code_string(ret));

	old = MemoryContextSwitchTo(r->cxt);
	r->npartners = (int) SPI_processed;
	r->partners = palloc0(sizeof(Partner) * Max(r->npartners, 1));
	r->by_id = make_hash("channel routing partners", sizeof(PartnerIdEntry), r->cxt, true);
	for (int i = 0; i < r->npartners; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		Partner    *p = &r->partners[i];
		bool		isnull;
		bool		found;
		PartnerIdEntry *pe;

		p->id = get_int64(t, td, 1, 0);
		p->tier = tier_of(SPI_getvalue(t, td, 2));
		p->capacity = DatumGetInt32(SPI_getbinval(t, td, 3, &isnull));
		p->open = get_int64(t, td, 4, 0);
		p->converted = get_int64(t, td, 5, 0);
		p->lost = get_int64(t, td, 6, 0);
		p->offered = get_int64(t, td, 7, 0);
		p->accepted = get_int64(t, td, 8, 0);
		p->last_assigned = get_int64(t, td, 9, INT64_MIN);
		p->stamp = -1;
		pe = hash_search(r->by_id, &p->id, HASH_ENTER, &found);
		pe->idx = i;
	}
	SPI_freetuptable(SPI_tuptable);

	/* buckets: (line, country) and (line, region) -> partners */
	r->buckets = make_hash("channel routing buckets", sizeof(Bucket), r->cxt, false);
	for (uint64 i = 0; i < nterr; i++)
	{
		PartnerIdEntry *pe = hash_search(r->by_id, &terr_pid[i], HASH_FIND, NULL);
		int8		cert = terr_cert[i];
		Bucket	   *b;
		bool		found;

		if (pe == NULL)
			continue;
		b = hash_search(r->buckets, terr_key[i], HASH_ENTER, &found);
		if (!found)
		{
			b->n = 0;
			b->cap = 8;
			b->idx = palloc(sizeof(int) * b->cap);
			b->cert = palloc(sizeof(int8) * b->cap);
		}
		if (b->n == b->cap)
		{
			b->cap *= 2;
			b->idx = repalloc(b->idx, sizeof(int) * b->cap);
			b->cert = repalloc(b->cert, sizeof(int8) * b->cap);
		}
		b->cert[b->n] = cert;
		b->idx[b->n++] = pe->idx;
	}
	MemoryContextSwitchTo(old);

	/* product lines */
	ret = SPI_execute("SELECT code::text, requires_certification, min_cert_level::text FROM channel.product_line",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "loading product lines failed: %s", SPI_result_code_string(ret));
	old = MemoryContextSwitchTo(r->cxt);
	r->lines = make_hash("channel routing lines", sizeof(LineEntry), r->cxt, false);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char		key[BUCKET_KEY_LEN];
		bool		isnull;
		LineEntry  *le;

		memset(key, 0, sizeof key);
		strlcpy(key, SPI_getvalue(t, td, 1), sizeof key);
		le = hash_search(r->lines, key, HASH_ENTER, NULL);
		le->requires_cert = DatumGetBool(SPI_getbinval(t, td, 2, &isnull));
		le->min_level = cert_level_of(SPI_getvalue(t, td, 3));
	}
	r->cand = palloc(sizeof(RoutingCandidate) * Max(r->npartners, 1));
	r->cand_idx = palloc(sizeof(int) * Max(r->npartners, 1));
	r->cand_country = palloc(sizeof(bool) * Max(r->npartners, 1));
	r->cand_cert = palloc(sizeof(int8) * Max(r->npartners, 1));
	r->cap_routed = r->cap_pooled = 256;
	r->routed_lead = palloc(sizeof(int64) * r->cap_routed);
	r->routed_partner = palloc(sizeof(int64) * r->cap_routed);
	r->routed_hours = palloc(sizeof(double) * r->cap_routed);
	r->routed_reason = palloc(sizeof(char *) * r->cap_routed);
	r->pooled_lead = palloc(sizeof(int64) * r->cap_pooled);
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);

	{
		Oid			argtypes[1] = {INT8OID};

		r->recount_plan = SPI_prepare(
			"SELECT count(*) FROM channel.lead "
			"WHERE partner_id = $1 AND status IN ('routed', 'accepted')",
			1, argtypes);
		if (r->recount_plan == NULL)
			elog(ERROR, "preparing the capacity recount failed");
	}
}

/* The filter for a few leads: their lines, countries and regions. */
static RouterFilter *
filter_for(SPITupleTable *tt, uint64 n)
{
	RouterFilter *f;
	char	  **lines,
			  **countries,
			  **regions;

	if (n > FILTER_MAX_LEADS)
		return NULL;
	f = palloc(sizeof(RouterFilter));
	lines = palloc(sizeof(char *) * Max(n, 1));
	countries = palloc(sizeof(char *) * Max(n, 1));
	regions = palloc(sizeof(char *) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
	{
		countries[i] = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
		regions[i] = SPI_getvalue(tt->vals[i], tt->tupdesc, 3);
		lines[i] = SPI_getvalue(tt->vals[i], tt->tupdesc, 4);
	}
	f->lines = text_array(lines, (int) n);
	f->countries = text_array(countries, (int) n);
	f->regions = text_array(regions, (int) n);
	return f;
}

/* Take the partner's capacity lock without waiting; recount its open leads. */
static bool
router_lock_partner(Router *r, Partner *p)
{
	Datum		args[1];
	bool		got;
	int			ret;

	if (p->lock_state == 1)
		return true;
	if (p->lock_state == 2)
		return false;
	got = DatumGetBool(DirectFunctionCall2(pg_try_advisory_xact_lock_int4,
										   Int32GetDatum(CHANNEL_LOCK_CLASS),
										   Int32GetDatum((int32) (p->id % INT_MAX))));
	if (!got)
	{
		p->lock_state = 2;
		return false;
	}
	args[0] = Int64GetDatum(p->id);
	ret = SPI_execute_plan(r->recount_plan, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "recounting the open leads of partner " INT64_FORMAT " failed", p->id);
	p->open = get_int64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, 0);
	SPI_freetuptable(SPI_tuptable);
	p->lock_state = 1;
	return true;
}

typedef struct LeadToRoute
{
	int64		lead_id;
	char	   *country;
	char	   *region;
	char	   *line;
	int			score;
	int			nexcluded;
	int64	   *excluded;
	int64		ordinal;
	int64		attempt;		/* transitions of the lead so far (lottery draw index) */
} LeadToRoute;

static void
gather(Router *r, const LeadToRoute *l, char kind, const char *place, int *n)
{
	char		key[BUCKET_KEY_LEN];
	Bucket	   *b;

	bucket_key(key, l->line, kind, place);
	b = hash_search(r->buckets, key, HASH_FIND, NULL);
	if (b == NULL)
		return;
	for (int i = 0; i < b->n; i++)
	{
		Partner    *p = &r->partners[b->idx[i]];

		if (p->stamp == l->ordinal)
		{
			if (kind == 'c')
				p->stamp_country = true;
			continue;
		}
		p->stamp = l->ordinal;
		p->stamp_country = (kind == 'c');
		r->cand_cert[*n] = b->cert[i];
		r->cand_idx[(*n)++] = b->idx[i];
	}
}

/*
 * Decide one lead.  Returns the partner index, -1 for the pool, -2 when the
 * only eligible partners are locked by another router (leave the lead).
 */
static int
router_decide(Router *r, const LeadToRoute *l, double *fit_out)
{
	int			ngathered = 0;
	int			nc = 0;
	bool		busy = false;
	LineEntry  *line;
	char		key[BUCKET_KEY_LEN];
	int			min_tier = routing_min_tier(min_tier_bands.b, min_tier_bands.n, l->score);

	memset(key, 0, sizeof key);
	strlcpy(key, l->line, sizeof key);
	line = hash_search(r->lines, key, HASH_FIND, NULL);

	gather(r, l, 'c', l->country, &ngathered);
	gather(r, l, 'r', l->region, &ngathered);

	for (int i = 0; i < ngathered; i++)
	{
		Partner    *p = &r->partners[r->cand_idx[i]];
		RoutingEligibilityInput e = {0};
		RoutingFitInput f = {0};
		bool		excluded = false;

		for (int k = 0; k < l->nexcluded; k++)
			if (l->excluded[k] == p->id)
				excluded = true;

		e.active = e.covers = e.authorized = true;
		e.requires_cert = line ? line->requires_cert : false;
		e.min_cert_level = line ? line->min_level : 0;
		e.cert_level = r->cand_cert[i];
		e.tier = p->tier;
		e.min_tier = min_tier;
		e.open = p->open;
		e.capacity = p->capacity;
		e.excluded = excluded;
		if (routing_ineligible_reason(&e) != NULL)
			continue;
		if (p->lock_state == 2)
		{
			busy = true;
			continue;
		}
		f.country_match = p->stamp_country;
		f.tier = p->tier;
		f.cert_level = e.cert_level;
		f.converted = p->converted;
		f.lost = p->lost;
		f.offered = p->offered;
		f.accepted = p->accepted;
		f.open = p->open;
		f.capacity = p->capacity;
		r->cand[nc].partner_id = p->id;
		r->cand[nc].tier = p->tier;
		r->cand[nc].fit = routing_fit(&f);
		r->cand[nc].last_assigned = p->last_assigned;
		r->cand_idx[nc] = r->cand_idx[i];	/* nc <= i: compaction in place */
		nc++;
	}

	for (;;)
	{
		double		u = detrand_unit(routing_seed, l->lead_id, l->attempt);
		int			k = routing_choose(r->cand, nc, (RoutingPolicy) routing_policy,
									   lottery_weights.v, u);
		Partner    *p;

		if (k < 0)
			return busy ? -2 : -1;
		p = &r->partners[r->cand_idx[k]];
		if (router_lock_partner(r, p) && p->open < p->capacity)
		{
			*fit_out = r->cand[k].fit;
			return r->cand_idx[k];
		}
		if (p->lock_state == 2)
			busy = true;
		/* drop it and choose again */
		r->cand[k] = r->cand[nc - 1];
		r->cand_idx[k] = r->cand_idx[nc - 1];
		nc--;
	}
}

static void
router_record(Router *r, const LeadToRoute *l, int pidx, double fit)
{
	MemoryContext old = MemoryContextSwitchTo(r->cxt);

	if (pidx >= 0)
	{
		Partner    *p = &r->partners[pidx];

		if (r->nrouted == r->cap_routed)
		{
			r->cap_routed *= 2;
			r->routed_lead = repalloc(r->routed_lead, sizeof(int64) * r->cap_routed);
			r->routed_partner = repalloc(r->routed_partner, sizeof(int64) * r->cap_routed);
			r->routed_hours = repalloc(r->routed_hours, sizeof(double) * r->cap_routed);
			r->routed_reason = repalloc(r->routed_reason, sizeof(char *) * r->cap_routed);
		}
		r->routed_lead[r->nrouted] = l->lead_id;
		r->routed_partner[r->nrouted] = p->id;
		r->routed_hours[r->nrouted] = sla_hours.v[p->tier];
		r->routed_reason[r->nrouted] = psprintf("fit %.3f, %s", fit,
												routing_policy == RP_LOTTERY ? "lottery" : "round_robin");
		r->nrouted++;
		p->open++;
		p->offered++;
		p->last_assigned = r->now_us + (++r->seq);
	}
	else
	{
		if (r->npooled == r->cap_pooled)
		{
			r->cap_pooled *= 2;
			r->pooled_lead = repalloc(r->pooled_lead, sizeof(int64) * r->cap_pooled);
		}
		r->pooled_lead[r->npooled++] = l->lead_id;
	}
	MemoryContextSwitchTo(old);
}

/* Route every lead of the SPI result of a lead query (see lead_query()). */
static void
router_route_all(Router *r, SPITupleTable *tt, uint64 ntuples)
{
	for (uint64 i = 0; i < ntuples; i++)
	{
		HeapTuple	t = tt->vals[i];
		TupleDesc	td = tt->tupdesc;
		LeadToRoute l;
		bool		isnull;
		Datum		ex;
		double		fit = 0;
		int			pidx;

		CHECK_FOR_INTERRUPTS();
		l.lead_id = get_int64(t, td, 1, 0);
		l.country = SPI_getvalue(t, td, 2);
		l.region = SPI_getvalue(t, td, 3);
		l.line = SPI_getvalue(t, td, 4);
		l.score = (int) get_int64(t, td, 5, 0);
		l.attempt = get_int64(t, td, 7, 0);
		l.ordinal = (int64) i;
		l.nexcluded = 0;
		l.excluded = NULL;
		ex = SPI_getbinval(t, td, 6, &isnull);
		if (!isnull)
		{
			ArrayType  *arr = DatumGetArrayTypeP(ex);
			int			nitems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));

			if (nitems > 0)
			{
				Datum	   *elems;
				bool	   *nulls;

				deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
								  &elems, &nulls, &l.nexcluded);
				l.excluded = palloc(sizeof(int64) * l.nexcluded);
				for (int k = 0; k < l.nexcluded; k++)
					l.excluded[k] = nulls[k] ? 0 : DatumGetInt64(elems[k]);
			}
		}
		pidx = router_decide(r, &l, &fit);
		if (pidx != -2)
			router_record(r, &l, pidx, fit);
		pfree(l.country);
		pfree(l.region);
		pfree(l.line);
		if (l.excluded)
			pfree(l.excluded);
	}
}

/* Write the decisions: two set-based UPDATEs. */
static void
router_write(Router *r)
{
	int			ret;

	if (r->nrouted > 0)
	{
		Oid			types[4] = {INT8ARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID, TEXTARRAYOID};
		Datum		args[4];
		Datum	   *h = palloc(sizeof(Datum) * r->nrouted);
		Datum	   *why = palloc(sizeof(Datum) * r->nrouted);

		for (int i = 0; i < r->nrouted; i++)
		{
			h[i] = Float8GetDatum(r->routed_hours[i]);
			why[i] = CStringGetTextDatum(r->routed_reason[i]);
		}
		args[0] = int8_array(r->routed_lead, r->nrouted);
		args[1] = int8_array(r->routed_partner, r->nrouted);
		args[2] = PointerGetDatum(construct_array(h, r->nrouted, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		args[3] = PointerGetDatum(construct_array(why, r->nrouted, TEXTOID, -1, false, TYPALIGN_INT));
		ret = SPI_execute_with_args(
			"UPDATE channel.lead l SET status = 'routed', partner_id = v.partner_id, "
			"       routed_at = now(), accept_by = now() + make_interval(secs => v.hours * 3600), "
			"       accepted_at = NULL, status_reason = v.why "
			"FROM unnest($1, $2, $3, $4) AS v(lead_id, partner_id, hours, why) "
			"WHERE l.lead_id = v.lead_id",
			4, types, args, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "writing routed leads failed: %s", SPI_result_code_string(ret));
	}
	if (r->npooled > 0)
	{
		Oid			types[1] = {INT8ARRAYOID};
		Datum		args[1];

		args[0] = int8_array(r->pooled_lead, r->npooled);
		ret = SPI_execute_with_args(
			"UPDATE channel.lead l SET status = 'pooled', partner_id = NULL, routed_at = NULL, "
			"       accept_by = NULL, accepted_at = NULL, status_reason = 'no_eligible_partner' "
			"WHERE l.lead_id = ANY ($1)",
			1, types, args, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "writing pooled leads failed: %s", SPI_result_code_string(ret));
	}
}

/* The lead columns the router reads; $1 is the selection parameter. */
#define LEAD_COLUMNS \
	"SELECT l.lead_id, l.country::text, l.region::text, l.product_line::text, coalesce(l.score, 0), " \
	"       ARRAY(SELECT e.partner_id FROM channel.lead_event e " \
	"             WHERE e.lead_id = l.lead_id AND e.to_status IN ('rejected', 'recalled') " \
	"               AND e.partner_id IS NOT NULL), " \
	"       (SELECT count(*) FROM channel.lead_event e WHERE e.lead_id = l.lead_id), " \
	"       l.status::text " \
	"FROM channel.lead l "

/* Return (lead_id, partner_id) rows of the decisions as a set. */
static void
router_return(FunctionCallInfo fcinfo, Router *r)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	for (int i = 0; i < r->nrouted; i++)
	{
		Datum		values[2] = {Int64GetDatum(r->routed_lead[i]), Int64GetDatum(r->routed_partner[i])};
		bool		nulls[2] = {false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (int i = 0; i < r->npooled; i++)
	{
		Datum		values[2] = {Int64GetDatum(r->pooled_lead[i]), (Datum) 0};
		bool		nulls[2] = {false, true};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

static void
run_router(FunctionCallInfo fcinfo, const char *query, int nargs, Oid *types, Datum *args, char *argnulls)
{
	Router		r;
	int			ret;
	SPITupleTable *leads;
	uint64		nleads;

	memset(&r, 0, sizeof r);
	ret = SPI_execute_with_args(query, nargs, types, args, argnulls, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "selecting leads to route failed: %s", SPI_result_code_string(ret));
	leads = SPI_tuptable;
	nleads = SPI_processed;
	if (nleads > 0)
	{
		router_load(&r, filter_for(leads, nleads));
		router_route_all(&r, leads, nleads);
		router_write(&r);
		router_return(fcinfo, &r);
	}
}

Datum
channel_route_leads(PG_FUNCTION_ARGS)
{
	Oid			types[1] = {INT8OID};
	Datum		args[1];
	char		nulls[1] = {' '};

	InitMaterializedSRF(fcinfo, 0);
	if (!PG_ARGISNULL(0) && PG_GETARG_INT32(0) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_leads must not be negative"),
				 errdetail("Got %d.", PG_GETARG_INT32(0)),
				 errhint("Pass NULL (the default) to route every new lead.")));
	args[0] = Int64GetDatum(PG_ARGISNULL(0) ? 0 : (int64) PG_GETARG_INT32(0));
	if (PG_ARGISNULL(0))
		nulls[0] = 'n';
	require_read_committed("route_leads");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	require_vendor("route_leads");
	run_router(fcinfo,
			   LEAD_COLUMNS "WHERE l.status = 'new' ORDER BY l.lead_id LIMIT $1 FOR UPDATE OF l SKIP LOCKED",
			   1, types, args, nulls);
	SPI_finish();
	return (Datum) 0;
}

Datum
channel_reroute_leads(PG_FUNCTION_ARGS)
{
	Oid			types[1] = {INT8ARRAYOID};
	Datum		args[1];

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	args[0] = PG_GETARG_DATUM(0);
	require_read_committed("reroute_leads");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	run_router(fcinfo,
			   LEAD_COLUMNS "WHERE l.lead_id = ANY ($1) AND l.status IN ('new', 'rejected', 'recalled', 'pooled') "
			   "ORDER BY l.lead_id FOR UPDATE OF l",
			   1, types, args, NULL);
	SPI_finish();
	return (Datum) 0;
}

Datum
channel_route_lead(PG_FUNCTION_ARGS)
{
	int64		lead_id;
	Oid			types[1] = {INT8OID};
	Datum		args[1];
	int			ret;
	char	   *status;
	Router		r;
	SPITupleTable *tt;
	Datum		result = (Datum) 0;
	bool		result_null = true;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("lead_id must not be NULL"),
				 errhint("Pass the id of a new, rejected, recalled or pooled lead.")));
	lead_id = PG_GETARG_INT64(0);
	require_read_committed("route_lead");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	require_vendor("route_lead");
	args[0] = Int64GetDatum(lead_id);
	ret = SPI_execute_with_args(LEAD_COLUMNS "WHERE l.lead_id = $1 FOR UPDATE OF l",
								1, types, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "selecting the lead failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("lead " INT64_FORMAT " does not exist", lead_id),
				 errhint("Route leads listed in channel.lead.")));
	tt = SPI_tuptable;
	status = SPI_getvalue(tt->vals[0], tt->tupdesc, 8);
	if (strcmp(status, "new") != 0 && strcmp(status, "rejected") != 0 &&
		strcmp(status, "recalled") != 0 && strcmp(status, "pooled") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("lead " INT64_FORMAT " cannot be routed", lead_id),
				 errdetail("The lead is %s; only new, rejected, recalled and pooled leads are routed.", status),
				 errhint("A routed lead is recalled with channel.recall_overdue_leads() once its SLA expires.")));
	memset(&r, 0, sizeof r);
	router_load(&r, filter_for(tt, 1));
	router_route_all(&r, tt, 1);
	if (r.nrouted == 0 && r.npooled == 0)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("every partner eligible for lead " INT64_FORMAT " is being routed to by another transaction", lead_id),
				 errhint("Retry when the other routing transaction has ended.")));
	router_write(&r);
	if (r.nrouted == 1)
	{
		result = Int64GetDatum(r.routed_partner[0]);
		result_null = false;
	}
	SPI_finish();
	if (result_null)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/* ----------------------------------------------- partner_fit / eligibility */

static Datum
row_attr(HeapTupleHeader th, const char *name, bool *isnull)
{
	return GetAttributeByName(th, name, isnull);
}

static char *
row_text(HeapTupleHeader th, const char *name)
{
	bool		isnull;
	Datum		d = row_attr(th, name, &isnull);
	Oid			typoid;
	Oid			outfn;
	bool		varlena;
	TupleDesc	td;
	int			attno = -1;

	if (isnull)
		return NULL;
	td = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th), HeapTupleHeaderGetTypMod(th));
	for (int i = 0; i < td->natts; i++)
		if (strcmp(NameStr(TupleDescAttr(td, i)->attname), name) == 0)
			attno = i;
	typoid = TupleDescAttr(td, attno)->atttypid;
	ReleaseTupleDesc(td);
	getTypeOutputInfo(typoid, &outfn, &varlena);
	return OidOutputFunctionCall(outfn, d);
}

/* Fill the eligibility and fit inputs of partner p for lead l. */
static void
pair_inputs(HeapTupleHeader l, HeapTupleHeader p, RoutingEligibilityInput *e, RoutingFitInput *f)
{
	bool		isnull;
	int64		pid = DatumGetInt64(row_attr(p, "partner_id", &isnull));
	int64		lid;
	bool		lid_null;
	char	   *status = row_text(p, "status");
	char	   *kind = row_text(p, "kind");
	char	   *tier = row_text(p, "tier");
	char	   *line = row_text(l, "product_line");
	char	   *country = row_text(l, "country");
	char	   *region = row_text(l, "region");
	Datum		score = row_attr(l, "score", &isnull);
	int			iscore = isnull ? 0 : DatumGetInt32(score);
	Datum		cap = row_attr(p, "max_open_leads", &isnull);
	Oid			types[5] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	int			ret;
	HeapTuple	t;
	TupleDesc	td;

	lid = DatumGetInt64(row_attr(l, "lead_id", &lid_null));
	args[0] = Int64GetDatum(pid);
	args[1] = Int64GetDatum(lid_null ? 0 : lid);
	if (lid_null)
		nulls[1] = 'n';
	args[2] = CStringGetTextDatum(line ? line : "");
	args[3] = CStringGetTextDatum(country ? country : "");
	args[4] = CStringGetTextDatum(region ? region : "");
	ret = SPI_execute_with_args(
		"SELECT EXISTS (SELECT 1 FROM channel.partner_territory t WHERE t.partner_id = $1 AND t.country = $4), "
		"       EXISTS (SELECT 1 FROM channel.partner_territory t WHERE t.partner_id = $1 AND t.region = $5), "
		"       EXISTS (SELECT 1 FROM channel.partner_product x WHERE x.partner_id = $1 AND x.product_line = $3), "
		"       coalesce((SELECT pl.requires_certification FROM channel.product_line pl WHERE pl.code = $3), false), "
		"       (SELECT pl.min_cert_level::text FROM channel.product_line pl WHERE pl.code = $3), "
		"       (SELECT max(c.level)::text FROM channel.certification c WHERE c.partner_id = $1 "
		"          AND c.product_line = $3 AND c.earned_on <= current_date AND c.expires_on > current_date), "
		"       (SELECT count(*) FROM channel.lead x WHERE x.partner_id = $1 AND x.status IN ('routed', 'accepted')), "
		"       (SELECT count(*) FROM channel.lead x WHERE x.partner_id = $1 AND x.status = 'converted'), "
		"       (SELECT count(*) FROM channel.lead x WHERE x.partner_id = $1 AND x.status = 'lost'), "
		"       (SELECT count(*) FROM channel.lead_event ev WHERE ev.partner_id = $1 AND ev.to_status = 'routed'), "
		"       (SELECT count(*) FROM channel.lead_event ev WHERE ev.partner_id = $1 AND ev.to_status = 'accepted'), "
		"       EXISTS (SELECT 1 FROM channel.lead_event ev WHERE ev.lead_id = $2 AND ev.partner_id = $1 "
		"                 AND ev.to_status IN ('rejected', 'recalled'))",
		5, types, args, nulls, true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading partner facts failed: %s", SPI_result_code_string(ret));
	t = SPI_tuptable->vals[0];
	td = SPI_tuptable->tupdesc;

	memset(e, 0, sizeof *e);
	memset(f, 0, sizeof *f);
	e->active = status && strcmp(status, "active") == 0 && kind && strcmp(kind, "distributor") != 0;
	f->country_match = DatumGetBool(SPI_getbinval(t, td, 1, &isnull));
	e->covers = f->country_match || DatumGetBool(SPI_getbinval(t, td, 2, &isnull));
	e->authorized = DatumGetBool(SPI_getbinval(t, td, 3, &isnull));
	e->requires_cert = DatumGetBool(SPI_getbinval(t, td, 4, &isnull));
	e->min_cert_level = cert_level_of(SPI_getvalue(t, td, 5));
	e->cert_level = cert_level_of(SPI_getvalue(t, td, 6));
	e->tier = tier ? tier_of(tier) : 0;
	e->min_tier = routing_min_tier(min_tier_bands.b, min_tier_bands.n, iscore);
	e->open = get_int64(t, td, 7, 0);
	e->capacity = DatumGetInt32(cap);
	e->excluded = DatumGetBool(SPI_getbinval(t, td, 12, &isnull));
	f->tier = e->tier;
	f->cert_level = e->cert_level;
	f->open = e->open;
	f->capacity = e->capacity;
	f->converted = get_int64(t, td, 8, 0);
	f->lost = get_int64(t, td, 9, 0);
	f->offered = get_int64(t, td, 10, 0);
	f->accepted = get_int64(t, td, 11, 0);
}

Datum
channel_partner_fit(PG_FUNCTION_ARGS)
{
	HeapTupleHeader l = PG_GETARG_HEAPTUPLEHEADER(0);
	HeapTupleHeader p = PG_GETARG_HEAPTUPLEHEADER(1);
	RoutingEligibilityInput e;
	RoutingFitInput f;
	double		fit = 0.0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pair_inputs(l, p, &e, &f);
	if (routing_ineligible_reason(&e) == NULL)
		fit = routing_fit(&f);
	SPI_finish();
	PG_RETURN_FLOAT4((float4) fit);
}

Datum
channel_partner_ineligibility(PG_FUNCTION_ARGS)
{
	HeapTupleHeader l = PG_GETARG_HEAPTUPLEHEADER(0);
	HeapTupleHeader p = PG_GETARG_HEAPTUPLEHEADER(1);
	RoutingEligibilityInput e;
	RoutingFitInput f;
	const char *why;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pair_inputs(l, p, &e, &f);
	SPI_finish();
	why = routing_ineligible_reason(&e);
	if (why == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(why));
}
