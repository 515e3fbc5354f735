/*
 * channel_spi.c -- SPI connect / prepare / execute with the error checks,
 * written once for every wrapper (see channel_spi.h).
 */
#include "postgres.h"

#include "executor/spi.h"
#include "nodes/params.h"
#include "tcop/dest.h"
#include "utils/memutils.h"

#include "channel_spi.h"

void
channel_spi_connect(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

SPIPlanPtr
channel_spi_plan(SPIPlanPtr *plan, const char *query, int nargs, Oid *types)
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

uint64
channel_spi_run(const char *what, int expect, const char *query,
				int nargs, Oid *types, Datum *values, const char *nulls,
				bool read_only, long count)
{
	int			ret;

	if (nargs == 0)
		ret = SPI_execute(query, read_only, count);
	else
		ret = SPI_execute_with_args(query, nargs, types, values, nulls, read_only, count);
	if (ret != expect)
		elog(ERROR, "%s failed: %s", what, SPI_result_code_string(ret));
	return SPI_processed;
}

uint64
channel_spi_run_plan(const char *what, int expect, SPIPlanPtr plan,
					 Datum *values, const char *nulls, bool read_only, long count)
{
	int			ret = SPI_execute_plan(plan, values, nulls, read_only, count);

	if (ret != expect)
		elog(ERROR, "%s failed: %s", what, SPI_result_code_string(ret));
	return SPI_processed;
}

/* The receiver of channel_spi_each(): each row to the caller's function. */
typedef struct each_receiver
{
	DestReceiver pub;
	channel_spi_row_fn fn;
	void	   *arg;
	MemoryContext rowcxt;
} each_receiver;

static bool
each_receive(TupleTableSlot *slot, DestReceiver *self)
{
	each_receiver *r = (each_receiver *) self;
	MemoryContext old = MemoryContextSwitchTo(r->rowcxt);

	slot_getallattrs(slot);
	r->fn(r->arg, slot);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->rowcxt);
	return true;
}

static void
each_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
each_shutdown(DestReceiver *self)
{
}

static void
each_destroy(DestReceiver *self)
{
}

uint64
channel_spi_each(const char *what, SPIPlanPtr plan, Datum *values, const char *nulls,
				 channel_spi_row_fn fn, void *arg)
{
	int			nargs = SPI_getargcount(plan);
	ParamListInfo params = makeParamList(nargs);
	SPIExecuteOptions options = {0};
	each_receiver r;
	int			ret;

	for (int i = 0; i < nargs; i++)
	{
		params->params[i].value = values[i];
		params->params[i].isnull = nulls != NULL && nulls[i] == 'n';
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = SPI_getargtypeid(plan, i);
	}
	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = each_receive;
	r.pub.rStartup = each_startup;
	r.pub.rShutdown = each_shutdown;
	r.pub.rDestroy = each_destroy;
	/* any kind but DestNone: SPI calls a SELECT into DestNone a utility */
	r.pub.mydest = DestTuplestore;
	r.fn = fn;
	r.arg = arg;
	r.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "channel_spi_each row", ALLOCSET_SMALL_SIZES);
	options.params = params;
	options.read_only = true;
	options.dest = &r.pub;
	ret = SPI_execute_plan_extended(plan, &options);
	MemoryContextDelete(r.rowcxt);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "%s failed: %s", what, SPI_result_code_string(ret));
	return SPI_processed;
}

/* set while the current trigger call holds a lazily made connection */
static bool lazy_connected = false;

void
channel_spi_lazy_reset(void)
{
	lazy_connected = false;
}

void
channel_spi_lazy_connect(void)
{
	if (lazy_connected)
		return;
	channel_spi_connect();
	lazy_connected = true;
}

void
channel_spi_lazy_finish(void)
{
	if (lazy_connected)
		SPI_finish();
	lazy_connected = false;
}
