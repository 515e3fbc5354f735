-- 73_feed_funds_data: the change feed carries the funds' and channel data's
-- events (src/sql/73_feed_funds_data.sql): every fund ledger movement of a
-- partner's money, the fund request and claim lifecycles, report batches
-- staged and published, and sell-through leakage (vendor only).  Each event
-- is written in the transaction of its change; the partner column decides
-- whose filtered feed shows it.  Dates are relative to today; runs in a
-- transaction that is rolled back.
\set VERBOSITY terse
\set SHOW_CONTEXT never
BEGIN;
SELECT current_date AS today, date_trunc('quarter', current_date)::date AS q0 \gset
SELECT coalesce(max(event_id), 0) AS e0 FROM channel.change_event \gset
CREATE ROLE regress_feed_a;
GRANT channel_partner TO regress_feed_a;
CREATE ROLE regress_feed_mgr;
GRANT channel_admin TO regress_feed_mgr;
INSERT INTO channel.product_line (code, name) VALUES ('FEED_STOR', 'Feed test storage');
INSERT INTO channel.partner (partner_id, name, tier, status, country, created_at) VALUES
  (7301, 'Feed Alpha GmbH', 'gold', 'active', 'DE', now() - interval '400 days'),
  (7302, 'Feed Beta SARL', 'gold', 'active', 'FR', now() - interval '400 days');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (7301, 'FEED_STOR'), (7302, 'FEED_STOR');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_feed_a', 7301);

-- ---- funds: budget, allocation, request, approval, claim, payment
SET SESSION AUTHORIZATION regress_feed_mgr;
SELECT channel.create_fund_budget('Feed MDF', 'mdf', 'quarter', :'q0', 'USD', 10000) AS budget \gset
SELECT allocation_id AS alloc FROM channel.allocate_funds(:budget, 4000, ARRAY[7301]::bigint[]) \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_feed_a;
SELECT channel.create_fund_request(:alloc, 'webinar', 'Feed webinar', :'q0'::date + 5, :'q0'::date + 6, 1500, 'USD') AS req \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_feed_mgr;
SELECT channel.approve_fund_request(:req);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_feed_a;
SELECT channel.create_fund_claim(:req, 1200, 'USD', '[{"number": "INV-F1", "amount": 1200}]', ARRAY['invoice.pdf']) AS claim \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_feed_mgr;
SELECT channel.approve_fund_claim(:claim);
SELECT channel.pay_fund_claim(:claim, 'PAY-F1') IS NOT NULL AS paid;
RESET SESSION AUTHORIZATION;
-- one event per movement and per status change, in the order they happened;
-- the budget entry is the vendor's, everything else on partner 7301's feed
SELECT event_type, entity, CASE WHEN partner_id IS NULL THEN 'vendor' WHEN partner_id = 7301 THEN 'partner A' END AS feed,
       payload->>'v' AS v, payload->>'from' AS "from", payload->>'to' AS "to", payload->>'amount' AS amount,
       payload->>'approved_amount' AS approved, payload->>'currency' AS currency,
       (payload->>'request_id')::bigint = :req AS of_request, payload->>'payment_reference' AS payment
FROM channel.change_event
WHERE event_id > :e0 AND entity IN ('fund_entry', 'fund_request', 'fund_claim')
ORDER BY event_id;
-- every fund event is as many as the rows it reports: ledger entries and lifecycle changes
SELECT (SELECT count(*) FROM channel.fund_ledger WHERE budget_id = :budget) AS ledger_rows,
       (SELECT count(*) FROM channel.change_event WHERE event_id > :e0 AND entity = 'fund_entry') AS fund_events,
       (SELECT count(*) FROM channel.change_event WHERE event_id > :e0 AND entity = 'fund_entry'
          AND (payload->>'budget_id')::bigint = :budget) AS of_this_budget;

-- ---- channel data: a report staged and published; a sale to a customer
-- another partner holds a live registration of is leakage, for the vendor only
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from) VALUES
  (7311, 'FEED-ARR', 'FEED_STOR', 'Feed array', 10000, 'EUR', :'today'::date - 400);
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until) VALUES
  (7321, 7302, 'Leaky Customer SA', 'FR', 'FEED_STOR', 50000, 'EUR', :'today'::date + 30, 'approved',
   now() - interval '20 days', now() - interval '19 days', now() + interval '60 days');
SELECT coalesce(max(event_id), 0) AS e1 FROM channel.change_event \gset
SELECT channel.open_report('sell_through', 7301, 'feed-report.csv') AS batch \gset
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country, customer_city, customer_postcode)
VALUES ('1', 'FINV-1', to_char(:'today'::date - 5, 'YYYY-MM-DD'), 'FEED-ARR', '2', '9500', 'EUR', 'Leaky Customer SA', 'FR', 'Paris', '75001'),
       ('2', 'FINV-1', to_char(:'today'::date - 5, 'YYYY-MM-DD'), 'FEED-ARR', '1', '9500', 'EUR', 'Entirely New Customer', 'FR', 'Lyon', '69001'),
       ('3', 'FINV-2', to_char(:'today'::date - 4, 'YYYY-MM-DD'), 'NO-SUCH-SKU', '1', '10', 'EUR', 'Whoever', 'FR', 'Lyon', '69001');
SELECT lines_in, lines_published, lines_rejected, lines_leakage, lines_unregistered
FROM channel.ingest_sell_through(:batch);
SELECT line_no, reason FROM channel.report_reject WHERE batch_id = :batch ORDER BY row_no;
SELECT event_type, entity, CASE WHEN partner_id IS NULL THEN 'vendor' WHEN partner_id = 7301 THEN 'partner A' END AS feed,
       payload->>'kind' AS kind, payload->>'from' AS "from", payload->>'to' AS "to",
       payload->>'lines_in' AS lines_in, payload->>'lines_published' AS published, payload->>'lines_rejected' AS rejected,
       payload->>'lines_leakage' AS leakage, (payload->>'leakage_deal_id')::bigint AS leakage_deal,
       (payload->>'reporting_partner_id')::bigint AS reporter, payload->>'invoice_no' AS invoice
FROM channel.change_event
WHERE event_id > :e1 AND entity IN ('report_batch', 'sell_through')
ORDER BY event_id;
-- the leakage line is the one the ingest classified so, and partner A's
-- filtered feed (partner_id = 7301) never shows it
SELECT e.entity_id = s.line_id AS is_the_line, s.registration, s.leakage_deal_id
FROM channel.change_event e JOIN channel.sell_through s ON s.line_id = e.entity_id
WHERE e.event_id > :e1 AND e.event_type = 'sell_through.leakage';
SELECT count(*) AS partner_a_sees_leakage FROM channel.change_event
WHERE event_id > :e0 AND partner_id = 7301 AND event_type = 'sell_through.leakage';
-- event types are entity.what, lower case, versioned payloads
SELECT count(*) FILTER (WHERE event_type !~ '^[a-z_]+\.[a-z_]+$') AS badly_named,
       count(*) FILTER (WHERE payload->>'v' IS DISTINCT FROM '1') AS unversioned
FROM channel.change_event WHERE event_id > :e0;
ROLLBACK;
-- the one feed trigger function writes events only for the tables it knows:
-- attached to any other, it refuses the statement (and it rolls back)
BEGIN;
CREATE TABLE regress_feed_other (id int);
CREATE TRIGGER regress_feed_other_insert AFTER INSERT ON regress_feed_other
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_event();
INSERT INTO regress_feed_other VALUES (1);
ROLLBACK;
