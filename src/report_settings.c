/*
 * report_settings.c -- the setting of the channel-data module
 * (src/sql/61_reports.sql, doc/channel_data.md).
 *
 * channel.staging_batch is the batch channel.open_report() opened last in
 * the session: the default of the staging tables' batch_id, so that a COPY
 * of a partner's file needs no batch column.  Anyone may set it (USERSET):
 * it only names the batch staged rows go to, and row-level security on the
 * staging tables decides whether the caller may add rows to that batch.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "channel.h"

static char *staging_batch = NULL;

void
channel_init_reports(void)
{
	DefineCustomStringVariable("channel.staging_batch",
							   "The report batch rows COPYed into the staging tables go to when they name none.",
							   "Set by channel.open_report(); read by channel.staging_batch().",
							   &staging_batch, "",
							   PGC_USERSET, 0, NULL, NULL, NULL);
}
