/*
 * detrand_sql.c -- SQL wrapper of the deterministic generator (src/core).
 */
#include "postgres.h"

#include "fmgr.h"

#include "detrand.h"


PG_FUNCTION_INFO_V1(channel_det_random);

/*
 * channel.det_random(seed, stream, index) -> float8 in [0, 1).
 * IMMUTABLE: the value depends on the arguments only, which is what lets
 * generate_demo be deterministic for a seed even under parallel plans.
 */
Datum
channel_det_random(PG_FUNCTION_ARGS)
{
	int64		seed = PG_GETARG_INT64(0);
	int64		stream = PG_GETARG_INT64(1);
	int64		index = PG_GETARG_INT64(2);

	PG_RETURN_FLOAT8(detrand_unit(seed, stream, index));
}
