-- 23_score_values: channel.score_lead_values (the score from the scored
-- columns, for bulk rescoring) gives exactly score_lead(l), NULLs included,
-- with the shipped rules, with rules of one's own and without the shipped
-- ones; rescore_leads() uses it.  Runs in a transaction rolled back.
BEGIN;
SELECT count(*) > 0 AS demo FROM channel.generate_demo(100, 3000, 3, current_date);
-- leads whose optional attributes are NULL
UPDATE channel.lead SET campaign = NULL, industry = NULL, employees = NULL, budget = NULL, authority = NULL,
                        need = NULL, timeline_days = NULL
WHERE lead_id % 7 = 0;
CREATE FUNCTION pg_temp.differing() RETURNS TABLE (leads bigint, differing bigint, distinct_scores bigint)
LANGUAGE sql AS $$
  SELECT count(*),
         count(*) FILTER (WHERE channel.score_lead(l) IS DISTINCT FROM
                                channel.score_lead_values(l.source, l.campaign, l.industry, l.country, l.region,
                                                          l.product_line, l.authority, l.need, l.employees, l.budget,
                                                          l.timeline_days)),
         count(DISTINCT channel.score_lead(l))
  FROM channel.lead l
$$;
SELECT leads > 0 AS some_leads, differing, distinct_scores > 5 AS varied FROM pg_temp.differing();
-- rules of one's own on every kind of attribute, then without the shipped ones
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES
  ('country', '=', 'DE', 7), ('region', 'in', 'EMEA, APAC', 3), ('product_line', '<>', 'SERVERS', 4),
  ('industry', 'is_null', NULL, -5), ('campaign', '=', 'spring', 2), ('budget', '<', '10000.50', -3),
  ('employees', '>', '50', 6), ('timeline_days', '>=', '180', -4);
SELECT leads > 0 AS some_leads, differing, distinct_scores > 5 AS varied FROM pg_temp.differing();
SET LOCAL channel.shipped_scoring_rules = off;
SELECT leads > 0 AS some_leads, differing, distinct_scores > 5 AS varied FROM pg_temp.differing();
RESET channel.shipped_scoring_rules;
-- rescore_leads() writes those scores
SELECT channel.rescore_leads() > 0 AS rescored;
SELECT count(*) AS stale_scores FROM channel.lead l WHERE l.score IS DISTINCT FROM channel.score_lead(l);
SELECT channel.rescore_leads() AS rescored_again;
ROLLBACK;
