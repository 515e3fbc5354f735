/*
 * channel.c -- module entry point: the magic block and _PG_init().
 *
 * GUCs are defined here (through each concept's init function) so that they
 * exist as soon as the library is loaded, by CREATE EXTENSION or by the first
 * call of any channel function.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "channel.h"

PG_MODULE_MAGIC;

void
_PG_init(void)
{
	/* concepts add their channel_init_<concept>() calls here */
	channel_init_identity();
	channel_init_scoring();
	channel_init_routing();
	channel_init_deals();

	/*
	 * Every channel.* setting is defined above: from now on any other name
	 * in the prefix (a misspelt channel.match_treshold) is an error instead
	 * of a silently accepted placeholder, and placeholders set before the
	 * library was loaded are removed with a warning.
	 */
	MarkGUCPrefixReserved("channel");
}
