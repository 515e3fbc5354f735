-- test/sh/backup/fixture.sql -- a small channel with a row in (nearly) every
-- table, for the backup tests (backup_restore.sh, pitr.sh).  Run in a fresh
-- database with psql -v ON_ERROR_STOP=1.
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION channel;
\o /dev/null
SELECT count(*) FROM channel.generate_demo(200, 1500, 3);
SELECT channel.demo_programs();
SELECT count(*) FROM channel.apply_tiers();
SELECT channel.set_tier_override((SELECT min(partner_id) FROM channel.partner WHERE status = 'active'),
                                 'gold', 'backup fixture', current_date + 90);
SELECT channel.demo_funds();
SELECT channel.demo_channel_data(2000, 1);
SELECT format('SELECT channel.ingest_sell_through(%s)', batch_id) FROM channel.report_batch
WHERE kind = 'sell_through' AND status = 'staged' ORDER BY batch_id \gexec
SELECT format('SELECT channel.ingest_inventory(%s)', batch_id) FROM channel.report_batch
WHERE kind = 'inventory' AND status = 'staged' ORDER BY batch_id \gexec
-- co-op on reported sell-through as well as on won deals
UPDATE channel.fund_budget SET accrue_on = 'both' WHERE fund = 'coop';
SELECT count(*) FROM channel.accrue_coop();
-- programmes' business plans and engagement; the deal desk; contracts and renewals
SELECT channel.demo_plans_engagement();
SELECT count(*) FROM channel.demo_deal_desk(200, 3);
SELECT count(*) FROM channel.demo_contracts(200, 3);
SELECT count(*) FROM channel.make_renewals();
SELECT count(*) FROM channel.train_scoring(0);
SELECT count(*) FROM channel.train_forecast();
SELECT channel.create_consumer('backup-test');
INSERT INTO channel.external_ref (entity, source, external_id, local_id, source_modified_at, record_hash)
SELECT 'partner', 'salesforce', 'ACC-' || partner_id, partner_id, now() - interval '1 day', 'mapped by hand'
FROM channel.partner WHERE status = 'active' ORDER BY partner_id LIMIT 5;
SELECT count(*) FROM channel.upsert_leads('salesforce', (
  SELECT jsonb_agg(jsonb_build_object('ref', 'LEAD-' || i, 'modified_at', now() - interval '1 hour',
                   'company', 'CRM customer ' || i, 'country', 'FR',
                   'product_line', (SELECT min(code) FROM channel.product_line), 'source', 'campaign'))
  FROM generate_series(1, 20) i));
INSERT INTO channel.escalation_rule (kind, within, times, recipient, description) VALUES
  ('registration_waiting', '1 minute', NULL, 'channel_admin', 'registrations waiting for approval'),
  ('protection_ending', '30 days', NULL, 'partner', 'protection ending within a month');
SELECT channel.evaluate_escalations();
SELECT count(*) FROM channel.route_leads();
-- rows of the vendor's own in the tables whose shipped rows are not dumped
INSERT INTO channel.scoring_rule (attribute, operator, value, points, description)
VALUES ('source', '=', 'webinar', 7, 'backup fixture: webinars convert well');
INSERT INTO channel.reject_reason (code, description) VALUES ('backup_fixture', 'Backup fixture: out of scope.');
INSERT INTO channel.tier_metric (metric, description, unit, better, source, numerator, windowed)
SELECT 'backup_won_revenue', 'Backup fixture: won revenue again.', unit, better, source, numerator, windowed
FROM channel.tier_metric WHERE metric = 'won_revenue';
CALL channel.refresh_rollups();
-- after the refresh: routed leads the rollup queue still holds
INSERT INTO channel.lead (company, country, product_line, source)
SELECT 'Backup queued lead ' || i, 'DE', pl.code, 'inbound_call'
FROM channel.product_line pl CROSS JOIN generate_series(1, 3) i;
SELECT count(*) FROM channel.route_leads();
-- a partner's login, mapped (pg_dumpall carries the role, pg_dump the mapping)
CREATE ROLE backup_fixture_partner LOGIN IN ROLE channel_partner;
INSERT INTO channel.partner_user (role_name, partner_id)
SELECT 'backup_fixture_partner', min(partner_id) FROM channel.deal;
\o
