/*
 * routing_router.h -- the state of one routing call, shared by the rooms
 * that build it (routing_load.c), decide with it (routing_decide.c) and
 * write its decisions (routing_write.c); routing_sql.c drives them.
 *
 * One call loads every candidate partner once into a memory context of its
 * own: the partners (by index, and by id through a hash), the buckets
 * (product line, country) and (product line, region) -> partner indexes,
 * the valid certifications and the product lines' certification rules.
 * Each lead is decided there; the decisions accumulate in the result
 * arrays and are written by two set-based UPDATEs at the end.
 */
#ifndef ROUTING_ROUTER_H
#define ROUTING_ROUTER_H

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/hsearch.h"

#include "routing.h"

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
	int			lock_state;		/* PARTNER_UNLOCKED, _LOCKED (ours, open recounted) or _BUSY */
	int64		stamp;			/* last lead (ordinal) it was gathered for */
	bool		stamp_country;
} Partner;

/* lock_state: not asked yet, held by this call, held by another router */
#define PARTNER_UNLOCKED 0
#define PARTNER_LOCKED 1
#define PARTNER_BUSY 2

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
	double	   *cand_base_fit;	/* routing_fit of cand[i], before the account rank */
	HTAB	   *holders;		/* (end customer, line) -> the partner holding it */
} Router;

typedef struct HolderKey
{
	int64		end_customer_id;
	char		line[BUCKET_KEY_LEN];
} HolderKey;

typedef struct HolderEntry
{
	HolderKey	key;
	int64		partner_id;
} HolderEntry;

/*
 * A filter for small routing calls (route_lead, reject, recall): only the
 * partners that could take one of the leads are loaded.  NULL = all.
 */
typedef struct RouterFilter
{
	Datum		lines;			/* text[] of product lines */
	Datum		countries;		/* text[] */
	Datum		regions;		/* text[] */
} RouterFilter;

/*
 * The lead columns the router reads, in this order (the SPI result of a
 * lead query): $1 is the selection parameter of the query that follows.
 *
 * The partners that rejected or recalled a lead are looked up per lead, by
 * lead_event_lead_idx.  The NULLs are removed from the array afterwards
 * instead of by "partner_id IS NOT NULL" in the subquery: that condition
 * made the partial index lead_event_partner_idx (partner_id, to_status)
 * usable too, and with statistics taken part-way through a bulk load the
 * planner combined the two in a bitmap AND that scanned the whole partner
 * index for every lead (route_leads() over 200,000 leads: more than ten
 * minutes instead of half a minute).
 */
#define LEAD_COLUMNS \
	"SELECT l.lead_id, l.country::text, l.region::text, l.product_line::text, coalesce(l.score, 0), " \
	"       pg_catalog.array_remove(ARRAY(SELECT e.partner_id FROM channel.lead_event e " \
	"                                     WHERE e.lead_id = l.lead_id AND e.to_status IN ('rejected', 'recalled')), " \
	"                               NULL), " \
	"       (SELECT count(*) FROM channel.lead_event e WHERE e.lead_id = l.lead_id), " \
	"       l.status::text, l.end_customer_id " \
	"FROM channel.lead l "
#define LEAD_COL_STATUS 8
#define LEAD_COL_END_CUSTOMER 9

/* routing_load.c */
RouterFilter *router_filter_for(SPITupleTable *tt, uint64 n);
void		router_load(Router *r, const RouterFilter *filter);
void		router_load_holders(Router *r, SPITupleTable *tt, uint64 n);
void		router_holder_key(HolderKey *k, int64 end_customer_id, const char *line);
void		router_bucket_key(char *key, const char *line, char kind, const char *place);
int64		router_get_int64(HeapTuple t, TupleDesc td, int col, int64 ifnull);
Datum		router_int8_array(int64 *v, int n);

/* routing_decide.c */
void		router_route_all(Router *r, SPITupleTable *tt, uint64 ntuples);

/* routing_write.c */
void		router_prepare_recount(Router *r);
bool		router_lock_partner(Router *r, Partner *p);
void		router_write(Router *r);
void		router_return(FunctionCallInfo fcinfo, Router *r);

#endif
