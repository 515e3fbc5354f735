/*
 * integration_settings.c -- the change feed's GUC: channel.event_retention,
 * how long acknowledged events stay in channel.change_event before
 * channel.purge_events() deletes them (read in SQL with current_setting(),
 * whose text -- '7d', '36h', '90min' -- is also valid interval input).
 *
 * Superuser-only (PGC_SUSET), like the other vendor settings: set it with
 * ALTER DATABASE ... SET channel.event_retention = '3d'.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"

#include "channel.h"

static int	event_retention_seconds = 7 * 24 * 3600;

void
channel_init_integration(void)
{
	DefineCustomIntVariable("channel.event_retention",
							"How long acknowledged change-feed events are kept before channel.purge_events() deletes them.",
							"A duration, e.g. 7d, 36h or 90min; 0 purges every acknowledged event.",
							&event_retention_seconds, 7 * 24 * 3600, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
}
