/*
 * deal_lock.h -- the advisory locks of a registration (deal_lock.c).
 */
#ifndef CHANNEL_DEAL_LOCK_H
#define CHANNEL_DEAL_LOCK_H

#include "postgres.h"

/*
 * Before a new registration's conflict lookup: the key locks of its
 * blocking keys (customer_match_keys, text[]) in this country and line,
 * then the cell lock in share mode -- or the cell lock exclusive, when the
 * transaction has taken its budget of key locks.  Held to the end of the
 * transaction.
 */
void		deal_lock_registration(const char *country, const char *product_line, Datum match_keys);

#endif
