/*
 * routing_sql.c -- the SQL entry points of lead routing (src/core/routing.c).
 *
 *   channel.route_leads(max_leads integer)  vendor: route the new leads
 *   channel.route_lead(lead_id bigint)      vendor: route one lead
 *   channel.reroute_leads(lead_ids bigint[]) internal: route leads that were
 *                                           rejected or recalled (called by
 *                                           reject_lead, recall_overdue_leads)
 *
 * (channel.partner_fit and channel.partner_ineligibility, one pair
 * explained, are in routing_explain.c.)
 *
 * One routing call selects and locks its leads, loads every candidate
 * partner once (routing_load.c), decides each lead in memory
 * (routing_decide.c) and writes all decisions with two set-based UPDATEs
 * (routing_write.c); routing_router.h holds the state they share and
 * routing_settings.c the GUCs.
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

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"

#include "channel_spi.h"
#include "routing_router.h"

PG_FUNCTION_INFO_V1(channel_route_leads);
PG_FUNCTION_INFO_V1(channel_route_lead);
PG_FUNCTION_INFO_V1(channel_reroute_leads);

static void
require_vendor(const char *fname)
{
	bool		isnull;

	if (channel_spi_run("channel.current_partner()", SPI_OK_SELECT, "SELECT channel.current_partner()",
						0, NULL, NULL, NULL, true, 1) != 1)
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

/* Select (and lock) the leads of query, route them, write and return the decisions. */
static void
run_router(FunctionCallInfo fcinfo, const char *query, int nargs, Oid *types, Datum *args, char *argnulls)
{
	Router		r;
	SPITupleTable *leads;
	uint64		nleads;

	memset(&r, 0, sizeof r);
	nleads = channel_spi_run("selecting leads to route", SPI_OK_SELECT, query,
							 nargs, types, args, argnulls, false, 0);
	leads = SPI_tuptable;
	if (nleads > 0)
	{
		router_load(&r, router_filter_for(leads, nleads));
		router_load_holders(&r, leads, nleads);
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
	channel_spi_connect();
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
	channel_spi_connect();
	run_router(fcinfo,
			   LEAD_COLUMNS "WHERE l.lead_id = ANY ($1) AND l.status IN ('new', 'rejected', 'recalled', 'pooled') "
			   "ORDER BY l.lead_id FOR UPDATE OF l",
			   1, types, args, NULL);
	SPI_finish();
	return (Datum) 0;
}

/* Select and lock one lead for route_lead(): an error unless it exists and may be routed. */
static SPITupleTable *
select_one_lead(int64 lead_id)
{
	Oid			types[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(lead_id)};
	SPITupleTable *tt;
	char	   *status;

	if (channel_spi_run("selecting the lead", SPI_OK_SELECT, LEAD_COLUMNS "WHERE l.lead_id = $1 FOR UPDATE OF l",
						1, types, args, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("lead " INT64_FORMAT " does not exist", lead_id),
				 errhint("Route leads listed in channel.lead.")));
	tt = SPI_tuptable;
	status = SPI_getvalue(tt->vals[0], tt->tupdesc, LEAD_COL_STATUS);
	if (strcmp(status, "new") != 0 && strcmp(status, "rejected") != 0 &&
		strcmp(status, "recalled") != 0 && strcmp(status, "pooled") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("lead " INT64_FORMAT " cannot be routed", lead_id),
				 errdetail("The lead is %s; only new, rejected, recalled and pooled leads are routed.", status),
				 errhint("A routed lead is recalled with channel.recall_overdue_leads() once its SLA expires.")));
	return tt;
}

Datum
channel_route_lead(PG_FUNCTION_ARGS)
{
	int64		lead_id;
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
	channel_spi_connect();
	require_vendor("route_lead");
	tt = select_one_lead(lead_id);
	memset(&r, 0, sizeof r);
	router_load(&r, router_filter_for(tt, 1));
	router_load_holders(&r, tt, 1);
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
