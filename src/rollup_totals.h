/*
 * rollup_totals.h -- what src/rollup_totals.c offers other wrappers: the
 * forecast's partner record summed from channel.partner_month.
 */
#ifndef ROLLUP_TOTALS_H
#define ROLLUP_TOTALS_H

/* Called once per partner with a partner_month row: its deals won, and
 * its deals won or lost, over every month of the rollup. */
typedef void (*win_record_fn) (void *arg, int64 partner_id, int64 wins, int64 closed);

/* One sequential scan of channel.partner_month (after checking the
 * caller's SELECT privilege on it), then fn for every partner. */
void		channel_win_record_each(win_record_fn fn, void *arg);

#endif
