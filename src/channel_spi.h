/*
 * channel_spi.h -- the one way the wrappers talk to SPI (channel_spi.c).
 *
 * Every query a wrapper runs goes through these: connect, run a statement
 * or a kept plan, and raise an internal error naming what failed when SPI
 * answers anything but the expected result code.  The lazy connection is
 * for triggers that need a query only on some rows (the registration
 * trigger): channel_spi_lazy_connect() connects on the first need of the
 * call, channel_spi_lazy_finish() disconnects if it did.
 */
#ifndef CHANNEL_SPI_H
#define CHANNEL_SPI_H

#include "executor/spi.h"

/* SPI_connect(), or an error */
void		channel_spi_connect(void);

/* A plan prepared once per backend and kept (SPI_keepplan) in *plan. */
SPIPlanPtr	channel_spi_plan(SPIPlanPtr *plan, const char *query, int nargs, Oid *types);

/*
 * Runs query (with nargs parameters, or none: types, values and nulls may
 * then be NULL) and returns SPI_processed; any result code but expect is an
 * error "<what> failed: <code>".
 */
uint64		channel_spi_run(const char *what, int expect, const char *query,
							int nargs, Oid *types, Datum *values, const char *nulls,
							bool read_only, long count);

/* The same for a prepared plan. */
uint64		channel_spi_run_plan(const char *what, int expect, SPIPlanPtr plan,
								 Datum *values, const char *nulls, bool read_only, long count);

/*
 * Runs a prepared plan (read-only, parameters values/nulls as for
 * SPI_execute_plan) and hands each result row to fn as the executor makes
 * it, in a memory context reset after each row; returns the rows seen.
 * Unlike a cursor's fetches, no row is copied into a tuple table: what
 * fn keeps it copies itself.
 */
typedef void (*channel_spi_row_fn) (void *arg, TupleTableSlot *slot);
uint64		channel_spi_each(const char *what, SPIPlanPtr plan, Datum *values, const char *nulls,
							 channel_spi_row_fn fn, void *arg);

/*
 * The lazy connection of one trigger call: reset at the call's start (an
 * aborted call may have left the flag set; the abort closed the
 * connection), connect on first need, finish at the end if connected.  Not
 * for code that can run inside itself: there is one flag per backend.
 */
void		channel_spi_lazy_reset(void);
void		channel_spi_lazy_connect(void);
void		channel_spi_lazy_finish(void);

#endif
