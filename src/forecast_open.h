/*
 * forecast_open.h -- what channel.forecast_open_rows() (forecast_open.c)
 * and channel.forecast_totals() (forecast_totals.c) share: the call's
 * context, a registration's features and terms, and the query that feeds
 * both.
 */
#ifndef CHANNEL_FORECAST_OPEN_H
#define CHANNEL_FORECAST_OPEN_H

#include "fmgr.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "channel_spi.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/numeric.h"

/* How many values each feature has (their names are in forecast_open.c). */
#define N_STAGE 3
#define N_AGE 5
#define N_AMOUNT 4
#define N_PARTNER 6
#define N_CLOSE 4
#define N_COMBOS (N_STAGE * N_AGE * N_AMOUNT * N_PARTNER * N_CLOSE)

/* pipeline_stage_weight(status), as float8, by stage */
extern const double forecast_stage_weights[N_STAGE];

/* The amount bands' bounds, as numerics made once per call. */
typedef struct bounds
{
	Datum		k10;
	Datum		k50;
	Datum		k250;
} bounds;

/* A registration's probability and its terms under the model, for one
 * combination of its features: computed once per combination. */
typedef struct terms
{
	double		base,
				fa,
				fp,
				fl,
				p;
	Numeric		p_numeric;		/* p::numeric, when the totals need it */
} terms;

/* The product lines met, interned (there are few): their names, and the
 * terms of each feature combination per line. */
typedef struct line_set
{
	int			n,
				cap,
				last;
	char	  **names;
	text	  **texts;
	terms	 ***cache;			/* per line, per combination; NULL: not met yet */
	terms	  **null_cache;		/* no product line */
} line_set;

/* What every registration of one call is weighed against. */
typedef struct forecast_ctx
{
	HTAB	   *model;
	TimestampTz as_at;
	DateADT		today,
				q_end,
				next_end;
	int32		horizon;
	char		horizon_text[16];
	bounds		b;
	line_set	lines;
	HTAB	   *records;		/* partner id -> win_record */
	MemoryContext keep;			/* outlives the SPI connection's tuples */
} forecast_ctx;

/* One open registration's features, by index, and its terms. */
typedef struct open_features
{
	int			stage,
				age,
				amount,
				partner,
				close,
				line;			/* -1: none */
	Numeric		amount_value;	/* detoasted, in the row's context; NULL: none */
	terms	   *t;
} open_features;

/* The columns of the feed query (forecast_open_each()); IN_STAGE is the
 * index of the stage. */
enum
{
	IN_DEAL, IN_PARTNER, IN_LINE, IN_AMOUNT, IN_CLOSE, IN_STATUS, IN_STAGE, IN_SUBMITTED, IN_COLS
};

/* The context of a call from its arguments model (0), as_at (3) to
 * horizon (7), the same in both functions. */
void		forecast_ctx_init(forecast_ctx *c, FunctionCallInfo fcinfo);
/* The open registrations, each handed to fn as it is read (kept plan). */
void		forecast_open_each(Datum close_from, bool from_null, Datum close_before, bool before_null,
							   Datum only_partner, bool partner_null, channel_spi_row_fn fn, void *arg);
/* A feed row's features and terms. */
void		forecast_open_row(forecast_ctx *c, Datum *in, bool *null, open_features *f);
/* The index of a product line (text datum), interned on first sight. */
int			forecast_line_intern(forecast_ctx *c, Datum d);

#endif							/* CHANNEL_FORECAST_OPEN_H */
