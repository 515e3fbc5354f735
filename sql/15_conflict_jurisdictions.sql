-- 15_conflict_jurisdictions: the registration trigger weighs legal forms of
-- different jurisdictions as company_similarity does (times 0.8): the
-- countries of each name's forms are kept in customer_jurisdictions.
-- Runs in a transaction rolled back at the end.
\set VERBOSITY default
BEGIN;
-- what the function gives, and NULL for a form of any country or none
SELECT channel.company_jurisdictions('Merck KGaA') @> '{DE}' AS kgaa_is_german,
       channel.company_jurisdictions('Merck & Co., Inc.') @> '{US}' AS inc_is_american,
       channel.company_jurisdictions('Merck KGaA') && channel.company_jurisdictions('Merck & Co., Inc.') AS overlap,
       channel.company_jurisdictions('Merck Corporation') IS NULL AS corporation_none,
       channel.company_jurisdictions('Merck') IS NULL AS bare_none,
       channel.company_jurisdictions('ООО «Мерк»') @> '{RU}' AS ooo_is_russian;
SELECT round(channel.company_similarity('Merck KGaA', 'Merck & Co., Inc.')::numeric, 2) AS kgaa_vs_inc;
INSERT INTO channel.product_line (code, name, protection_days) VALUES ('JUR_LINE', 'Jurisdiction line', 60);
INSERT INTO channel.partner (partner_id, name, status, country) VALUES
  (5501, 'Jur Alpha', 'active', 'DE'), (5502, 'Jur Beta', 'active', 'DE'),
  (5503, 'Jur Gamma', 'active', 'DE'), (5504, 'Jur Delta', 'active', 'DE');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (5501, 'Merck KGaA', 'DE', 'JUR_LINE', 1000, current_date + 30)
RETURNING deal_id AS kgaa_id, status, customer_jurisdictions = channel.company_jurisdictions(customer_name) AS kept \gset
SELECT :'status' AS kgaa_status, :'kept' AS jurisdictions_kept;
-- the same normalized name under an American form: two companies, no conflict
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (5502, 'Merck & Co., Inc.', 'DE', 'JUR_LINE', 1000, current_date + 30)
RETURNING deal_id AS inc_id, status, customer_key \gset
SELECT :'status' AS inc_status, :'customer_key' AS inc_key;
-- a German form of the same name: the same company, a conflict with the KGaA only
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (5503, 'Merck GmbH', 'DE', 'JUR_LINE', 1000, current_date + 30) RETURNING deal_id AS gmbh_id \gset
-- no form at all is no evidence: a conflict with all three
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (5504, 'MERCK', 'DE', 'JUR_LINE', 1000, current_date + 30) RETURNING deal_id AS bare_id \gset
SELECT CASE d.deal_id WHEN :kgaa_id THEN 'kgaa' WHEN :inc_id THEN 'inc' WHEN :gmbh_id THEN 'gmbh' WHEN :bare_id THEN 'bare' END AS deal,
       d.status,
       string_agg(CASE c.other_deal_id WHEN :kgaa_id THEN 'kgaa' WHEN :inc_id THEN 'inc' WHEN :gmbh_id THEN 'gmbh' END, ', '
                  ORDER BY c.other_deal_id) AS conflicts_with
FROM channel.deal d LEFT JOIN channel.deal_conflict c ON c.deal_id = d.deal_id
WHERE d.deal_id IN (:kgaa_id, :inc_id, :gmbh_id, :bare_id)
GROUP BY d.deal_id, d.status ORDER BY d.deal_id;
-- a new name brings its forms' countries; writing them by hand is refused
UPDATE channel.deal SET customer_name = 'Merck Corporation' WHERE deal_id = :inc_id
RETURNING customer_jurisdictions IS NULL AS none_now;
\set VERBOSITY sqlstate
UPDATE channel.deal SET customer_jurisdictions = '{US}' WHERE deal_id = :kgaa_id;
ROLLBACK;
