/*
 * channel.h -- the module's entry point and the init function of each
 * concept (channel.c).
 *
 * Each concept registers its GUCs from a channel_init_<concept>() function
 * that _PG_init() in channel.c calls, so the module has one entry point.
 * Only the file that defines a concept's init function includes this.
 */
#ifndef CHANNEL_H
#define CHANNEL_H

void		_PG_init(void);
void		channel_init_identity(void);	/* identity.c */
void		channel_init_scoring(void);	/* scoring_sql.c */
void		channel_init_routing(void);	/* routing_settings.c */
void		channel_init_deals(void);	/* deal_settings.c */

#endif
