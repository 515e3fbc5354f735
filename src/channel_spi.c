/*
 * channel_spi.c -- SPI connect / prepare / execute with the error checks,
 * written once for every wrapper (see channel_spi.h).
 */
#include "postgres.h"

#include "executor/spi.h"

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
