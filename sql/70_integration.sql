-- 70_integration: inbound upserts by external reference (idempotent, stale
-- records refused, hostile input rejected per record, status changes
-- through the lifecycle functions), the change feed (cursor, ack,
-- partner filter, purge) and escalation rules.  Part 1 runs in one
-- transaction that is rolled back; part 2 needs commits (the feed is cut
-- by committed transactions) and removes what it made.
\set VERBOSITY terse
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on

-- ===================================================================== part 1
BEGIN;
INSERT INTO channel.product_line (code, name) VALUES ('IN_STORE', 'Integration test storage');
CREATE ROLE regress_int_crm;
GRANT channel_integration TO regress_int_crm;
CREATE ROLE regress_int_partner;
GRANT channel_partner TO regress_int_partner;
SET LOCAL ROLE regress_int_crm;

-- ---- partners: a distributor and its reseller in one batch (reseller first in the array)
SELECT item, ref, outcome, reason, local_id IS NOT NULL AS has_local_id FROM channel.upsert_partners('crm', $$[
  {"ref": "P-2", "modified_at": "2020-01-01T10:00:00Z", "name": "Reseller Two", "country": "FR",
   "status": "active", "tier": "silver", "parent_ref": "P-1"},
  {"ref": "P-1", "modified_at": "2020-01-01T10:00:00Z", "name": "Distributor One", "kind": "distributor",
   "country": "FR", "status": "active", "tier": "gold"}
]$$) ORDER BY item;
RESET ROLE;
SELECT p.name, p.kind, p.tier, p.status, p.region, parent.name AS parent
FROM channel.external_ref x JOIN channel.partner p ON p.partner_id = x.local_id
LEFT JOIN channel.partner parent ON parent.partner_id = p.parent_id
WHERE x.entity = 'partner' AND x.source = 'crm' ORDER BY x.external_id;
SELECT max(local_id) FILTER (WHERE external_id = 'P-1') AS p1, max(local_id) FILTER (WHERE external_id = 'P-2') AS p2
FROM channel.external_ref WHERE entity = 'partner' AND source = 'crm' \gset
INSERT INTO channel.partner_territory (partner_id, country) VALUES (:p2, 'FR');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (:p2, 'IN_STORE');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_int_partner', :p2);
-- the same batch twice changes nothing (no write at all: xmin of the rows stays)
SELECT xmin AS partner_xmin FROM channel.partner WHERE partner_id = :p2 \gset
SET LOCAL ROLE regress_int_crm;
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_partners('crm', $$[
  {"ref": "P-2", "modified_at": "2020-01-01T10:00:00Z", "name": "Reseller Two", "country": "FR",
   "status": "active", "tier": "silver", "parent_ref": "P-1"},
  {"ref": "P-1", "modified_at": "2020-01-01T10:00:00Z", "name": "Distributor One", "kind": "distributor",
   "country": "FR", "status": "active", "tier": "gold"}
]$$) ORDER BY item;
RESET ROLE;
SELECT xmin = :'partner_xmin' AS partner_row_untouched FROM channel.partner WHERE partner_id = :p2;
SET LOCAL ROLE regress_int_crm;

-- newer updates (only the fields sent), older is stale, same time with other content is a conflict
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_partners('crm', $$[
  {"ref": "P-2", "modified_at": "2020-01-02T10:00:00Z", "tier": "gold", "website": "https://two.example"},
  {"ref": "P-1", "modified_at": "2019-12-31T10:00:00Z", "name": "Old name"},
  {"ref": "P-1", "modified_at": "2020-01-01T10:00:00Z", "name": "Same time, other name"}
]$$) ORDER BY item;
RESET ROLE;
SELECT name, tier, website, status FROM channel.partner WHERE partner_id IN (:p1, :p2) ORDER BY partner_id;
SET LOCAL ROLE regress_int_crm;

-- ---- hostile input: the whole call refuses what is not an array; records are rejected one by one
SELECT * FROM channel.upsert_partners('crm', '{"ref": "P-9"}');
SELECT * FROM channel.upsert_partners('crm', '[{"ref": "P-9"');
SELECT * FROM channel.upsert_partners('CRM!', '[]');
SELECT * FROM channel.upsert_partners('crm', NULL::jsonb);
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_partners('crm', $$[
  42,
  {"modified_at": "2020-01-01T00:00:00Z", "name": "No ref", "country": "FR"},
  {"ref": "", "modified_at": "2020-01-01T00:00:00Z", "name": "Empty ref", "country": "FR"},
  {"ref": "P-3", "name": "No time", "country": "FR"},
  {"ref": "P-4", "modified_at": "yesterday-ish", "name": "Bad time", "country": "FR"},
  {"ref": "P-5", "modified_at": "infinity", "name": "Infinite time", "country": "FR"},
  {"ref": "P-6", "modified_at": "2020-01-01T00:00:00Z", "name": "Typo", "contry": "FR"},
  {"ref": "P-7", "modified_at": "2020-01-01T00:00:00Z", "name": "Unknown country", "country": "XX"},
  {"ref": "P-8", "modified_at": "2020-01-01T00:00:00Z", "name": "Bad tier", "country": "FR", "tier": "diamond"},
  {"ref": "P-9", "modified_at": "2020-01-01T00:00:00Z", "name": "Orphan", "country": "FR", "parent_ref": "P-404"},
  {"ref": "P-10", "modified_at": "2020-01-01T00:00:00Z", "name": "  ", "country": "FR"},
  {"ref": "P-11", "modified_at": "2020-01-01T00:00:00Z", "name": "Capacity", "country": "FR", "max_open_leads": "lots"},
  {"ref": "P-12", "modified_at": "2020-01-01T00:00:00Z", "name": "Fine after all the bad ones", "country": "DE"}
]$$) ORDER BY item;
-- duplicate references in one batch: applied in array order, each by the rules
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_partners('crm', $$[
  {"ref": "P-13", "modified_at": "2020-01-05T00:00:00Z", "name": "Dup newest", "country": "FR"},
  {"ref": "P-13", "modified_at": "2020-01-04T00:00:00Z", "name": "Dup older", "country": "FR"},
  {"ref": "P-13", "modified_at": "2020-01-05T00:00:00Z", "name": "Dup newest", "country": "FR"},
  {"ref": "P-13", "modified_at": "2020-01-06T00:00:00Z", "name": "Dup newer still", "country": "FR"}
]$$) ORDER BY item;
RESET ROLE;
SELECT p.name FROM channel.external_ref x JOIN channel.partner p ON p.partner_id = x.local_id
WHERE x.entity = 'partner' AND x.source = 'crm' AND x.external_id = 'P-13';
SET LOCAL ROLE regress_int_crm;
-- references are per source: the same id from another system is another partner
SELECT item, ref, outcome FROM channel.upsert_partners('erp', '[{"ref": "P-13", "modified_at": "2020-01-01T00:00:00Z", "name": "ERP partner", "country": "FR"}]');
SELECT source, count(*) FROM channel.external_ref WHERE entity = 'partner' GROUP BY source ORDER BY source;

-- ---- contacts
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_contacts('crm', $$[
  {"ref": "C-1", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-2", "full_name": "Ana Lima",
   "email": "ana@two.example", "is_primary": true},
  {"ref": "C-2", "modified_at": "2020-01-01T00:00:00Z", "full_name": "No partner", "email": "x@y.example"},
  {"ref": "C-3", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-2", "full_name": "Bad mail", "email": "not-an-address"}
]$$) ORDER BY item;
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_contacts('crm', $$[
  {"ref": "C-1", "modified_at": "2020-01-02T00:00:00Z", "partner_ref": "P-1"},
  {"ref": "C-1", "modified_at": "2020-01-03T00:00:00Z", "phone": "+33 1 23 45 67 89"}
]$$) ORDER BY item;
RESET ROLE;
SELECT full_name, email, phone, is_primary, partner_id = :p2 AS at_p2 FROM channel.partner_contact WHERE partner_id = :p2;
SET LOCAL ROLE regress_int_crm;

-- ---- leads: created new; the status goes through the lifecycle functions
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_leads('crm', $$[
  {"ref": "L-1", "modified_at": "2020-01-01T00:00:00Z", "company": "Client Un", "country": "FR",
   "product_line": "IN_STORE", "budget": 5000, "timeline_days": 30, "contact_email": "buyer@un.example"},
  {"ref": "L-2", "modified_at": "2020-01-01T00:00:00Z", "company": "Client Deux", "country": "FR",
   "product_line": "IN_STORE"},
  {"ref": "L-3", "modified_at": "2020-01-01T00:00:00Z", "company": "Already won", "country": "FR",
   "product_line": "IN_STORE", "status": "converted"},
  {"ref": "L-4", "modified_at": "2020-01-01T00:00:00Z", "company": "Big", "country": "FR",
   "product_line": "IN_STORE", "employees": -5}
]$$) ORDER BY item;
-- a batch is applied set-based: 40 records with two bad ones among them
-- (a CHECK the database refuses, a product line it does not know) -- the
-- set is halved until each bad record is alone; the 38 others are created,
-- each bad one rejected with its own error; the same batch again is unchanged
SELECT outcome, count(*), string_agg(ref || ': ' || reason, '; ' ORDER BY item) AS reasons
FROM channel.upsert_leads('crm', (
  SELECT jsonb_agg(jsonb_build_object('ref', 'LB-' || i, 'modified_at', '2020-01-01T00:00:00Z',
                                      'company', 'Batch ' || i, 'country', 'FR',
                                      'product_line', CASE WHEN i = 29 THEN 'NO_SUCH_LINE' ELSE 'IN_STORE' END,
                                      'timeline_days', CASE WHEN i = 7 THEN 99999 ELSE 30 END) ORDER BY i)
  FROM generate_series(1, 40) i))
GROUP BY outcome ORDER BY outcome;
SELECT outcome, count(*) FROM channel.upsert_leads('crm', (
  SELECT jsonb_agg(jsonb_build_object('ref', 'LB-' || i, 'modified_at', '2020-01-01T00:00:00Z',
                                      'company', 'Batch ' || i, 'country', 'FR',
                                      'product_line', CASE WHEN i = 29 THEN 'NO_SUCH_LINE' ELSE 'IN_STORE' END,
                                      'timeline_days', CASE WHEN i = 7 THEN 99999 ELSE 30 END) ORDER BY i)
  FROM generate_series(1, 40) i))
GROUP BY outcome ORDER BY outcome;
RESET ROLE;
SELECT count(*) AS batch_leads, count(DISTINCT x.local_id) AS mapped_once
FROM channel.external_ref x JOIN channel.lead l ON l.lead_id = x.local_id
WHERE x.entity = 'lead' AND x.source = 'crm' AND x.external_id LIKE 'LB-%' AND l.company LIKE 'Batch %';
DELETE FROM channel.lead WHERE lead_id IN (SELECT local_id FROM channel.external_ref
                                           WHERE entity = 'lead' AND source = 'crm' AND external_id LIKE 'LB-%');
DELETE FROM channel.external_ref WHERE entity = 'lead' AND source = 'crm' AND external_id LIKE 'LB-%';
SET LOCAL ROLE regress_int_crm;
-- accepting a lead that was never routed: the same refusal accept_lead gives
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_leads('crm',
  '[{"ref": "L-1", "modified_at": "2020-01-02T00:00:00Z", "status": "accepted"}]');
RESET ROLE;
SELECT max(local_id) FILTER (WHERE external_id = 'L-1') AS l1, max(local_id) FILTER (WHERE external_id = 'L-2') AS l2
FROM channel.external_ref WHERE entity = 'lead' AND source = 'crm' \gset
SELECT count(*) AS routed FROM channel.route_leads() r WHERE r.lead_id IN (:l1, :l2) AND r.partner_id = :p2;
SET LOCAL ROLE regress_int_crm;
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_leads('crm', $$[
  {"ref": "L-1", "modified_at": "2020-01-02T00:00:00Z", "status": "accepted"},
  {"ref": "L-2", "modified_at": "2020-01-02T00:00:00Z", "status": "rejected", "reject_reason": "because"},
  {"ref": "L-2", "modified_at": "2020-01-03T00:00:00Z", "status": "recalled"},
  {"ref": "L-2", "modified_at": "2020-01-04T00:00:00Z", "status": "rejected", "reject_reason": "no_capacity"}
]$$) ORDER BY item;
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_leads('crm', $$[
  {"ref": "L-1", "modified_at": "2020-01-03T00:00:00Z", "status": "converted"}
]$$) ORDER BY item;
RESET ROLE;
-- the history and the state are what the functions write
SELECT l.lead_id = :l1 AS is_l1, e.from_status, e.to_status, e.partner_id = :p2 AS partner_is_p2, e.reason IS NOT NULL AS has_reason
FROM channel.lead_event e JOIN channel.lead l USING (lead_id)
WHERE l.lead_id IN (:l1, :l2) ORDER BY e.lead_id, e.event_id;
SELECT d.partner_id = :p2 AS for_p2, d.customer_name, d.amount, d.status FROM channel.deal d WHERE d.lead_id = :l1;
SET LOCAL ROLE regress_int_crm;

-- ---- deals: registered through register_deal, closed through the lifecycle
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_deals('crm', format($$[
  {"ref": "D-1", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-2", "customer_name": "Kunde Eins GmbH",
   "customer_country": "DE", "product_line": "IN_STORE", "amount": 12000, "currency": "EUR", "expected_close": "%1$s"},
  {"ref": "D-2", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-1", "customer_name": "Not authorized",
   "customer_country": "DE", "product_line": "IN_STORE", "amount": 1, "expected_close": "%1$s"},
  {"ref": "D-3", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-2", "customer_name": "Past close",
   "customer_country": "DE", "product_line": "IN_STORE", "amount": 1, "expected_close": "%2$s"},
  {"ref": "D-4", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-2", "customer_name": "Not a number",
   "customer_country": "DE", "product_line": "IN_STORE", "amount": "NaN", "expected_close": "%1$s"},
  {"ref": "D-5", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-2", "customer_name": "Kunde Eins",
   "customer_country": "DE", "product_line": "IN_STORE", "amount": 500, "expected_close": "%1$s", "status": "won"}
]$$, current_date + 60, current_date - 1)::jsonb) ORDER BY item;
-- a won deal must be approved first; the CRM cannot jump the state machine
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_deals('crm', $$[
  {"ref": "D-1", "modified_at": "2020-01-02T00:00:00Z", "status": "won", "amount": 15000},
  {"ref": "D-1", "modified_at": "2020-01-03T00:00:00Z", "status": "expired"},
  {"ref": "D-1", "modified_at": "2020-01-04T00:00:00Z", "customer_name": "Someone else"},
  {"ref": "D-1", "modified_at": "2020-01-05T00:00:00Z", "status": "approved"},
  {"ref": "D-1", "modified_at": "2020-01-06T00:00:00Z", "status": "won", "amount": 15000},
  {"ref": "D-1", "modified_at": "2020-01-07T00:00:00Z", "amount": 1}
]$$) ORDER BY item;
RESET ROLE;
SELECT d.status, d.amount, d.currency, d.customer_name
FROM channel.external_ref x JOIN channel.deal d ON d.deal_id = x.local_id
WHERE x.entity = 'deal' AND x.source = 'crm' ORDER BY x.external_id;
SELECT e.from_status, e.to_status, e.reason
FROM channel.external_ref x JOIN channel.deal_event e ON e.deal_id = x.local_id
WHERE x.entity = 'deal' AND x.source = 'crm' AND x.external_id = 'D-1' ORDER BY e.event_id;

-- a staging table instead of an array (NULL columns are left out)
CREATE TEMP TABLE crm_leads (ref text, modified_at timestamptz, company text, country text, product_line text, budget numeric);
INSERT INTO crm_leads VALUES ('L-10', '2020-01-01', 'Staged one', 'FR', 'IN_STORE', 100),
                             ('L-11', '2020-01-01', 'Staged two', 'FR', 'IN_STORE', NULL),
                             ('L-12', '2020-01-01', 'Staged bad', 'FR', 'NO_SUCH', NULL);
SELECT item, ref, outcome, regexp_replace(reason, '(lead|deal|partner) \d+', '\1 N', 'g') AS reason FROM channel.upsert_leads_from('crm', 'crm_leads') ORDER BY item;
SELECT item, ref, outcome FROM channel.upsert_leads_from('crm', 'crm_leads') ORDER BY item;

-- who may upsert: the integration role and admins, never a partner or an analyst
SET LOCAL ROLE regress_int_partner;
SELECT * FROM channel.upsert_leads('crm', '[]');
SELECT count(*) FROM channel.external_ref;
RESET ROLE;
SET LOCAL ROLE channel_analyst;
SELECT * FROM channel.upsert_leads('crm', '[]');
RESET ROLE;

-- ---- escalation rules: each occurrence notified once
INSERT INTO channel.escalation_rule (kind, within, times, recipient) VALUES
  ('lead_sla_warning', '1000 days', NULL, 'partner'),
  ('registration_waiting', '1 hour', NULL, 'channel_admin'),
  ('certification_expiring', '30 days', NULL, 'partner'),
  ('protection_ending', '2 days', NULL, 'partner'),
  ('lead_recalled', NULL, 2, 'channel_admin');
INSERT INTO channel.escalation_rule (kind, within) VALUES ('lead_recalled', '1 day');
INSERT INTO channel.escalation_rule (kind, within) VALUES ('conflict_open', '-1 day');
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
VALUES (:p2, 'IN_STORE', 'associate', current_date - 300, current_date + 10),
       (:p2, 'IN_STORE', 'expert', current_date - 300, current_date + 100);
SELECT lead_id AS lsla FROM channel.route_leads() WHERE partner_id = :p2 LIMIT 1 \gset
SELECT item, outcome, reason FROM channel.upsert_deals('crm', format($$[
  {"ref": "D-6", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-2", "customer_name": "Waiting AG",
   "customer_country": "DE", "product_line": "IN_STORE", "amount": 10, "expected_close": "%1$s"},
  {"ref": "D-7", "modified_at": "2020-01-01T00:00:00Z", "partner_ref": "P-2", "customer_name": "Ending BV",
   "customer_country": "NL", "product_line": "IN_STORE", "amount": 10, "expected_close": "%1$s", "status": "approved"}
]$$, current_date + 60)::jsonb) ORDER BY item;
-- registration D-6 has waited two hours; D-7's protection ends tomorrow; lead L-2 was recalled twice
UPDATE channel.deal SET submitted_at = submitted_at - interval '2 hours'
WHERE deal_id = (SELECT local_id FROM channel.external_ref WHERE entity = 'deal' AND external_id = 'D-6' AND source = 'crm');
UPDATE channel.deal SET protected_until = now() + interval '1 day'
WHERE deal_id = (SELECT local_id FROM channel.external_ref WHERE entity = 'deal' AND external_id = 'D-7' AND source = 'crm');
INSERT INTO channel.lead_event (lead_id, from_status, to_status, partner_id, reason)
VALUES (:l2, 'routed', 'recalled', :p2, 'sla_expired'), (:l2, 'routed', 'recalled', :p2, 'sla_expired');
SELECT max(event_id) AS before_notify FROM channel.change_event \gset
SELECT channel.evaluate_escalations() AS notified;
SELECT channel.evaluate_escalations() AS notified_again;
SELECT event_type, entity, partner_id = :p2 AS to_p2, payload->'recipient'->>'email' AS email,
       payload->'recipient'->>'role' AS role, payload->>'message' LIKE '%' || entity_id || '%' AS message_names_it
FROM channel.change_event WHERE event_id > :before_notify ORDER BY event_id;
-- a partner cannot evaluate them
SET LOCAL ROLE regress_int_partner;
SELECT channel.evaluate_escalations();
RESET ROLE;
ROLLBACK;

-- ===================================================================== part 2
-- the change feed across committed transactions
INSERT INTO channel.product_line (code, name) VALUES ('FD_STORE', 'Feed test storage');
INSERT INTO channel.partner (partner_id, name, tier, status, country) VALUES
  (7101, 'Feed partner A', 'gold', 'active', 'FR'), (7102, 'Feed partner B', 'gold', 'active', 'FR');
INSERT INTO channel.partner_territory (partner_id, country) VALUES (7101, 'FR'), (7102, 'FR');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (7101, 'FD_STORE');
CREATE ROLE regress_feed_a;
CREATE ROLE regress_feed_b;
CREATE ROLE regress_feed_reader;
GRANT channel_partner TO regress_feed_a, regress_feed_b;
GRANT channel_consumer TO regress_feed_reader;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_feed_a', 7101), ('regress_feed_b', 7102);

SET SESSION AUTHORIZATION regress_feed_reader;
SELECT channel.create_consumer('crm-sync');
SELECT channel.create_consumer('crm-sync');
SELECT channel.create_consumer('Bad Name');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_feed_a;
SELECT channel.create_consumer('crm-sync');   -- names are per owner
RESET SESSION AUTHORIZATION;

-- changes, each in its own transaction
INSERT INTO channel.lead (lead_id, company, country, product_line, score) VALUES (7201, 'Feed lead', 'FR', 'FD_STORE', 50);
SELECT channel.route_lead(7201) AS routed_to;
UPDATE channel.partner SET tier = 'platinum' WHERE partner_id = 7102;
UPDATE channel.partner SET website = 'https://a.example' WHERE partner_id = 7101;   -- no event: not a state change

SET SESSION AUTHORIZATION regress_feed_reader;
SELECT event_type, entity, entity_id, partner_id, payload - 'accept_by' - 'reason' AS payload
FROM channel.read_events('crm-sync') ORDER BY cursor;
-- not acknowledged: the same events again
SELECT count(*) AS again FROM channel.read_events('crm-sync');
SELECT max(cursor) AS last FROM channel.read_events('crm-sync', 2) \gset
SELECT channel.ack_events('crm-sync', :last);
SELECT channel.ack_events('crm-sync', :last) AS acked_twice;
SELECT event_type FROM channel.read_events('crm-sync') ORDER BY cursor;
SELECT max(cursor) AS last FROM channel.read_events('crm-sync') \gset
SELECT channel.ack_events('crm-sync', :last);
SELECT count(*) AS nothing_left FROM channel.read_events('crm-sync');
-- a cursor behind the consumer's position is acknowledged already (false);
-- one never handed out is refused
SELECT channel.ack_events('crm-sync', 1);
SELECT channel.ack_events('crm-sync', 9223372036854775807);
SELECT * FROM channel.read_events('crm-sync', 0);
SELECT * FROM channel.read_events('no-such-consumer');
-- the reader has the feed functions and nothing else
SELECT count(*) FROM channel.change_event;
SELECT count(*) FROM channel.lead;
SELECT channel.purge_events();
SELECT * FROM channel.upsert_leads('crm', '[]');
RESET SESSION AUTHORIZATION;

-- a partner's feed: only its own events
SET SESSION AUTHORIZATION regress_feed_a;
SELECT event_type, entity_id, partner_id FROM channel.read_events('crm-sync') ORDER BY cursor;
SELECT count(*) FROM channel.change_event;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_feed_b;
SELECT channel.create_consumer('portal', true);
SELECT event_type, entity_id, partner_id FROM channel.read_events('portal') ORDER BY cursor;
SELECT * FROM channel.read_events('crm-sync');   -- partner A's consumer is not B's
RESET SESSION AUTHORIZATION;

-- the holder accepts, in its own transaction; the next batch shows it
SET SESSION AUTHORIZATION regress_feed_a;
SELECT channel.accept_lead(7201);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_feed_reader;
SELECT event_type, entity_id, partner_id, payload->>'from' AS from_status FROM channel.read_events('crm-sync') ORDER BY cursor;
RESET SESSION AUTHORIZATION;

-- purge: nothing younger than the retention, nothing unacknowledged
SELECT channel.purge_events() AS purged_young;
SET channel.event_retention = '0';
SELECT count(*) > 0 AS unacked_held FROM channel.change_event WHERE entity_id = 7201 AND event_type = 'lead.accepted';
SELECT channel.purge_events() >= 0 AS purged;
SELECT count(*) AS accepted_kept FROM channel.change_event WHERE entity_id = 7201 AND event_type = 'lead.accepted';
SET channel.event_retention = 'a while';
SET channel.event_retention = '-1';
RESET channel.event_retention;
SHOW channel.event_retention;

-- clean up
SET SESSION AUTHORIZATION regress_feed_a;
SELECT channel.drop_consumer('crm-sync');
RESET SESSION AUTHORIZATION;
DELETE FROM channel.event_consumer WHERE consumer IN ('crm-sync', 'portal');
DELETE FROM channel.lead WHERE lead_id = 7201;
DELETE FROM channel.partner_user WHERE partner_id IN (7101, 7102);
DELETE FROM channel.partner WHERE partner_id IN (7101, 7102);
DELETE FROM channel.product_line WHERE code = 'FD_STORE';
DELETE FROM channel.change_event WHERE entity_id IN (7101, 7102, 7201);
DROP ROLE regress_feed_a, regress_feed_b, regress_feed_reader;
SELECT count(*) AS consumers_left FROM channel.event_consumer;
SELECT count(*) AS refs_left FROM channel.external_ref;
