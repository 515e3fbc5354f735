-- 03_history: every lead and deal transition lands in its append-only
-- history table, with who, from, to, which partner and why.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO channel.product_line (code, name) VALUES ('SERVERS', 'Servers');
INSERT INTO channel.partner (partner_id, name, status, country) VALUES
  (1, 'Ibérica Sistemas S.L.', 'active', 'ES'), (2, 'Andina Redes S.A.S.', 'active', 'CO');

INSERT INTO channel.lead (lead_id, company, country, product_line) VALUES (1, 'Grupo Bimbo', 'MX', 'SERVERS');
UPDATE channel.lead SET status = 'routed', partner_id = 1, routed_at = '2026-05-04 08:00+00',
       accept_by = '2026-05-06 08:00+00', status_reason = 'best fit' WHERE lead_id = 1;
-- changing other columns writes no history
UPDATE channel.lead SET budget = 90000, status_reason = 'best fit' WHERE lead_id = 1;
UPDATE channel.lead SET status = 'rejected', reject_reason = 'out_of_territory', status_reason = NULL WHERE lead_id = 1;
UPDATE channel.lead SET status = 'routed', partner_id = 2, routed_at = '2026-05-04 09:00+00',
       accept_by = '2026-05-06 09:00+00', status_reason = 're-routed after rejection' WHERE lead_id = 1;
UPDATE channel.lead SET status = 'recalled', status_reason = 'sla_expired' WHERE lead_id = 1;
UPDATE channel.lead SET status = 'pooled', partner_id = NULL, status_reason = 'no_eligible_partner' WHERE lead_id = 1;

SELECT event_id, lead_id, actor = session_user AS by_me, from_status, to_status, partner_id, reason
FROM channel.lead_event ORDER BY event_id;

INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          submitted_at)
VALUES (1, 2, 'Ecopetrol S.A.', 'CO', 'SERVERS', 50000, '2026-09-30', '2026-05-01 10:00+00');
UPDATE channel.deal SET status = 'approved', decided_at = '2026-05-02 10:00+00',
       protected_until = '2026-07-30 10:00+00', status_reason = 'verified' WHERE deal_id = 1;
UPDATE channel.deal SET status = 'lost', closed_at = '2026-06-02 10:00+00', status_reason = 'lost to competitor'
WHERE deal_id = 1;
SELECT event_id, deal_id, actor = session_user AS by_me, from_status, to_status, reason
FROM channel.deal_event ORDER BY event_id;

-- history cannot be rewritten or removed directly ...
UPDATE channel.lead_event SET reason = 'nothing happened' WHERE lead_id = 1;
DELETE FROM channel.lead_event WHERE lead_id = 1;
DELETE FROM channel.deal_event WHERE deal_id = 1;
-- ... but goes with its lead or deal
DELETE FROM channel.deal WHERE deal_id = 1;
DELETE FROM channel.lead WHERE lead_id = 1;
SELECT (SELECT count(*) FROM channel.lead_event) AS lead_events, (SELECT count(*) FROM channel.deal_event) AS deal_events;

SET client_min_messages = warning;
TRUNCATE channel.partner, channel.product_line, channel.lead, channel.deal RESTART IDENTITY CASCADE;
RESET client_min_messages;
