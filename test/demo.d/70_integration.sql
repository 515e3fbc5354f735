-- Integration: a CRM batch in by external reference, the change feed out to a consumer
\set ON_ERROR_STOP 1
\echo
\echo 'A consumer of the whole feed starts now, and this session LISTENs for its wake-ups (psql prints each NOTIFY)'
SELECT channel.create_consumer('demo-crm-sync');
LISTEN channel_events;

-- five active partners of the demo that cover France and sell its first product line, mapped to CRM ids
SELECT pp.product_line AS line FROM channel.partner_product pp JOIN channel.partner p USING (partner_id)
JOIN channel.partner_territory t USING (partner_id)
WHERE p.status = 'active' AND t.country = 'FR' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 \gset
CREATE TEMP TABLE demo_crm_partner AS
SELECT 'ACC-' || row_number() OVER (ORDER BY p.partner_id) AS ref, p.partner_id, p.name
FROM channel.partner p
WHERE p.status = 'active'
  AND EXISTS (SELECT 1 FROM channel.partner_territory t WHERE t.partner_id = p.partner_id AND t.country = 'FR')
  AND EXISTS (SELECT 1 FROM channel.partner_product pp WHERE pp.partner_id = p.partner_id AND pp.product_line = :'line')
ORDER BY p.partner_id LIMIT 5;
INSERT INTO channel.external_ref (entity, source, external_id, local_id, source_modified_at, record_hash)
SELECT 'partner', 'salesforce', ref, partner_id, now() - interval '1 day', 'mapped by hand' FROM demo_crm_partner;

\echo 'The CRM sends 200 leads and 20 opportunities of those partners in one call each; every record comes back with its outcome'
CREATE TEMP TABLE demo_crm_leads AS
SELECT 'LEAD-' || i AS ref, now() - interval '1 hour' AS modified_at, 'CRM customer ' || i AS company,
       'FR' AS country, :'line'::text AS product_line, 'campaign' AS source, 1000 * i AS budget,
       CASE i % 3 WHEN 0 THEN 'decision_maker' WHEN 1 THEN 'influencer' ELSE 'none' END AS authority,
       CASE i % 3 WHEN 0 THEN 'high' ELSE 'medium' END AS need, 30 + i % 60 AS timeline_days
FROM generate_series(1, 200) i;
\timing on
SELECT outcome, count(*) FROM channel.upsert_leads_from('salesforce', 'demo_crm_leads') GROUP BY 1 ORDER BY 1;
\timing off
SELECT outcome, count(*), min(reason) AS a_reason
FROM channel.upsert_deals('salesforce', (
  SELECT jsonb_agg(jsonb_build_object('ref', 'OPP-' || i, 'modified_at', now() - interval '1 hour',
                   'partner_ref', 'ACC-' || (1 + i % 5), 'customer_name', 'CRM Kunde ' || i || ' GmbH',
                   'customer_country', 'DE', 'product_line', :'line', 'amount', 5000 * i,
                   'currency', 'EUR', 'expected_close', current_date + 45))
  FROM generate_series(1, 20) i))
GROUP BY 1 ORDER BY 1;
\echo 'The same two batches again: nothing changes'
SELECT outcome, count(*) FROM channel.upsert_leads_from('salesforce', 'demo_crm_leads') GROUP BY 1 ORDER BY 1;
\echo 'Hostile records: each rejected with its reason, the good one applied'
SELECT item, ref, outcome, reason FROM channel.upsert_leads('salesforce', format($$[
  {"ref": "LEAD-1", "modified_at": "%1$s", "budget": 1},
  {"ref": "LEAD-2", "modified_at": "%2$s", "status": "won"},
  {"ref": "LEAD-9999", "modified_at": "%2$s", "company": "Typo Inc", "contry": "FR"},
  "not an object",
  {"ref": "LEAD-3", "modified_at": "%2$s", "budget": 123456}
]$$, now() - interval '2 days', now())::jsonb) ORDER BY item;

\echo 'The channel routes the new leads; the CRM reports wins: a won deal must be approved first (approve_deal, then close_deal)'
SELECT count(*) AS routed FROM channel.route_leads();
SELECT item, ref, outcome, reason FROM channel.upsert_deals('salesforce', format($$[
  {"ref": "OPP-1", "modified_at": "%1$s", "status": "won"},
  {"ref": "OPP-2", "modified_at": "%1$s", "status": "approved"},
  {"ref": "OPP-2", "modified_at": "%2$s", "status": "won", "amount": 12000}
]$$, now(), now() + interval '1 second')::jsonb) ORDER BY item;

\echo 'The consumer reads the feed: its first pages, by event type'
CREATE TEMP TABLE demo_feed AS SELECT * FROM channel.read_events('demo-crm-sync', 100000);
SELECT event_type, count(*) AS events FROM demo_feed GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT event_type, entity_id, partner_id, payload FROM demo_feed
WHERE event_type IN ('lead.routed', 'deal.won') ORDER BY cursor LIMIT 3;
SELECT channel.ack_events('demo-crm-sync', (SELECT max(cursor) FROM demo_feed)) AS acknowledged;
SELECT count(*) AS left_after_ack FROM channel.read_events('demo-crm-sync', 100000);

\echo 'Escalation rules: warn partners 12 hours before their SLA, tell the channel manager of waiting registrations'
INSERT INTO channel.escalation_rule (kind, within, times, recipient, description) VALUES
  ('lead_sla_warning', '12 hours', NULL, 'partner', 'remind the partner before the lead is recalled'),
  ('registration_waiting', '1 minute', NULL, 'channel_admin', 'registrations waiting for approval'),
  ('protection_ending', '30 days', NULL, 'partner', 'protection ending within a month'),
  ('lead_recalled', NULL, 2, 'channel_admin', 'leads no partner accepts in time');
SELECT pg_sleep(0.1);
SELECT channel.evaluate_escalations() AS notifications;
SELECT channel.evaluate_escalations() AS notifications_on_rerun;
SELECT event_type, count(*) FROM channel.read_events('demo-crm-sync', 100000) GROUP BY 1 ORDER BY 1;
UNLISTEN channel_events;
