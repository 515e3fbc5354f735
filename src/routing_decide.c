/*
 * routing_decide.c -- deciding each lead of a routing call in memory.
 *
 * For one lead: gather the partners of its (line, country) and (line,
 * region) buckets (a partner in both counts once, as a country match),
 * drop those the hard rules exclude (src/core/routing.c,
 * routing_ineligible_reason), score the rest (routing_fit) and let
 * routing_choose() pick one by channel.routing_policy.  The pick is only
 * final once its capacity lock is taken and its open leads recounted
 * (routing_write.c); a partner locked by another router is dropped and the
 * choice made again.  Decisions are recorded in the Router's result
 * arrays; routing_write.c writes them.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "detrand.h"
#include "routing_router.h"
#include "routing_settings.h"

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
	int64		holder;			/* partner holding its end customer, 0 none */
} LeadToRoute;

static void
gather(Router *r, const LeadToRoute *l, char kind, const char *place, int *n)
{
	char		key[BUCKET_KEY_LEN];
	Bucket	   *b;

	router_bucket_key(key, l->line, kind, place);
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
 * Keep the gathered partners the hard rules allow, with their fit, in
 * r->cand[0..nc) (r->cand_idx compacted alongside); *busy when one was
 * left out only because another router holds it.
 */
static int
eligible_candidates(Router *r, const LeadToRoute *l, int ngathered, bool *busy)
{
	LineEntry  *line;
	char		key[BUCKET_KEY_LEN];
	int			min_tier = routing_setting_min_tier(l->score);
	RoutingAccountMode mode = routing_setting_account_mode();
	double		bonus = routing_setting_account_bonus();
	int			nc = 0;

	memset(key, 0, sizeof key);
	strlcpy(key, l->line, sizeof key);
	line = hash_search(r->lines, key, HASH_FIND, NULL);

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
		if (p->lock_state == PARTNER_BUSY)
		{
			*busy = true;
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
		r->cand_base_fit[nc] = routing_fit(&f);
		r->cand[nc].fit = routing_account_rank(r->cand_base_fit[nc], l->holder != 0 && p->id == l->holder,
											   mode, bonus);
		r->cand[nc].last_assigned = p->last_assigned;
		r->cand_idx[nc] = r->cand_idx[i];	/* nc <= i: compaction in place */
		nc++;
	}
	return nc;
}

/*
 * Decide one lead.  Returns the partner index, -1 for the pool, -2 when the
 * only eligible partners are locked by another router (leave the lead).
 */
static int
router_decide(Router *r, const LeadToRoute *l, double *fit_out)
{
	int			ngathered = 0;
	int			nc;
	bool		busy = false;

	gather(r, l, 'c', l->country, &ngathered);
	gather(r, l, 'r', l->region, &ngathered);
	nc = eligible_candidates(r, l, ngathered, &busy);

	for (;;)
	{
		double		u = detrand_unit(routing_setting_seed(), l->lead_id, l->attempt);
		int			k = routing_choose(r->cand, nc, routing_setting_policy(),
									   routing_setting_lottery_weights(), u);
		Partner    *p;

		if (k < 0)
			return busy ? -2 : -1;
		p = &r->partners[r->cand_idx[k]];
		if (router_lock_partner(r, p) && p->open < p->capacity)
		{
			*fit_out = r->cand_base_fit[k];
			return r->cand_idx[k];
		}
		if (p->lock_state == PARTNER_BUSY)
			busy = true;
		/* drop it and choose again */
		r->cand[k] = r->cand[nc - 1];
		r->cand_idx[k] = r->cand_idx[nc - 1];
		r->cand_base_fit[k] = r->cand_base_fit[nc - 1];
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
		r->routed_hours[r->nrouted] = routing_setting_sla_hours(p->tier);
		if (l->holder != 0 && p->id == l->holder && routing_setting_account_mode() != RA_OFF)
			r->routed_reason[r->nrouted] =
				routing_setting_account_mode() == RA_REQUIRE
				? psprintf("fit %.3f, account holder (require), %s", fit,
						   routing_setting_policy() == RP_LOTTERY ? "lottery" : "round_robin")
				: psprintf("fit %.3f, account holder (prefer +%.3f), %s", fit, routing_setting_account_bonus(),
						   routing_setting_policy() == RP_LOTTERY ? "lottery" : "round_robin");
		else
			r->routed_reason[r->nrouted] = psprintf("fit %.3f, %s", fit,
													routing_setting_policy() == RP_LOTTERY ? "lottery" : "round_robin");
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

/* Row i of a lead query's result (LEAD_COLUMNS) as a LeadToRoute. */
static void
read_lead(Router *r, LeadToRoute *l, HeapTuple t, TupleDesc td, uint64 i)
{
	bool		isnull;
	Datum		ex;

	l->lead_id = router_get_int64(t, td, 1, 0);
	l->country = SPI_getvalue(t, td, 2);
	l->region = SPI_getvalue(t, td, 3);
	l->line = SPI_getvalue(t, td, 4);
	l->score = (int) router_get_int64(t, td, 5, 0);
	l->attempt = router_get_int64(t, td, 7, 0);
	l->holder = 0;
	{
		int64		ec = router_get_int64(t, td, LEAD_COL_END_CUSTOMER, 0);

		if (ec != 0 && r->holders != NULL)
		{
			HolderKey	k;
			HolderEntry *e;

			router_holder_key(&k, ec, l->line);
			e = hash_search(r->holders, &k, HASH_FIND, NULL);
			if (e != NULL)
				l->holder = e->partner_id;
		}
	}
	l->ordinal = (int64) i;
	l->nexcluded = 0;
	l->excluded = NULL;
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
							  &elems, &nulls, &l->nexcluded);
			l->excluded = palloc(sizeof(int64) * l->nexcluded);
			for (int k = 0; k < l->nexcluded; k++)
				l->excluded[k] = nulls[k] ? 0 : DatumGetInt64(elems[k]);
		}
	}
}

/* Route every lead of the SPI result of a lead query (LEAD_COLUMNS). */
void
router_route_all(Router *r, SPITupleTable *tt, uint64 ntuples)
{
	for (uint64 i = 0; i < ntuples; i++)
	{
		LeadToRoute l;
		double		fit = 0;
		int			pidx;

		CHECK_FOR_INTERRUPTS();
		read_lead(r, &l, tt->vals[i], tt->tupdesc, i);
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
