-- 21_routing: eligibility, fit, routing with fairness policies, capacity,
-- the partner actions, SLA recall, and who may do what.  Everything runs in
-- one transaction that is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- each statement that fails is rolled back alone (psql savepoints)
\set ON_ERROR_ROLLBACK on

BEGIN;
CREATE ROLE regress_route_a;
CREATE ROLE regress_route_c;
CREATE ROLE regress_route_app;
GRANT channel_partner TO regress_route_a, regress_route_c;
GRANT channel_portal TO regress_route_app;

INSERT INTO channel.product_line (code, name, requires_certification, min_cert_level) VALUES
  ('RT_STORE', 'Routing test storage', false, 'associate'),
  ('RT_SECURE', 'Routing test security', true, 'professional');
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country, max_open_leads) VALUES
  (3101, 'Alpha', 'reseller', 'silver', 'active', 'FR', 3),
  (3102, 'Bravo', 'reseller', 'silver', 'active', 'FR', 5),
  (3103, 'Charlie', 'integrator', 'gold', 'active', 'DE', 5),
  (3104, 'Delta', 'reseller', 'registered', 'active', 'FR', 5),
  (3105, 'Echo', 'reseller', 'platinum', 'suspended', 'FR', 5),
  (3106, 'Foxtrot', 'distributor', 'gold', 'active', 'FR', 5),
  (3107, 'Golf', 'reseller', 'gold', 'active', 'FR', 5),
  (3108, 'Hotel', 'reseller', 'silver', 'active', 'US', 5);
INSERT INTO channel.partner_territory (partner_id, country, region) VALUES
  (3101, 'FR', NULL), (3102, NULL, 'EMEA'), (3103, 'FR', NULL), (3104, 'FR', NULL),
  (3105, 'FR', NULL), (3106, 'FR', NULL), (3107, 'FR', NULL), (3108, 'US', NULL);
INSERT INTO channel.partner_product (partner_id, product_line) VALUES
  (3101, 'RT_STORE'), (3101, 'RT_SECURE'), (3102, 'RT_STORE'), (3103, 'RT_STORE'), (3103, 'RT_SECURE'),
  (3104, 'RT_STORE'), (3105, 'RT_STORE'), (3106, 'RT_STORE'), (3107, 'RT_SECURE'), (3108, 'RT_STORE');
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on) VALUES
  (3101, 'RT_SECURE', 'professional', current_date - 100, current_date + 100),
  (3103, 'RT_SECURE', 'associate', current_date - 100, current_date + 100),
  (3107, 'RT_SECURE', 'expert', current_date - 400, current_date);
INSERT INTO channel.partner_user (role_name, partner_id) VALUES
  ('regress_route_a', 3101), ('regress_route_c', 3103);
INSERT INTO channel.lead (lead_id, company, country, product_line, score, budget, timeline_days) VALUES
  (3201, 'Lead one', 'FR', 'RT_STORE', 30, 10000, 60),
  (3202, 'Lead two', 'FR', 'RT_STORE', 70, 20000, 60),
  (3203, 'Lead three', 'FR', 'RT_STORE', 90, 30000, 60),
  (3204, 'Lead four', 'FR', 'RT_SECURE', 20, 40000, 60),
  (3205, 'Lead five', 'JP', 'RT_STORE', 10, 50000, 60),
  (3206, 'Lead six', 'FR', 'RT_STORE', 10, 60000, 60),
  (3207, 'Lead seven', 'US', 'RT_STORE', 10, NULL, NULL);

-- eligibility: every hard rule, and the fit of the eligible
SELECT l.lead_id, p.partner_id, p.name, channel.partner_ineligibility(l, p) AS not_eligible_because,
       channel.partner_fit(l, p) AS fit
FROM channel.lead l CROSS JOIN channel.partner p
WHERE (l.lead_id, p.partner_id) IN ((3201, 3101), (3201, 3102), (3201, 3103), (3201, 3104), (3201, 3105),
                                    (3201, 3106), (3201, 3108), (3202, 3104), (3203, 3102), (3203, 3103),
                                    (3204, 3101), (3204, 3103), (3204, 3107), (3204, 3102), (3205, 3102))
ORDER BY l.lead_id, p.partner_id;

-- the settings in force (defaults; the library is loaded by now)
SHOW channel.routing_policy;
SHOW channel.sla_hours;
SHOW channel.min_tier_by_score;

-- route the new leads: best fit, then round robin; nobody for Japan -> pool
SELECT * FROM channel.route_leads() ORDER BY lead_id;
SELECT lead_id, status, partner_id, accept_by - routed_at AS sla, status_reason
FROM channel.lead ORDER BY lead_id;
SELECT lead_id, from_status, to_status, partner_id, reason FROM channel.lead_event
WHERE lead_id BETWEEN 3201 AND 3299 AND from_status IS NOT NULL ORDER BY event_id;
-- nothing new left
SELECT count(*) AS routed_again FROM channel.route_leads();

-- capacity: Alpha (max 3, holding 2) gets one more; nobody else is certified
INSERT INTO channel.lead (lead_id, company, country, product_line, score)
SELECT 3210 + i, 'Burst ' || i, 'FR', 'RT_SECURE', 10 FROM generate_series(1, 3) i;
SELECT * FROM channel.route_leads(2) ORDER BY lead_id;
SELECT * FROM channel.route_leads() ORDER BY lead_id;
SELECT partner_id, count(*) AS open_leads FROM channel.lead
WHERE status IN ('routed', 'accepted') GROUP BY partner_id ORDER BY partner_id;

-- bad arguments
SELECT * FROM channel.route_leads(-1);
SELECT channel.route_lead(NULL);
SELECT channel.route_lead(999999);
SELECT channel.route_lead(3201);

-- ------------------------------------------------------- partner actions
-- Alpha, through its own login
SAVEPOINT actions;
SET LOCAL SESSION AUTHORIZATION regress_route_a;
SELECT channel.current_partner();
SELECT lead_id, status FROM channel.lead ORDER BY lead_id;
SELECT channel.accept_lead(3204);
SELECT channel.accept_lead(3204);
-- Charlie's lead and a lead that does not exist: the same error
SELECT channel.accept_lead(3203);
SELECT channel.accept_lead(999999);
SELECT channel.reject_lead(3203, 'no_capacity');
SELECT channel.convert_lead(3203);
SELECT channel.lose_lead(3203);
SELECT channel.accept_lead(NULL);
-- vendor-only functions
SELECT * FROM channel.route_leads();
SELECT channel.route_lead(3205);
SELECT channel.recall_overdue_leads();
-- claims: only for itself; a pool lead outside its territory does not exist for it
SELECT channel.claim_lead(3205, 3103);
SELECT channel.claim_lead(3205);
-- reject: a reason code is required
SELECT channel.reject_lead(3202, 'too_busy');
SELECT channel.reject_lead(3202, NULL);
SELECT channel.reject_lead(3202, 'no_capacity');
SELECT lead_id, status FROM channel.lead ORDER BY lead_id;
-- claims from the pool: one more lead fills its capacity (3), the next is refused
SELECT channel.claim_lead(3212);
SELECT channel.claim_lead(3213);
-- convert the accepted lead; then it is closed
SELECT channel.convert_lead(3204) > 0 AS deal_made;
-- ... which frees a place: now the claim goes through
SELECT channel.claim_lead(3213);
SELECT lead_id, status, partner_id, accepted_at IS NOT NULL AS accepted FROM channel.lead WHERE lead_id IN (3212, 3213) ORDER BY lead_id;
SELECT channel.lose_lead(3204, 'too late');
SELECT channel.convert_lead(3204);
RESET SESSION AUTHORIZATION;

-- the rejected lead went to someone else, never back to Alpha
SELECT lead_id, status, partner_id, reject_reason FROM channel.lead WHERE lead_id = 3202;
SELECT lead_id, from_status, to_status, partner_id, regexp_replace(reason, '^deal [0-9]+$', 'deal <deal_id>') AS reason
FROM channel.lead_event
WHERE lead_id IN (3202, 3204) AND from_status IS NOT NULL ORDER BY event_id;
SELECT d.partner_id, d.lead_id, d.customer_name, d.customer_country, d.product_line, d.amount,
       d.expected_close = current_date + 60 AS close_in_timeline, d.status
FROM channel.deal d WHERE d.lead_id = 3204;
SELECT lead_id, status, closed_at IS NOT NULL AS closed, status_reason LIKE 'deal %' AS reason_names_deal
FROM channel.lead WHERE lead_id = 3204;

-- the portal application acting for Charlie cannot touch Alpha's lead
SET LOCAL SESSION AUTHORIZATION regress_route_app;
SELECT channel.set_portal_partner(3103);
SELECT channel.current_partner();
SELECT channel.accept_lead(3211);
SELECT channel.reject_lead(3211, 'duplicate');
SELECT channel.lose_lead(3211);
RESET SESSION AUTHORIZATION;
ROLLBACK TO SAVEPOINT actions;

-- -------------------------------------------------------- vendor actions
-- claims from the pool
SELECT channel.claim_lead(3205);
SELECT channel.claim_lead(3205, 999999);
SELECT channel.claim_lead(3205, 3101);
SELECT channel.claim_lead(3201, 3101);
UPDATE channel.partner_territory SET country = NULL, region = 'APAC' WHERE partner_id = 3104;
SELECT channel.claim_lead(3205, 3104);
SELECT lead_id, status, partner_id, accepted_at IS NOT NULL AS accepted FROM channel.lead WHERE lead_id = 3205;
-- a lead lost before it was accepted, and losing a lost lead
SELECT channel.lose_lead(3201);
SELECT channel.accept_lead(3201);
SELECT channel.lose_lead(3201, 'no response');
SELECT channel.lose_lead(3201);
SELECT channel.lose_lead(3202, repeat('x', 501));

-- SLA: recall takes overdue leads from their partners and re-routes them
UPDATE channel.lead SET routed_at = now() - interval '3 days', accept_by = now() - interval '1 day'
WHERE lead_id IN (3203, 3206);
SELECT lead_id, partner_id FROM channel.lead WHERE lead_id IN (3203, 3206) ORDER BY lead_id;
SELECT channel.recall_overdue_leads() AS recalled;
SELECT channel.recall_overdue_leads() AS recalled_again;
SELECT lead_id, status, partner_id, status_reason FROM channel.lead WHERE lead_id IN (3203, 3206) ORDER BY lead_id;
SELECT lead_id, from_status, to_status, partner_id, reason FROM channel.lead_event
WHERE lead_id IN (3203, 3206) AND from_status = 'routed' ORDER BY event_id;

-- route_lead on a pooled lead; on a routed one it is an illegal transition
SELECT channel.route_lead(3203);
UPDATE channel.partner_territory SET country = 'JP' WHERE partner_id = 3101;
SELECT channel.route_lead(3205);

-- ------------------------------------------------------- fairness policies
-- five equal partners and ten equal leads: round robin deals them out in
-- turn; the lottery with a seed is repeatable and favours higher tiers
SAVEPOINT fairness;
INSERT INTO channel.product_line (code, name) VALUES ('RT_FAIR', 'Fairness');
INSERT INTO channel.partner (partner_id, name, tier, status, country, max_open_leads)
SELECT 3300 + i, 'Fair ' || i, (ARRAY['registered', 'registered', 'registered', 'platinum', 'platinum'])[i]::channel.partner_tier,
       'active', 'NO', 1000
FROM generate_series(1, 5) i;
INSERT INTO channel.partner_territory (partner_id, country) SELECT 3300 + i, 'NO' FROM generate_series(1, 5) i;
INSERT INTO channel.partner_product (partner_id, product_line) SELECT 3300 + i, 'RT_FAIR' FROM generate_series(1, 5) i;
-- equal fit needs equal tiers for round robin
UPDATE channel.partner SET tier = 'registered' WHERE partner_id BETWEEN 3301 AND 3305;
INSERT INTO channel.lead (lead_id, company, country, product_line, score)
SELECT 3400 + i, 'Fair lead ' || i, 'NO', 'RT_FAIR', 0 FROM generate_series(1, 10) i;
SELECT partner_id, count(*) AS leads FROM channel.route_leads() GROUP BY partner_id ORDER BY partner_id;
ROLLBACK TO SAVEPOINT fairness;
SAVEPOINT fairness;
INSERT INTO channel.product_line (code, name) VALUES ('RT_FAIR', 'Fairness');
INSERT INTO channel.partner (partner_id, name, tier, status, country, max_open_leads)
SELECT 3300 + i, 'Fair ' || i, 'silver', 'active', 'NO', 100000 FROM generate_series(1, 4) i;
INSERT INTO channel.partner_territory (partner_id, country) SELECT 3300 + i, 'NO' FROM generate_series(1, 4) i;
INSERT INTO channel.partner_product (partner_id, product_line) SELECT 3300 + i, 'RT_FAIR' FROM generate_series(1, 4) i;
INSERT INTO channel.lead (lead_id, company, country, product_line, score)
SELECT 3400 + i, 'Fair lead ' || i, 'NO', 'RT_FAIR', 0 FROM generate_series(1, 400) i;
SET LOCAL channel.routing_policy = 'lottery';
SET LOCAL channel.routing_seed = 42;
SET LOCAL channel.lottery_weights = 'registered=1, silver=1, gold=1, platinum=1';
SAVEPOINT draw;
SELECT md5(string_agg(lead_id || ':' || partner_id, ',' ORDER BY lead_id)) AS draw FROM channel.route_leads() \gset first_
-- every partner gets a fair share
SELECT partner_id, count(*) BETWEEN 80 AND 120 AS fair_share FROM channel.lead
WHERE lead_id BETWEEN 3401 AND 3800 GROUP BY partner_id ORDER BY partner_id;
ROLLBACK TO SAVEPOINT draw;
-- the same seed draws the same again; another seed does not
SELECT md5(string_agg(lead_id || ':' || partner_id, ',' ORDER BY lead_id)) = :'first_draw' AS same_draw FROM channel.route_leads();
ROLLBACK TO SAVEPOINT draw;
SET LOCAL channel.routing_seed = 43;
SELECT md5(string_agg(lead_id || ':' || partner_id, ',' ORDER BY lead_id)) = :'first_draw' AS same_draw FROM channel.route_leads();
ROLLBACK TO SAVEPOINT draw;
ROLLBACK TO SAVEPOINT fairness;

-- settings are checked
SET channel.routing_policy = 'random';
SET channel.sla_hours = 'registered=24, silver=36, gold=48';
SET channel.sla_hours = 'registered=24, silver=36, gold=48, platinum=0';
SET channel.lottery_weights = 'registered=1, silver=2, gold=4, copper=8';
SET channel.min_tier_by_score = '60=bronze';
SET channel.min_tier_by_score = '160=gold';
ROLLBACK;

-- routing needs READ COMMITTED
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM channel.route_leads();
ROLLBACK;
SELECT count(*) AS leads_left FROM channel.lead WHERE lead_id BETWEEN 3200 AND 3999;
