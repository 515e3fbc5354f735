-- 61_account_routing: registrations and leads matched to the end-customer
-- master, and account-centric routing (channel.account_routing): a lead
-- whose end customer a partner already holds -- a live registration, an
-- accepted lead or recent sell-through of the customer and line -- goes to
-- that partner first.  Everything is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SELECT current_date AS today \gset

BEGIN;
INSERT INTO channel.product_line (code, name) VALUES ('AR_STORE', 'Account routing test storage');
-- Alpha fits best (gold, certified-free line, empty); Bravo and Charlie less
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country, max_open_leads) VALUES
  (6101, 'Alpha AR', 'reseller', 'gold', 'active', 'FR', 10),
  (6102, 'Bravo AR', 'reseller', 'registered', 'active', 'FR', 10),
  (6103, 'Charlie AR', 'reseller', 'silver', 'active', 'FR', 10),
  (6104, 'Delta AR', 'distributor', 'gold', 'active', 'FR', 10);
INSERT INTO channel.partner_territory (partner_id, country) VALUES (6101, 'FR'), (6102, 'FR'), (6103, 'FR'), (6104, 'FR');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES
  (6101, 'AR_STORE'), (6102, 'AR_STORE'), (6103, 'AR_STORE'), (6104, 'AR_STORE');

-- 1. matching: a registration and leads of one customer, spelled three ways,
-- share one end customer; another customer gets another
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (6201, 6102, 'Boulangerie Martin SARL', 'FR', 'AR_STORE', 10000, :'today'::date + 60);
INSERT INTO channel.lead (lead_id, company, country, product_line, score) VALUES
  (6301, 'Boulangerie Martin', 'FR', 'AR_STORE', 30),
  (6302, 'BOULANGERIE MARTIN S.A.R.L.', 'FR', 'AR_STORE', 30),
  (6303, 'Quincaillerie Dupont', 'FR', 'AR_STORE', 30);
SELECT 'deal' AS what, deal_id AS id, customer_name AS name, end_customer_id = (SELECT end_customer_id FROM channel.deal WHERE deal_id = 6201) AS same_as_deal
FROM channel.deal WHERE deal_id = 6201
UNION ALL
SELECT 'lead', lead_id, company, end_customer_id = (SELECT end_customer_id FROM channel.deal WHERE deal_id = 6201)
FROM channel.lead WHERE lead_id IN (6301, 6302, 6303)
ORDER BY 1, 2;
SELECT e.name, e.country, a.name AS spelling, a.match
FROM channel.end_customer e JOIN channel.end_customer_alias a USING (end_customer_id)
WHERE e.end_customer_id IN (SELECT end_customer_id FROM channel.lead WHERE lead_id BETWEEN 6301 AND 6303)
ORDER BY e.name, a.name;
-- a changed company is matched again; a writer may name the customer itself
UPDATE channel.lead SET company = 'Quincaillerie Dupont et Fils' WHERE lead_id = 6303;
SELECT (SELECT end_customer_id FROM channel.lead WHERE lead_id = 6303)
       = (SELECT end_customer_id FROM channel.end_customer_alias WHERE country = 'FR' AND name = 'Quincaillerie Dupont et Fils')
       AS rematched;
-- rows without one (from before 0.2.0) are linked by link_end_customers()
UPDATE channel.lead SET end_customer_id = NULL WHERE lead_id IN (6301, 6302);
SELECT * FROM channel.link_end_customers();
SELECT count(DISTINCT end_customer_id) AS customers, count(end_customer_id) AS linked
FROM channel.lead WHERE lead_id IN (6301, 6302);
-- blank or unknown: no customer
SELECT channel.end_customer_of('FR', '  ') AS blank, channel.end_customer_of('XX', 'Boulangerie Martin') AS unknown_country,
       channel.end_customer_of(NULL, 'x') AS null_country;

-- 2. routing: without account routing, the best fit takes each lead (Alpha
-- the first two; then Charlie, as Alpha's room shrinks)
SHOW channel.account_routing;
SHOW channel.account_fit_bonus;
SELECT l.lead_id, p.partner_id, channel.partner_fit(l, p) AS fit
FROM channel.lead l CROSS JOIN channel.partner p
WHERE l.lead_id = 6301 AND p.partner_id IN (6101, 6102, 6103) ORDER BY 2;
SAVEPOINT s;
SET LOCAL channel.account_routing = off;
SELECT * FROM channel.route_leads() ORDER BY lead_id;
SELECT lead_id, status_reason FROM channel.lead WHERE lead_id BETWEEN 6301 AND 6303 ORDER BY 1;
ROLLBACK TO SAVEPOINT s;
-- prefer (the default, bonus 0.2): Bravo, the registrant of Boulangerie
-- Martin, gets both of its leads; the other lead goes by fit
SELECT * FROM channel.route_leads() ORDER BY lead_id;
SELECT lead_id, status_reason FROM channel.lead WHERE lead_id BETWEEN 6301 AND 6303 ORDER BY 1;
ROLLBACK TO SAVEPOINT s;
-- a bonus smaller than the gap: the better fit still wins
SET LOCAL channel.account_fit_bonus = 0.01;
SELECT * FROM channel.route_leads() ORDER BY lead_id;
ROLLBACK TO SAVEPOINT s;
-- require: the holder whatever the gap ...
SET LOCAL channel.account_routing = require;
SET LOCAL channel.account_fit_bonus = 0;
SELECT * FROM channel.route_leads() ORDER BY lead_id;
SELECT lead_id, status_reason FROM channel.lead WHERE lead_id = 6301;
ROLLBACK TO SAVEPOINT s;
-- ... when it is eligible: at capacity, the lead goes by fit
SET LOCAL channel.account_routing = require;
UPDATE channel.partner SET max_open_leads = 0 WHERE partner_id = 6102;
SELECT * FROM channel.route_leads() ORDER BY lead_id;
ROLLBACK TO SAVEPOINT s;
-- a registration that is no longer live holds nothing
UPDATE channel.deal SET status = 'rejected', decided_at = now(), status_reason = 'duplicate' WHERE deal_id = 6201;
SELECT * FROM channel.route_leads() ORDER BY lead_id;
ROLLBACK TO SAVEPOINT s;
-- nor does one of another product line
INSERT INTO channel.product_line (code, name) VALUES ('AR_OTHER', 'Account routing other line');
UPDATE channel.deal SET product_line = 'AR_OTHER' WHERE deal_id = 6201;
SELECT * FROM channel.route_leads() ORDER BY lead_id;
ROLLBACK TO SAVEPOINT s;

-- 3. an accepted lead holds its customer: Charlie accepted a lead of
-- Quincaillerie Dupont et Fils, so the next one goes to Charlie
UPDATE channel.lead SET status = 'accepted', partner_id = 6103, routed_at = now() - interval '2 days',
       accept_by = now() - interval '1 day', accepted_at = now() - interval '1 day'
WHERE lead_id = 6303;
INSERT INTO channel.lead (lead_id, company, country, product_line, score)
VALUES (6304, 'Quincaillerie Dupont & Fils', 'FR', 'AR_STORE', 30);
SELECT end_customer_id = (SELECT end_customer_id FROM channel.lead WHERE lead_id = 6303) AS same_customer
FROM channel.lead WHERE lead_id = 6304;
SELECT channel.route_lead(6304) AS routed_to;
SELECT status_reason FROM channel.lead WHERE lead_id = 6304;
ROLLBACK TO SAVEPOINT s;

-- 4. recent sell-through holds its customer: Charlie sold Epicerie Durand
-- the line 30 days ago (a fact as ingestion publishes it); a sale over a
-- year old, or by a distributor (never a routing candidate), does not count
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from)
VALUES (6401, 'AR-SKU-1', 'AR_STORE', 'AR box', 100, 'EUR', :'today'::date - 800);
INSERT INTO channel.report_batch (batch_id, partner_id, kind, status) VALUES (6501, 6103, 'sell_through', 'staged');
INSERT INTO channel.lead (lead_id, company, country, product_line, score) VALUES
  (6305, 'Epicerie Durand', 'FR', 'AR_STORE', 30);
INSERT INTO channel.sell_through (partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration)
SELECT 6103, 'INV-1', 1, 6501, 1, :'today'::date - 30, 6401, 'AR_STORE', 1, 100, 'EUR', 'Epicerie Durand', 'FR',
       end_customer_id, 6103, 'unregistered'
FROM channel.lead WHERE lead_id = 6305;
SELECT channel.route_lead(6305) AS routed_to;
SELECT status_reason FROM channel.lead WHERE lead_id = 6305;
ROLLBACK TO SAVEPOINT s;
INSERT INTO channel.report_batch (batch_id, partner_id, kind, status) VALUES (6501, 6103, 'sell_through', 'staged');
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from)
VALUES (6401, 'AR-SKU-1', 'AR_STORE', 'AR box', 100, 'EUR', :'today'::date - 800);
INSERT INTO channel.lead (lead_id, company, country, product_line, score) VALUES
  (6305, 'Epicerie Durand', 'FR', 'AR_STORE', 30);
INSERT INTO channel.sell_through (partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration)
SELECT 6103, 'INV-1', 1, 6501, 1, :'today'::date - 366, 6401, 'AR_STORE', 1, 100, 'EUR', 'Epicerie Durand', 'FR',
       end_customer_id, 6103, 'unregistered'
FROM channel.lead WHERE lead_id = 6305
UNION ALL
SELECT 6104, 'INV-2', 1, 6501, 2, :'today'::date - 10, 6401, 'AR_STORE', 1, 100, 'EUR', 'Epicerie Durand', 'FR',
       end_customer_id, 6104, 'unregistered'
FROM channel.lead WHERE lead_id = 6305;
SELECT channel.route_lead(6305) AS routed_to;
ROLLBACK;
