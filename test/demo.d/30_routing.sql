-- Lead scoring and routing: score, route, partners accept, reject and let leads lapse, SLA recall
\echo
\echo 'Lead scores (shipped BANT rules, scored on insert) by band'
SELECT CASE WHEN score >= 85 THEN '85-100 (gold partners or better)'
            WHEN score >= 60 THEN '60-84 (silver or better)'
            ELSE '0-59 (any tier)' END AS band,
       count(*) AS leads, round(avg(score), 1) AS avg_score
FROM channel.lead GROUP BY 1 ORDER BY 1;

\echo 'Learned scoring: naive Bayes per product line, AUC on a held-back fifth of the converted/lost history'
\echo '(the demo draws outcomes independently of lead attributes, so about 0.5 is the right answer here)'
SELECT product_line, trained_on, held_back, round(base_rate::numeric, 3) AS base_rate, auc
FROM channel.train_scoring(0.2, 1);
SELECT count(*) AS lines_trained_on_all_history FROM channel.train_scoring(0);

SELECT clock_timestamp() AS step_start \gset
\echo 'Routing the new leads (best fit, round robin on ties; SLA hours per tier)'
\timing on
CREATE TEMP TABLE demo_routed AS SELECT * FROM channel.route_leads();
\timing off
SELECT count(partner_id) AS routed, count(*) - count(partner_id) AS pooled FROM demo_routed;
SELECT p.tier, count(*) AS leads, min(l.accept_by - l.routed_at) AS sla
FROM demo_routed r JOIN channel.lead l USING (lead_id) JOIN channel.partner p ON p.partner_id = r.partner_id
GROUP BY p.tier ORDER BY p.tier;

\echo 'Partners act: 75% accept, 10% reject (reason codes), 15% let the SLA lapse'
SELECT count(*) AS accepted FROM (
  SELECT channel.accept_lead(r.lead_id) FROM demo_routed r
  WHERE r.partner_id IS NOT NULL AND channel.det_random(1, 300, r.lead_id) < 0.75 ORDER BY r.lead_id) a;
SELECT count(*) AS rejected_and_rerouted FROM (
  SELECT channel.reject_lead(r.lead_id, (ARRAY['no_capacity', 'out_of_territory', 'not_qualified', 'duplicate', 'no_budget'])
                                         [1 + floor(channel.det_random(1, 301, r.lead_id) * 5)::int])
  FROM demo_routed r
  WHERE r.partner_id IS NOT NULL AND channel.det_random(1, 300, r.lead_id) >= 0.75
    AND channel.det_random(1, 300, r.lead_id) < 0.85 ORDER BY r.lead_id) j;
-- (accepts here are instant; the time to accept below comes from the history)
-- the rest lapse: their deadline is moved into the past, as if the SLA hours had gone by
UPDATE channel.lead l SET routed_at = l.routed_at - interval '4 days', accept_by = l.accept_by - interval '4 days'
FROM demo_routed r
WHERE l.lead_id = r.lead_id AND l.status = 'routed' AND l.partner_id = r.partner_id
  AND channel.det_random(1, 300, r.lead_id) >= 0.85;

\echo 'SLA recall (what pg_cron runs): overdue leads are recalled and routed elsewhere'
SELECT channel.recall_overdue_leads() AS recalled;
SELECT from_status, to_status, count(*) AS transitions_in_this_step
FROM channel.lead_event WHERE at >= :'step_start'
GROUP BY from_status, to_status ORDER BY 1, 2;
SELECT reason, count(*) AS rejections FROM channel.lead_event
WHERE at >= :'step_start' AND to_status = 'rejected' GROUP BY reason ORDER BY 2 DESC, 1;

\echo 'Per partner: leads routed to it in the last 90 days, accepted, acceptance rate, median time to accept,'
\echo 'and what it rejected or let lapse in this step (the 15 with most leads)'
SELECT p.partner_id, p.name, p.tier, count(*) AS assigned, count(l.accepted_at) AS accepted,
       round(100.0 * count(l.accepted_at) / count(*), 1) AS accept_pct,
       justify_interval(date_trunc('minute', percentile_cont(0.5) WITHIN GROUP (ORDER BY l.accepted_at - l.routed_at))) AS median_time_to_accept,
       (SELECT count(*) FROM channel.lead_event e WHERE e.partner_id = p.partner_id AND e.at >= :'step_start'
          AND e.to_status = 'rejected') AS rejected_now,
       (SELECT count(*) FROM channel.lead_event e WHERE e.partner_id = p.partner_id AND e.at >= :'step_start'
          AND e.to_status = 'recalled') AS lapsed_now
FROM channel.lead l JOIN channel.partner p ON p.partner_id = l.partner_id
WHERE l.routed_at >= now() - interval '90 days'
GROUP BY p.partner_id, p.name, p.tier
ORDER BY assigned DESC, p.partner_id
LIMIT 15;

\echo 'The journey of a lead rejected in this step: re-routed, never back to the partner that rejected it'
SELECT e.lead_id, e.at::timestamp(0) AS at, e.from_status, e.to_status, e.partner_id, e.reason
FROM channel.lead_event e
WHERE e.lead_id = (SELECT min(r.lead_id) FROM channel.lead_event r WHERE r.to_status = 'rejected' AND r.at >= :'step_start')
ORDER BY e.event_id;
