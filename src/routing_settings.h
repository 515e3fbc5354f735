/*
 * routing_settings.h -- the routing GUCs as the router reads them
 * (routing_settings.c), and the two enum names routing maps to numbers.
 */
#ifndef ROUTING_SETTINGS_H
#define ROUTING_SETTINGS_H

#include "routing.h"

/* channel.routing_policy and channel.routing_seed */
RoutingPolicy routing_setting_policy(void);
int			routing_setting_seed(void);

/* channel.account_routing and channel.account_fit_bonus */
RoutingAccountMode routing_setting_account_mode(void);
double		routing_setting_account_bonus(void);

/* channel.sla_hours of a tier; channel.lottery_weights, ROUTING_NTIERS of them */
double		routing_setting_sla_hours(int tier);
const double *routing_setting_lottery_weights(void);

/* channel.min_tier_by_score: the lowest tier a lead of this score goes to */
int			routing_setting_min_tier(int score);

/* channel.partner_tier and channel.cert_level labels; an error for others */
int			routing_tier_of(const char *name);
int			routing_cert_level_of(const char *name);	/* -1 for NULL */

#endif
