-- 20_scoring: rule-based lead scoring -- rules as data, the C scorer, the
-- insert trigger, cache invalidation and rescoring.  Rolled back at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never

BEGIN;
INSERT INTO channel.product_line (code, name) VALUES ('STORAGE', 'Storage');

-- the shipped rules
SELECT rule_id, attribute, operator, value, points FROM channel.scoring_rule ORDER BY rule_id DESC;

-- new leads are scored on insert (a given score is kept)
INSERT INTO channel.lead (lead_id, company, country, product_line, source, authority, need, budget, timeline_days, employees, score)
VALUES (2001, 'Hot Corp', 'FR', 'STORAGE', 'referral', 'decision_maker', 'high', 250000, 30, 5000, NULL),
       (2002, 'Warm Ltd', 'GB', 'STORAGE', 'web', 'influencer', 'medium', 60000, 180, 200, NULL),
       (2003, 'Cold GmbH', 'DE', 'STORAGE', 'purchased_list', 'none', 'low', 1000, 365, 10, NULL),
       (2004, 'Blank SA', 'FR', 'STORAGE', 'web', NULL, NULL, NULL, NULL, NULL, NULL),
       (2005, 'Given Inc', 'US', 'STORAGE', 'web', NULL, NULL, NULL, NULL, NULL, 42);
SELECT lead_id, company, score, channel.score_lead(l) AS rescored FROM channel.lead l ORDER BY lead_id;

-- the same sum written as a SQL CASE expression gives the same scores
SELECT l.lead_id, channel.score_lead(l) = least(100, greatest(0,
         CASE WHEN l.authority = 'decision_maker' THEN 25 ELSE 0 END
       + CASE WHEN l.authority = 'influencer' THEN 10 ELSE 0 END
       + CASE WHEN l.need = 'high' THEN 25 ELSE 0 END
       + CASE WHEN l.need = 'medium' THEN 10 ELSE 0 END
       + CASE WHEN l.budget >= 50000 THEN 15 ELSE 0 END
       + CASE WHEN l.budget >= 200000 THEN 10 ELSE 0 END
       + CASE WHEN l.timeline_days <= 90 THEN 15 ELSE 0 END
       + CASE WHEN l.source IN ('referral', 'partner', 'inbound_call') THEN 10 ELSE 0 END
       + CASE WHEN l.source = 'purchased_list' THEN -10 ELSE 0 END
       + CASE WHEN l.employees >= 1000 THEN 5 ELSE 0 END)) AS same_as_sql
FROM channel.lead l ORDER BY lead_id;

-- a new rule is seen at once (the cache is invalidated), in every operator
INSERT INTO channel.scoring_rule (attribute, operator, value, points, description) VALUES
  ('country', 'in', 'FR, DE', 7, 'home markets'),
  ('industry', 'is_null', NULL, -3, 'unknown industry'),
  ('region', '<>', 'NA', 1, 'outside North America'),
  ('employees', '<', '50', 2, 'small shops'),
  ('timeline_days', '>', '300', -1, 'far out'),
  ('budget', '=', '1000', 4, 'exactly 1000');
SELECT lead_id, score, channel.score_lead(l) AS rescored FROM channel.lead l ORDER BY lead_id;
-- inactive rules do not count
UPDATE channel.scoring_rule SET active = false WHERE description = 'home markets';
SELECT lead_id, channel.score_lead(l) AS rescored FROM channel.lead l ORDER BY lead_id;
-- without the shipped rules, only ours
SET LOCAL channel.shipped_scoring_rules = off;
SELECT lead_id, channel.score_lead(l) AS ours_only FROM channel.lead l ORDER BY lead_id;
RESET channel.shipped_scoring_rules;

-- rescore_leads() applies the current rules, returns how many changed
SELECT channel.rescore_leads() AS changed;
SELECT channel.rescore_leads() AS changed_again;
SELECT lead_id, score FROM channel.lead ORDER BY lead_id;
-- rescoring is logged nowhere but the score column: no status change
SELECT count(*) AS events FROM channel.lead_event WHERE lead_id BETWEEN 2001 AND 2005;

-- a deleted rule stops counting at once
DELETE FROM channel.scoring_rule WHERE rule_id > 0;
SELECT lead_id, channel.score_lead(l) AS rescored FROM channel.lead l ORDER BY lead_id;

-- bad rules are refused by the table's constraints (terse: the failing row
-- would show created_at)
\set VERBOSITY terse
SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('score', '=', '5', 1);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('need', 'like', 'h%', 1);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('need', '>', 'medium', 1);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('budget', '>=', 'lots', 1);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('employees', 'in', '10,20', 1);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('source', 'in', 'web,,event', 1);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('need', '=', NULL, 1);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('need', 'is_null', 'high', 1);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('need', '=', 'high', 101);
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('need', '=', '  ', 1);
ROLLBACK TO SAVEPOINT bad;
\set VERBOSITY default
-- shipped rules are read-only and their ids reserved
UPDATE channel.scoring_rule SET points = 50 WHERE rule_id = -1;
ROLLBACK TO SAVEPOINT bad;
DELETE FROM channel.scoring_rule WHERE rule_id = -9;
ROLLBACK TO SAVEPOINT bad;
INSERT INTO channel.scoring_rule (rule_id, attribute, operator, value, points) VALUES (-99, 'need', '=', 'high', 1);
ROLLBACK TO SAVEPOINT bad;

-- a partner may not rescore, even when granted EXECUTE by mistake
CREATE ROLE regress_score_partner;
GRANT channel_partner TO regress_score_partner;
INSERT INTO channel.partner (partner_id, name, country, status) VALUES (2101, 'Scorer', 'FR', 'active');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_score_partner', 2101);
GRANT EXECUTE ON FUNCTION channel.rescore_leads() TO regress_score_partner;
SAVEPOINT bad;
SET LOCAL SESSION AUTHORIZATION regress_score_partner;
SELECT channel.rescore_leads();
ROLLBACK TO SAVEPOINT bad;
-- nor call score_lead (not granted)
SET LOCAL SESSION AUTHORIZATION regress_score_partner;
SELECT channel.score_lead(CASE WHEN random() < 2 THEN NULL::channel.lead END);
ROLLBACK TO SAVEPOINT bad;
ROLLBACK;

-- a rolled-back rule is forgotten too
SELECT count(*) AS user_rules FROM channel.scoring_rule WHERE rule_id > 0;
