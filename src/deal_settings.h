/*
 * deal_settings.h -- the registration GUCs as the triggers read them
 * (deal_settings.c).
 */
#ifndef DEAL_SETTINGS_H
#define DEAL_SETTINGS_H

/* channel.match_threshold */
double		deal_match_threshold(void);

/* channel.conflict_policy is 'reject' (else 'flag') */
bool		deal_policy_rejects(void);

#endif
