-- 68_contracts: contracts and warranty registrations sold through partners
-- -- what they record, every refusal with its SQLSTATE --, the renewal job
-- (which contracts and warranties come due, idempotence, the renewal
-- registration and its protection, conflicts either way), renewals at
-- risk (no quote near the end), the renewal rate, and what partners see.
-- Every date is relative to one :today (or printed as a difference from
-- it), or a fixed past one where a message prints it; nothing printed
-- depends on the clock.  Creates its rows and roles and removes them.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT current_date AS today \gset

INSERT INTO channel.product_line (code, name, renewal_lead_days, renewal_risk_days, renewal_grace_days, warranty_renewal_rate)
VALUES ('RN_STOR', 'Storage (renewals test)', 90, 60, 30, 0.10),
       ('RN_NET', 'Networking (renewals test)', 30, 15, 0, 0.20);
INSERT INTO channel.partner (partner_id, name, kind, status, country, created_at) VALUES
  (6801, 'Incumbent Services SARL', 'reseller', 'active', 'FR', '2001-01-01'),
  (6802, 'Rival Systems SAS', 'reseller', 'active', 'FR', '2001-01-01'),
  (6803, 'Dormant Partner SA', 'reseller', 'active', 'FR', '2001-01-01'),
  (6804, 'Networking Only SARL', 'reseller', 'active', 'FR', '2001-01-01');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES
  (6801, 'RN_STOR'), (6801, 'RN_NET'), (6802, 'RN_STOR'), (6803, 'RN_STOR'), (6804, 'RN_NET');
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from, active_until) VALUES
  (6811, 'RN-SUP-1Y', 'RN_STOR', 'Storage support, 1 year', 1200, 'EUR', '2001-01-01', NULL),
  (6812, 'RN-ARRAY', 'RN_STOR', 'Array', 20000, 'EUR', '2001-01-01', NULL),
  (6813, 'RN-SWITCH', 'RN_NET', 'Switch', 3000, 'USD', '2001-01-01', NULL),
  (6814, 'RN-OLD-SUP', 'RN_STOR', 'Retired support', 900, 'EUR', '2001-01-01', '2002-01-01');
INSERT INTO channel.product_alias (partner_id, partner_sku, product_id) VALUES (6801, 'INC-SUPPORT', 6811);

-- ---------------------------------------------------------------- contracts
-- the vendor records one for 6801; a second spelling of the customer is
-- the same end customer; the partner's own part number names our SKU
SELECT channel.create_contract(6801, 'Société Générale S.A.', 'FR', 'support', :'today'::date - 305, :'today'::date + 60,
                               12000, 'EUR', ARRAY['RN-SUP-1Y', ' rn-array '], ARRAY[2, 1]) AS c_due \gset
SELECT channel.create_contract(6801, 'SOCIETE GENERALE', 'FR', 'maintenance', :'today'::date - 240, :'today'::date + 120,
                               8000, 'EUR', ARRAY['inc-support']) AS c_later \gset
SELECT channel.create_contract(6801, 'Carrefour SA', 'FR', 'subscription', :'today'::date - 360, :'today'::date - 5,
                               5000.50, 'EUR', ARRAY['RN-SUP-1Y']) AS c_grace \gset
SELECT channel.create_contract(6801, 'Banque Populaire', 'FR', 'support', :'today'::date - 400, :'today'::date - 60,
                               7000, 'EUR', ARRAY['RN-SUP-1Y']) AS c_lapsed \gset
SELECT channel.create_contract(6801, 'Renault SAS', 'FR', 'support', :'today'::date - 300, :'today'::date + 20,
                               2500, 'USD', ARRAY['RN-SWITCH']) AS c_net \gset
SELECT channel.create_contract(6803, 'Danone SA', 'FR', 'support', :'today'::date - 300, :'today'::date + 10,
                               3000, 'EUR', ARRAY['RN-SUP-1Y']) AS c_dormant \gset
SELECT channel.create_contract(6804, 'Peugeot SA', 'FR', 'support', :'today'::date - 300, :'today'::date + 15,
                               1000, 'USD', ARRAY['RN-SWITCH']) AS c_unauthorized \gset
SELECT c.contract_id = :c_due AS c_due, c.partner_id, c.customer_name, e.name AS end_customer, e.country, c.kind,
       c.product_line, c.starts_on - :'today'::date AS starts, c.ends_on - :'today'::date AS ends, c.value, c.currency
FROM channel.contract c JOIN channel.end_customer e USING (end_customer_id)
WHERE c.partner_id IN (6801, 6803) ORDER BY c.contract_id;
SELECT count(DISTINCT end_customer_id) AS one_customer FROM channel.contract WHERE contract_id IN (:c_due, :c_later);
SELECT p.sku, i.quantity FROM channel.contract_item i JOIN channel.product p USING (product_id)
WHERE i.contract_id IN (:c_due, :c_later) ORDER BY i.contract_id, p.sku;

-- refused: the term, the value, the SKUs, the customer, the partner
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2019-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', NULL, '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '1899-12-31', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 0, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', -5, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 'NaN', 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 'Infinity', 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 1e15, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', NULL, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'XXX', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'warranty', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y', 'NO-SUCH-SKU']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6802, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['INC-SUPPORT']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY[]::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y', 'inc-support']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y', 'RN-SWITCH']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-OLD-SUP']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y'], ARRAY[1, 2]);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y'], ARRAY[0]);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, 'Acme', 'ZZ', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, ' -- ', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6801, repeat('x', 301), 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6804, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6899, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(NULL, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
UPDATE channel.partner SET status = 'suspended' WHERE partner_id = 6803;
SELECT channel.create_contract(6803, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
-- the table's own rules, for writes that bypass the function
\set VERBOSITY terse
UPDATE channel.contract SET value = 'NaN' WHERE contract_id = :c_due;
UPDATE channel.contract SET ends_on = starts_on - 1 WHERE contract_id = :c_due;
\set VERBOSITY default
SELECT count(*) AS no_acme FROM channel.end_customer WHERE name = 'Acme';

-- ---------------------------------------------------------------- warranties
-- two units of one customer ending the same day become one renewal; the
-- serial is upper-cased and trimmed
SELECT channel.register_warranty(6801, 'RN-ARRAY', ' sn-0001 ', 'Société Générale', 'FR', :'today'::date - 700, :'today'::date + 30) AS w1 \gset
SELECT channel.register_warranty(6801, 'rn-array', 'SN-0002', 'SOCIETE GENERALE SA', 'FR', :'today'::date - 700, :'today'::date + 30) AS w2 \gset
SELECT channel.register_warranty(6801, 'RN-ARRAY', 'SN-0003', 'Société Générale', 'FR', :'today'::date - 400, :'today'::date + 300) AS w3 \gset
SELECT channel.register_warranty(6801, 'RN-SWITCH', 'SN-0001', 'Renault', 'FR', :'today'::date - 700, :'today'::date + 10) AS w4 \gset
SELECT w.warranty_id = :w1 AS w1, p.sku, w.serial, w.customer_name, w.starts_on - :'today'::date AS starts,
       w.ends_on - :'today'::date AS ends
FROM channel.warranty w JOIN channel.product p USING (product_id) WHERE w.partner_id = 6801 ORDER BY w.warranty_id;
-- refused: a serial twice (the same words whoever holds it), a bad one,
-- an unknown SKU, the term, the partner
SELECT channel.register_warranty(6801, 'RN-ARRAY', 'SN-0001', 'Société Générale', 'FR', :'today'::date - 700, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6802, 'RN-ARRAY', 'sn-0001', 'Someone Else', 'FR', :'today'::date - 700, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6801, 'RN-ARRAY', 'SN 0009', 'Société Générale', 'FR', :'today'::date - 700, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6801, 'RN-ARRAY', '', 'Société Générale', 'FR', :'today'::date - 700, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6801, 'NO-SUCH-SKU', 'SN-0009', 'Société Générale', 'FR', :'today'::date - 700, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6801, 'RN-ARRAY', 'SN-0009', 'Société Générale', 'FR', '2019-06-01', '2019-05-31');
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6804, 'RN-ARRAY', 'SN-0009', 'Société Générale', 'FR', :'today'::date - 700, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6801, NULL, 'SN-0009', 'Société Générale', 'FR', :'today'::date - 700, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6801, 'RN-ARRAY', 'SN-0009', NULL, 'FR', :'today'::date - 700, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE

-- ---------------------------------------------------------------- renewals
-- 6802 registered Société Générale storage before the job runs; 6804 has
-- lost its networking authorization since it sold Peugeot's contract
DELETE FROM channel.partner_product WHERE partner_id = 6804;
SELECT channel.register_deal(6802, 'Societe Generale', 'FR', 'RN_STOR', 15000, :'today'::date + 50) AS rival_first \gset
SELECT * FROM channel.make_renewals();
-- due: the contract ending in 60 days (storage: 90 days ahead), the one
-- ended 5 days ago (still in its 30 days of grace), the networking one in
-- 20 days (30 ahead); the warranties ending in 30 days (two units, one
-- renewal at 10% of list) and the switch in 10.  Not due: 120 days ahead,
-- the warranty in 300; lapsed: ended 60 days ago; 6803 is suspended, 6804
-- no longer authorized for networking.
SELECT r.kind, r.contract_id = :c_due AS c_due, r.contract_id = :c_grace AS c_grace, r.partner_id, e.name AS customer,
       r.product_line, r.due_on - :'today'::date AS due_in, r.amount, r.currency,
       (SELECT count(*) FROM channel.renewal_warranty rw WHERE rw.renewal_id = r.renewal_id) AS units
FROM channel.renewal r JOIN channel.end_customer e USING (end_customer_id)
WHERE r.partner_id IN (6801, 6803, 6804) ORDER BY r.due_on, r.kind;
-- each is an approved registration of the seller, expected to close on the
-- due day, protected until the end of the grace days (UTC)
SELECT r.kind, d.partner_id, d.customer_name, d.customer_country, d.product_line, d.amount, d.currency, d.status,
       d.expected_close = r.due_on AS closes_when_due,
       (d.protected_until AT TIME ZONE 'UTC')::date - r.due_on AS protected_days_after_due,
       d.status_reason LIKE 'renewal of contract %' OR d.status_reason LIKE 'extended-warranty renewal of % unit(s)' AS reason
FROM channel.renewal r JOIN channel.deal d USING (deal_id)
WHERE r.partner_id = 6801 ORDER BY r.due_on, r.kind;
SELECT e.from_status, e.to_status, e.reason LIKE '%renewal%' AS renewal
FROM channel.deal_event e JOIN channel.renewal r USING (deal_id) WHERE r.contract_id = :c_due;
-- the rival's earlier registration collides with the contract's and the
-- warranties' renewals: flagged conflict, with the trigger's own words
SELECT status, status_reason FROM channel.deal WHERE deal_id = :rival_first;
SELECT c.match_kind, c.score, r.kind AS renewal_kind, c.resolved_at IS NULL AS open
FROM channel.deal_conflict c JOIN channel.renewal r ON r.deal_id = c.other_deal_id
WHERE c.deal_id = :rival_first ORDER BY r.kind;
-- idempotent: a second run makes nothing
SELECT * FROM channel.make_renewals();
SELECT count(*) AS renewals FROM channel.renewal WHERE partner_id IN (6801, 6803, 6804);

-- a registration after the renewal: another partner's is a conflict (flag),
-- or refused (reject); the incumbent's own is not (a customer nobody else
-- registered)
SELECT channel.register_deal(6802, 'Carrefour', 'FR', 'RN_STOR', 4000, :'today'::date + 20) AS rival_late \gset
SELECT status, status_reason FROM channel.deal WHERE deal_id = :rival_late;
SELECT count(*) AS conflicts_with_renewal FROM channel.deal_conflict c JOIN channel.renewal r ON r.deal_id = c.other_deal_id
WHERE c.deal_id = :rival_late AND r.contract_id = :c_grace;
SET channel.conflict_policy = 'reject';
SELECT channel.register_deal(6802, 'CARREFOUR S.A.', 'FR', 'RN_STOR', 4000, :'today'::date + 20);
\echo :LAST_ERROR_SQLSTATE
RESET channel.conflict_policy;
SELECT channel.register_deal(6801, 'Renault', 'FR', 'RN_NET', 4000, :'today'::date + 20) AS own_again \gset
SELECT status FROM channel.deal WHERE deal_id = :own_again;
-- settling for the incumbent rejects the rival's registrations
SELECT channel.resolve_conflict((SELECT deal_id FROM channel.renewal WHERE contract_id = :c_due)) AS rejected;
SELECT status FROM channel.deal WHERE deal_id = :rival_first;

-- ---------------------------------------------------------------- renewals at risk
-- open, within the line's renewal_risk_days of the end (storage 60,
-- networking 15) or past it, and no current quote: Carrefour (ended 5 days
-- ago), the warranties in 30 days, Société Générale's contract in 60 and
-- the switch in 10; not Renault's networking contract, 20 days away
SELECT kind, partner_id, partner_name, customer_name, customer_country, product_line, days_left, amount, currency,
       deal_status, last_quote_status, due_on - :'today'::date = days_left AS days_left_ok
FROM channel.renewals_at_risk() WHERE partner_id = 6801;
-- ten days on, Renault's contract is at risk too
SELECT kind, product_line, days_left FROM channel.renewals_at_risk(:'today'::date + 10)
WHERE partner_id = 6801 AND product_line = 'RN_NET';
-- a quote takes Société Générale's contract off the list; a lost quote
-- does not take the warranties off (it shows as their last quote)
INSERT INTO channel.price_list (price_list_id, name, currency, valid_from) VALUES (6821, 'EUR (renewals test)', 'EUR', :'today'::date - 100);
INSERT INTO channel.price_list_item (price_list_id, product_id, unit_price, unit_cost, floor_pct) VALUES
  (6821, 6811, 1200, 600, 10), (6821, 6812, 20000, 12000, 10);
SELECT channel.create_quote((SELECT deal_id FROM channel.renewal WHERE contract_id = :c_due), 'EUR', :'today'::date + 30) AS q_due \gset
SELECT channel.add_quote_line(:q_due, 'RN-SUP-1Y', 2) AS line;
SELECT channel.create_quote((SELECT deal_id FROM channel.renewal WHERE kind = 'warranty' AND product_line = 'RN_STOR' AND partner_id = 6801),
                            'EUR', :'today'::date + 30) AS q_warranty \gset
SELECT channel.lose_quote(:q_warranty, 'customer replaces the arrays');
SELECT kind, customer_name, days_left, last_quote_status FROM channel.renewals_at_risk() WHERE partner_id = 6801;
SELECT * FROM channel.renewals_at_risk(NULL);
\echo :LAST_ERROR_SQLSTATE

-- ---------------------------------------------------------------- renewal rate
-- the incumbent renews Société Générale's contract and loses Carrefour's
SELECT channel.close_deal((SELECT deal_id FROM channel.renewal WHERE contract_id = :c_due), true, 12500);
SELECT channel.close_deal((SELECT deal_id FROM channel.renewal WHERE contract_id = :c_grace), false);
SELECT partner_id, partner_name, product_line, due, renewed, lost, lapsed, open, round(renewal_rate::numeric, 3) AS renewal_rate
FROM channel.renewal_rate(:'today'::date - 10, :'today'::date + 90) WHERE partner_id BETWEEN 6801 AND 6804;
-- the period is checked; renewals due outside it are not counted
SELECT partner_id, product_line, due FROM channel.renewal_rate(:'today'::date + 25, :'today'::date + 35) WHERE partner_id = 6801;
SELECT * FROM channel.renewal_rate('2020-01-02', '2020-01-01');
\echo :LAST_ERROR_SQLSTATE

-- ---------------------------------------------------------------- what partners see
CREATE ROLE regress_rn_inc LOGIN;
CREATE ROLE regress_rn_rival LOGIN;
CREATE ROLE regress_rn_analyst LOGIN;
GRANT channel_partner TO regress_rn_inc, regress_rn_rival;
GRANT channel_analyst TO regress_rn_analyst;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_rn_inc', 6801), ('regress_rn_rival', 6802);

SET SESSION AUTHORIZATION regress_rn_rival;
-- nothing of the incumbent's: no contract, unit, renewal, nor its rate
SELECT (SELECT count(*) FROM channel.contract) AS contracts, (SELECT count(*) FROM channel.contract_item) AS items,
       (SELECT count(*) FROM channel.warranty) AS warranties, (SELECT count(*) FROM channel.renewal) AS renewals,
       (SELECT count(*) FROM channel.renewal_warranty) AS renewal_units;
SELECT count(*) AS rate_rows FROM channel.renewal_rate(:'today'::date - 10, :'today'::date + 90);
SELECT count(*) AS at_risk_rows FROM channel.renewals_at_risk(:'today'::date + 90);
-- its own registrations say conflict or rejected, never why
SELECT status, status_reason FROM channel.deal WHERE partner_id = 6802 ORDER BY deal_id;
-- naming the incumbent, or a partner that does not exist: the same refusal
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.create_contract(6899, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_warranty(6801, 'RN-ARRAY', 'SN-0100', 'Acme', 'FR', '2019-06-01', '2020-05-31');
\echo :LAST_ERROR_SQLSTATE
-- another partner's alias is no SKU of its
SELECT channel.create_contract(NULL, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['INC-SUPPORT']);
\echo :LAST_ERROR_SQLSTATE
-- a serial the incumbent registered: the words a vendor gets, nothing more
SELECT channel.register_warranty(NULL, 'RN-ARRAY', 'SN-0001', 'Acme', 'FR', '2019-06-01', '2020-05-31');
\echo :LAST_ERROR_SQLSTATE
SELECT channel.make_renewals();
\echo :LAST_ERROR_SQLSTATE
INSERT INTO channel.contract (partner_id, end_customer_id, customer_name, kind, product_line, starts_on, ends_on, value, currency)
SELECT 6802, end_customer_id, 'x', 'support', 'RN_STOR', '2019-06-01', '2020-05-31', 1, 'EUR' FROM channel.end_customer LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION regress_rn_inc;
SELECT (SELECT count(*) FROM channel.contract) AS contracts, (SELECT count(*) FROM channel.contract_item) AS items,
       (SELECT count(*) FROM channel.warranty) AS warranties, (SELECT count(*) FROM channel.renewal) AS renewals,
       (SELECT count(*) FROM channel.renewal_warranty) AS renewal_units;
-- its own contract and warranty, through the portal functions (NULL: itself)
SELECT channel.create_contract(NULL, 'Michelin', 'FR', 'subscription', :'today'::date - 30, :'today'::date + 335, 9000, 'EUR',
                               ARRAY['inc-support']) IS NOT NULL AS own_contract;
SELECT channel.register_warranty(6801, 'RN-ARRAY', 'SN-0100', 'Michelin', 'FR', :'today'::date - 30, :'today'::date + 700) IS NOT NULL AS own_warranty;
SELECT partner_id, product_line, due, renewed, lost, open FROM channel.renewal_rate(:'today'::date - 10, :'today'::date + 90);
SELECT partner_id, kind, product_line, days_left FROM channel.renewals_at_risk();
UPDATE channel.renewal SET amount = 1;
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION regress_rn_analyst;
SELECT (SELECT count(*) FROM channel.contract WHERE partner_id IN (6801, 6803)) AS contracts,
       (SELECT count(*) FROM channel.renewal WHERE partner_id = 6801) AS renewals;
SELECT count(*) AS rate_rows FROM channel.renewal_rate(:'today'::date - 10, :'today'::date + 90) WHERE partner_id = 6801;
SELECT count(*) AS at_risk_rows FROM channel.renewals_at_risk() WHERE partner_id = 6801;
SELECT channel.create_contract(6801, 'Acme', 'FR', 'support', '2019-06-01', '2020-05-31', 100, 'EUR', ARRAY['RN-SUP-1Y']);
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------- clean up
CREATE TEMP TABLE rn_customers AS
  SELECT end_customer_id FROM channel.contract WHERE partner_id IN (6801, 6802, 6803, 6804)
  UNION SELECT end_customer_id FROM channel.warranty WHERE partner_id IN (6801, 6802, 6803, 6804);
DELETE FROM channel.renewal WHERE partner_id IN (6801, 6802, 6803, 6804);
DELETE FROM channel.quote WHERE partner_id IN (6801, 6802, 6803, 6804);
DELETE FROM channel.price_list WHERE price_list_id = 6821;
DELETE FROM channel.deal WHERE partner_id IN (6801, 6802, 6803, 6804);
DELETE FROM channel.warranty WHERE partner_id IN (6801, 6802, 6803, 6804);
DELETE FROM channel.contract WHERE partner_id IN (6801, 6802, 6803, 6804);
DELETE FROM channel.end_customer WHERE end_customer_id IN (SELECT end_customer_id FROM rn_customers);
DELETE FROM channel.product_alias WHERE partner_id = 6801;
DELETE FROM channel.product WHERE product_id BETWEEN 6811 AND 6814;
DELETE FROM channel.partner_user WHERE partner_id IN (6801, 6802);
DELETE FROM channel.partner WHERE partner_id IN (6801, 6802, 6803, 6804);
DELETE FROM channel.product_line WHERE code IN ('RN_STOR', 'RN_NET');
DROP ROLE regress_rn_inc, regress_rn_rival, regress_rn_analyst;
SELECT (SELECT count(*) FROM channel.contract) AS contracts_left, (SELECT count(*) FROM channel.warranty) AS warranties_left,
       (SELECT count(*) FROM channel.renewal) AS renewals_left,
       (SELECT count(*) FROM channel.end_customer WHERE end_customer_id IN (SELECT end_customer_id FROM rn_customers)) AS customers_left;
