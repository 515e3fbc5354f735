/*
 * deal_conflict_record.h -- the conflicts the BEFORE trigger found, kept
 * until the AFTER INSERT trigger of the same row stores them in
 * channel.deal_conflict (deal_conflict_record.c).
 */
#ifndef DEAL_CONFLICT_RECORD_H
#define DEAL_CONFLICT_RECORD_H

#include "deal_conflict_find.h"

/* registers the transaction callback that forgets the pending list */
void		deal_conflict_record_init(void);

/* keeps a copy of matches for deal_id until its AFTER trigger */
void		deal_remember_conflicts(int64 deal_id, const deal_match *matches, int nmatch);

#endif
