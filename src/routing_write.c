/*
 * routing_write.c -- what a routing call writes, and the lock that makes it
 * safe.
 *
 * Before a partner gets its first lead in a call, the router takes the
 * partner's transaction-level advisory lock without waiting and recounts
 * the partner's open leads (a fresh snapshot in READ COMMITTED): whoever
 * else assigned to that partner has committed by then, and nobody else can
 * until this transaction ends.  A partner locked by another router is
 * skipped for this call.  claim_lead() takes the same lock, waiting.
 *
 * The decisions are written with two set-based UPDATEs (routed, pooled)
 * and returned as (lead_id, partner_id) rows.
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "channel_spi.h"
#include "routing_router.h"

/* advisory lock space of a partner's capacity: (CHANNEL_LOCK_CLASS, id % INT_MAX) */
#define CHANNEL_LOCK_CLASS 17224

/* The recount of one partner's open leads, prepared once per routing call. */
void
router_prepare_recount(Router *r)
{
	Oid			argtypes[1] = {INT8OID};

	r->recount_plan = SPI_prepare("SELECT count(*) FROM channel.lead "
								  "WHERE partner_id = $1 AND status IN ('routed', 'accepted')",
								  1, argtypes);
	if (r->recount_plan == NULL)
		elog(ERROR, "preparing the capacity recount failed");
}

/* Take the partner's capacity lock without waiting; recount its open leads. */
bool
router_lock_partner(Router *r, Partner *p)
{
	Datum		args[1];
	bool		got;

	if (p->lock_state == PARTNER_LOCKED)
		return true;
	if (p->lock_state == PARTNER_BUSY)
		return false;
	got = DatumGetBool(DirectFunctionCall2(pg_try_advisory_xact_lock_int4,
										   Int32GetDatum(CHANNEL_LOCK_CLASS),
										   Int32GetDatum((int32) (p->id % INT_MAX))));
	if (!got)
	{
		p->lock_state = PARTNER_BUSY;
		return false;
	}
	args[0] = Int64GetDatum(p->id);
	if (channel_spi_run_plan("recounting open leads", SPI_OK_SELECT, r->recount_plan,
							 args, NULL, false, 1) != 1)
		elog(ERROR, "recounting the open leads of partner " INT64_FORMAT " failed", p->id);
	p->open = router_get_int64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, 0);
	SPI_freetuptable(SPI_tuptable);
	p->lock_state = PARTNER_LOCKED;
	return true;
}

static void
write_routed(Router *r)
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
	args[0] = router_int8_array(r->routed_lead, r->nrouted);
	args[1] = router_int8_array(r->routed_partner, r->nrouted);
	args[2] = PointerGetDatum(construct_array(h, r->nrouted, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[3] = PointerGetDatum(construct_array(why, r->nrouted, TEXTOID, -1, false, TYPALIGN_INT));
	channel_spi_run("writing routed leads", SPI_OK_UPDATE,
					"UPDATE channel.lead l SET status = 'routed', partner_id = v.partner_id, "
					"       routed_at = now(), accept_by = now() + make_interval(secs => v.hours * 3600), "
					"       accepted_at = NULL, status_reason = v.why "
					"FROM unnest($1, $2, $3, $4) AS v(lead_id, partner_id, hours, why) "
					"WHERE l.lead_id = v.lead_id",
					4, types, args, NULL, false, 0);
}

static void
write_pooled(Router *r)
{
	Oid			types[1] = {INT8ARRAYOID};
	Datum		args[1];

	args[0] = router_int8_array(r->pooled_lead, r->npooled);
	channel_spi_run("writing pooled leads", SPI_OK_UPDATE,
					"UPDATE channel.lead l SET status = 'pooled', partner_id = NULL, routed_at = NULL, "
					"       accept_by = NULL, accepted_at = NULL, status_reason = 'no_eligible_partner' "
					"WHERE l.lead_id = ANY ($1)",
					1, types, args, NULL, false, 0);
}

/* Write the decisions: two set-based UPDATEs. */
void
router_write(Router *r)
{
	if (r->nrouted > 0)
		write_routed(r);
	if (r->npooled > 0)
		write_pooled(r);
}

/* Return (lead_id, partner_id) rows of the decisions as a set. */
void
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
