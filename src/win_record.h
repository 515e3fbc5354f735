/*
 * win_record.h -- what src/win_record.c offers other wrappers: the
 * forecast's partner record, as channel.partner_win_record keeps it.
 */
#ifndef WIN_RECORD_H
#define WIN_RECORD_H

/* Called once per partner with a partner_month row: its deals won, and
 * its deals won or lost, over every month of the rollup. */
typedef void (*win_record_fn) (void *arg, int64 partner_id, int64 wins, int64 closed);

/* One sequential scan of channel.partner_win_record (after checking the
 * caller's SELECT privilege on it), fn for every partner. */
void		channel_win_record_each(win_record_fn fn, void *arg);

#endif
