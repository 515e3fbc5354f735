/*
 * routing_explain.c -- one (lead, partner) pair explained, with the rules
 * the router applies (src/core/routing.c):
 *
 *   channel.partner_fit(l channel.lead, p channel.partner) RETURNS real
 *       the fit of partner p for lead l, 0 if p is not eligible
 *   channel.partner_ineligibility(l, p) RETURNS text
 *       why p is not eligible for l, NULL if it is
 *
 * The router reads these facts for every partner at once
 * (routing_load.c); here one query reads them for the one pair, so the
 * answer is the router's without its load.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "channel_spi.h"
#include "routing.h"
#include "routing_settings.h"

PG_FUNCTION_INFO_V1(channel_partner_fit);
PG_FUNCTION_INFO_V1(channel_partner_ineligibility);

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

static int64
result_int64(HeapTuple t, TupleDesc td, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(t, td, col, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/*
 * The facts of partner pid for the lead (lead_id, NULL if lid_null) in
 * product line, country and region, as one SPI row (SPI_tuptable).
 */
static void
read_pair_facts(int64 pid, int64 lid, bool lid_null, const char *line, const char *country, const char *region)
{
	Oid			types[5] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};

	args[0] = Int64GetDatum(pid);
	args[1] = Int64GetDatum(lid_null ? 0 : lid);
	if (lid_null)
		nulls[1] = 'n';
	args[2] = CStringGetTextDatum(line ? line : "");
	args[3] = CStringGetTextDatum(country ? country : "");
	args[4] = CStringGetTextDatum(region ? region : "");
	if (channel_spi_run("reading partner facts", SPI_OK_SELECT,
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
						5, types, args, nulls, true, 1) != 1)
		elog(ERROR, "reading partner facts failed: no row");
}

/* Fill the eligibility and fit inputs of partner p for lead l. */
static void
pair_inputs(HeapTupleHeader l, HeapTupleHeader p, RoutingEligibilityInput *e, RoutingFitInput *f)
{
	bool		isnull;
	int64		pid = DatumGetInt64(row_attr(p, "partner_id", &isnull));
	bool		lid_null;
	int64		lid = DatumGetInt64(row_attr(l, "lead_id", &lid_null));
	char	   *status = row_text(p, "status");
	char	   *kind = row_text(p, "kind");
	char	   *tier = row_text(p, "tier");
	Datum		score = row_attr(l, "score", &isnull);
	int			iscore = isnull ? 0 : DatumGetInt32(score);
	Datum		cap = row_attr(p, "max_open_leads", &isnull);
	HeapTuple	t;
	TupleDesc	td;

	read_pair_facts(pid, lid, lid_null, row_text(l, "product_line"), row_text(l, "country"), row_text(l, "region"));
	t = SPI_tuptable->vals[0];
	td = SPI_tuptable->tupdesc;

	memset(e, 0, sizeof *e);
	memset(f, 0, sizeof *f);
	e->active = status && strcmp(status, "active") == 0 && kind && strcmp(kind, "distributor") != 0;
	f->country_match = DatumGetBool(SPI_getbinval(t, td, 1, &isnull));
	e->covers = f->country_match || DatumGetBool(SPI_getbinval(t, td, 2, &isnull));
	e->authorized = DatumGetBool(SPI_getbinval(t, td, 3, &isnull));
	e->requires_cert = DatumGetBool(SPI_getbinval(t, td, 4, &isnull));
	e->min_cert_level = routing_cert_level_of(SPI_getvalue(t, td, 5));
	e->cert_level = routing_cert_level_of(SPI_getvalue(t, td, 6));
	e->tier = tier ? routing_tier_of(tier) : 0;
	e->min_tier = routing_setting_min_tier(iscore);
	e->open = result_int64(t, td, 7);
	e->capacity = DatumGetInt32(cap);
	e->excluded = DatumGetBool(SPI_getbinval(t, td, 12, &isnull));
	f->tier = e->tier;
	f->cert_level = e->cert_level;
	f->open = e->open;
	f->capacity = e->capacity;
	f->converted = result_int64(t, td, 8);
	f->lost = result_int64(t, td, 9);
	f->offered = result_int64(t, td, 10);
	f->accepted = result_int64(t, td, 11);
}

Datum
channel_partner_fit(PG_FUNCTION_ARGS)
{
	HeapTupleHeader l = PG_GETARG_HEAPTUPLEHEADER(0);
	HeapTupleHeader p = PG_GETARG_HEAPTUPLEHEADER(1);
	RoutingEligibilityInput e;
	RoutingFitInput f;
	double		fit = 0.0;

	channel_spi_connect();
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

	channel_spi_connect();
	pair_inputs(l, p, &e, &f);
	SPI_finish();
	why = routing_ineligible_reason(&e);
	if (why == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(why));
}
