/*
 * routing_load.c -- the candidate loader of a routing call: every partner
 * that could take one of the leads, read once into the Router
 * (routing_router.h).
 *
 * Four queries, in this order: the certifications valid today, the
 * territories x authorized product lines of active resellers (each with
 * the partner's best certification on the line, looked up once), the
 * partners with their load and history, and the product lines.  The
 * territories become the buckets (product line, country) and (product line,
 * region) -> partner indexes the router gathers candidates from.  A call
 * for a few leads (RouterFilter) loads only the partners of their lines,
 * countries and regions.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "channel_spi.h"
#include "routing_router.h"
#include "routing_settings.h"

#define FILTER_MAX_LEADS 1000

/* the query parameters of the loader: $1..$3 the filter, $4 the partner ids */
typedef struct LoadArgs
{
	Oid			types[4];
	Datum		values[4];
	char		nulls[4];
} LoadArgs;

/* the territories found, one entry per (partner, line, country or region) */
typedef struct Territories
{
	uint64		n;
	int64	   *pid;
	int8	   *cert;
	char	  **key;
} Territories;

int64
router_get_int64(HeapTuple t, TupleDesc td, int col, int64 ifnull)
{
	bool		isnull;
	Datum		d = SPI_getbinval(t, td, col, &isnull);

	return isnull ? ifnull : DatumGetInt64(d);
}

void
router_bucket_key(char *key, const char *line, char kind, const char *place)
{
	memset(key, 0, BUCKET_KEY_LEN);
	snprintf(key, BUCKET_KEY_LEN, "%s|%c|%s", line, kind, place);
}

Datum
router_int8_array(int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
text_array(char **v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

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

/* The filter for a few leads (a lead query's result): their lines, countries and regions. */
RouterFilter *
router_filter_for(SPITupleTable *tt, uint64 n)
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

/* certifications valid today: "partner_id|LINE" -> best level */
static void
load_certifications(Router *r, LoadArgs *a)
{
	MemoryContext old;

	channel_spi_run("loading certifications", SPI_OK_SELECT,
					"SELECT c.partner_id, c.product_line::text, max(c.level)::text "
					"FROM channel.certification c "
					"WHERE c.earned_on <= current_date AND c.expires_on > current_date "
					"  AND ($1 IS NULL OR c.product_line = ANY ($1)) "
					"GROUP BY 1, 2",
					1, a->types, a->values, a->nulls, true, 0);
	old = MemoryContextSwitchTo(r->cxt);
	r->certs = make_hash("channel routing certifications", sizeof(CertEntry), r->cxt, false);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char		key[BUCKET_KEY_LEN];
		CertEntry  *c;

		memset(key, 0, sizeof key);
		snprintf(key, sizeof key, INT64_FORMAT "|%s", router_get_int64(t, td, 1, 0), SPI_getvalue(t, td, 2));
		c = hash_search(r->certs, key, HASH_ENTER, NULL);
		c->level = routing_cert_level_of(SPI_getvalue(t, td, 3));
	}
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
}

/* territories x authorized product lines of active resellers */
static void
load_territories(Router *r, LoadArgs *a, Territories *terr)
{
	MemoryContext old;

	channel_spi_run("loading territories", SPI_OK_SELECT,
					"SELECT t.partner_id, pp.product_line::text, t.country IS NOT NULL, "
					"       coalesce(t.country::text, t.region::text) "
					"FROM channel.partner_territory t "
					"JOIN channel.partner_product pp ON pp.partner_id = t.partner_id "
					"JOIN channel.partner p ON p.partner_id = t.partner_id "
					"WHERE p.status = 'active' AND p.kind <> 'distributor' "
					"  AND ($1 IS NULL OR pp.product_line = ANY ($1)) "
					"  AND ($2 IS NULL OR t.country = ANY ($2) OR t.region = ANY ($3))",
					3, a->types, a->values, a->nulls, true, 0);
	old = MemoryContextSwitchTo(r->cxt);
	terr->n = SPI_processed;
	terr->pid = palloc(sizeof(int64) * Max(terr->n, 1));
	terr->key = palloc(sizeof(char *) * Max(terr->n, 1));
	terr->cert = palloc(sizeof(int8) * Max(terr->n, 1));
	for (uint64 i = 0; i < terr->n; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		bool		isnull;
		bool		by_country = DatumGetBool(SPI_getbinval(t, td, 3, &isnull));
		char	   *key = palloc0(BUCKET_KEY_LEN);
		char	   *line = SPI_getvalue(t, td, 2);
		char		ckey[BUCKET_KEY_LEN];
		CertEntry  *c;

		terr->pid[i] = router_get_int64(t, td, 1, 0);
		router_bucket_key(key, line, by_country ? 'c' : 'r', SPI_getvalue(t, td, 4));
		terr->key[i] = key;
		/* the partner's best valid certification on the line, looked up once */
		memset(ckey, 0, sizeof ckey);
		snprintf(ckey, sizeof ckey, INT64_FORMAT "|%s", terr->pid[i], line);
		c = hash_search(r->certs, ckey, HASH_FIND, NULL);
		terr->cert[i] = c ? c->level : -1;
	}
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
}

/* the partners: all active resellers, or (filtered) those of the territories found */
static void
load_partners(Router *r, LoadArgs *a, const Territories *terr, bool filtered)
{
	MemoryContext old;

	if (filtered)
	{
		a->values[3] = router_int8_array(terr->pid, (int) terr->n);
		a->nulls[3] = ' ';
	}
	channel_spi_run("loading partners", SPI_OK_SELECT,
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
					4, a->types, a->values, a->nulls, true, 0);

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

		p->id = router_get_int64(t, td, 1, 0);
		p->tier = routing_tier_of(SPI_getvalue(t, td, 2));
		p->capacity = DatumGetInt32(SPI_getbinval(t, td, 3, &isnull));
		p->open = router_get_int64(t, td, 4, 0);
		p->converted = router_get_int64(t, td, 5, 0);
		p->lost = router_get_int64(t, td, 6, 0);
		p->offered = router_get_int64(t, td, 7, 0);
		p->accepted = router_get_int64(t, td, 8, 0);
		p->last_assigned = router_get_int64(t, td, 9, INT64_MIN);
		p->stamp = -1;
		pe = hash_search(r->by_id, &p->id, HASH_ENTER, &found);
		pe->idx = i;
	}
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
}

/* buckets: (line, country) and (line, region) -> partners; in r->cxt */
static void
build_buckets(Router *r, const Territories *terr)
{
	r->buckets = make_hash("channel routing buckets", sizeof(Bucket), r->cxt, false);
	for (uint64 i = 0; i < terr->n; i++)
	{
		PartnerIdEntry *pe = hash_search(r->by_id, &terr->pid[i], HASH_FIND, NULL);
		int8		cert = terr->cert[i];
		Bucket	   *b;
		bool		found;

		if (pe == NULL)
			continue;
		b = hash_search(r->buckets, terr->key[i], HASH_ENTER, &found);
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
}

/* product lines: code -> certification rule */
static void
load_lines(Router *r)
{
	MemoryContext old;

	channel_spi_run("loading product lines", SPI_OK_SELECT,
					"SELECT code::text, requires_certification, min_cert_level::text FROM channel.product_line",
					0, NULL, NULL, NULL, true, 0);
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
		le->min_level = routing_cert_level_of(SPI_getvalue(t, td, 3));
	}
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
}

/* the per-lead scratch arrays and the result arrays; in r->cxt */
static void
allocate_work(Router *r)
{
	r->cand = palloc(sizeof(RoutingCandidate) * Max(r->npartners, 1));
	r->cand_idx = palloc(sizeof(int) * Max(r->npartners, 1));
	r->cand_country = palloc(sizeof(bool) * Max(r->npartners, 1));
	r->cand_cert = palloc(sizeof(int8) * Max(r->npartners, 1));
	r->cand_base_fit = palloc(sizeof(double) * Max(r->npartners, 1));
	r->cap_routed = r->cap_pooled = 256;
	r->routed_lead = palloc(sizeof(int64) * r->cap_routed);
	r->routed_partner = palloc(sizeof(int64) * r->cap_routed);
	r->routed_hours = palloc(sizeof(double) * r->cap_routed);
	r->routed_reason = palloc(sizeof(char *) * r->cap_routed);
	r->pooled_lead = palloc(sizeof(int64) * r->cap_pooled);
}

/* Loads everything one routing call decides with (filter: NULL for every partner). */
void
router_load(Router *r, const RouterFilter *filter)
{
	LoadArgs	a = {{TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID}, {0}, {'n', 'n', 'n', 'n'}};
	Territories terr;
	MemoryContext old;

	r->cxt = AllocSetContextCreate(CurrentMemoryContext, "channel routing", ALLOCSET_DEFAULT_SIZES);
	r->now_us = (int64) GetCurrentTransactionStartTimestamp();
	r->seq = 0;
	if (filter)
	{
		a.values[0] = filter->lines;
		a.values[1] = filter->countries;
		a.values[2] = filter->regions;
		a.nulls[0] = a.nulls[1] = a.nulls[2] = ' ';
	}
	load_certifications(r, &a);
	load_territories(r, &a, &terr);
	load_partners(r, &a, &terr, filter != NULL);
	old = MemoryContextSwitchTo(r->cxt);
	build_buckets(r, &terr);
	MemoryContextSwitchTo(old);
	load_lines(r);
	old = MemoryContextSwitchTo(r->cxt);
	allocate_work(r);
	MemoryContextSwitchTo(old);
	router_prepare_recount(r);
}

void
router_holder_key(HolderKey *k, int64 end_customer_id, const char *line)
{
	memset(k, 0, sizeof *k);
	k->end_customer_id = end_customer_id;
	strlcpy(k->line, line, sizeof k->line);
}

/*
 * Account holders of the leads' end customers (channel.account_routing),
 * one set-based query for the whole call: per (end customer, product line),
 * the partner of the latest live registration, else of the latest accepted
 * lead, else of the latest sale in 365 days.  The leads being routed are
 * new, rejected, recalled or pooled, so none of them holds itself.
 */
void
router_load_holders(Router *r, SPITupleTable *tt, uint64 n)
{
	int64	   *ecs = palloc(sizeof(int64) * Max(n, 1));
	int			m = 0;
	Oid			types[1] = {INT8ARRAYOID};
	Datum		values[1];
	MemoryContext old;
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof ctl);
	ctl.keysize = sizeof(HolderKey);
	ctl.entrysize = sizeof(HolderEntry);
	ctl.hcxt = r->cxt;
	r->holders = hash_create("channel routing account holders", 256, &ctl, HASH_ELEM | HASH_CONTEXT | HASH_BLOBS);
	if (routing_setting_account_mode() == RA_OFF)
		return;
	for (uint64 i = 0; i < n; i++)
	{
		int64		ec = router_get_int64(tt->vals[i], tt->tupdesc, LEAD_COL_END_CUSTOMER, 0);

		if (ec != 0)
			ecs[m++] = ec;
	}
	if (m == 0)
		return;
	values[0] = router_int8_array(ecs, m);
	channel_spi_run("loading account holders", SPI_OK_SELECT,
					"SELECT DISTINCT ON (h.ec, h.line) h.ec, h.line::text, h.partner_id FROM ("
					"  SELECT d.end_customer_id AS ec, d.product_line AS line, d.partner_id, 1 AS k, d.submitted_at AS at "
					"  FROM channel.deal d "
					"  WHERE d.end_customer_id = ANY ($1) AND d.status IN ('submitted', 'approved') "
					"    AND d.partner_id IS NOT NULL AND (d.protected_until IS NULL OR d.protected_until > now()) "
					"  UNION ALL "
					"  SELECT o.end_customer_id, o.product_line, o.partner_id, 2, o.accepted_at FROM channel.lead o "
					"  WHERE o.end_customer_id = ANY ($1) AND o.status IN ('accepted', 'converted') "
					"  UNION ALL "
					"  SELECT f.end_customer_id, f.product_line, f.seller_id, 3, f.invoice_date::timestamptz "
					"  FROM channel.sell_through f "
					"  WHERE f.end_customer_id = ANY ($1) AND f.invoice_date > current_date - 365) h "
					"ORDER BY h.ec, h.line, h.k, h.at DESC, h.partner_id",
					1, types, values, NULL, true, 0);
	old = MemoryContextSwitchTo(r->cxt);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		HolderKey	k;
		HolderEntry *e;

		router_holder_key(&k, router_get_int64(t, td, 1, 0), SPI_getvalue(t, td, 2));
		e = hash_search(r->holders, &k, HASH_ENTER, NULL);
		e->partner_id = router_get_int64(t, td, 3, 0);
	}
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
}
