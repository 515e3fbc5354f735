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
void		channel_init_scoring(void);
void		channel_init_routing(void);
void		channel_init_deals(void);

/* company_sql.c: shared with the registration trigger */
#include "company.h"
#include "utils/array.h"
void		channel_company_check(company_status st, const char *what);
char	   *channel_normalize_text(text *name, const char *what);
ArrayType  *channel_match_keys_array(const char *normalized, const char *prefix);

#endif
