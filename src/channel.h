/*
 * channel.h -- declarations shared by the SQL-callable wrappers in src/.
 *
 * Each concept registers its GUCs from a channel_init_<concept>() function
 * that _PG_init() in channel.c calls, so the module has one entry point.
 */
#ifndef CHANNEL_H
#define CHANNEL_H

void		_PG_init(void);
void		channel_init_identity(void);

#endif
