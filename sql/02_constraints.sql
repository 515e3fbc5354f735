-- 02_constraints: every guard of the data model rejects what it should,
-- with a message that says what is wrong.  Fixtures are removed at the end.
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO channel.product_line (code, name, requires_certification, min_cert_level)
VALUES ('STORAGE', 'Storage', true, 'professional'), ('SERVERS', 'Servers', false, 'associate');

-- a well-formed partner; region is filled from the country
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country)
VALUES (1, 'Société Générale Informatique S.A.', 'reseller', 'gold', 'active', 'FR')
RETURNING partner_id, name, tier, status, country, region, max_open_leads, parent_id;

-- partner guards.  Plain constraint violations are shown tersely (the
-- message names the constraint; the failing row would carry timestamps);
-- errors raised by the extension's own triggers are shown with detail and hint.
\set VERBOSITY terse
INSERT INTO channel.partner (name, country) VALUES (NULL, 'FR');
INSERT INTO channel.partner (name, country) VALUES ('   ', 'FR');
INSERT INTO channel.partner (name, country) VALUES ('Acme', 'fr');
INSERT INTO channel.partner (name, country) VALUES ('Acme', NULL);
INSERT INTO channel.partner (name, country, tier) VALUES ('Acme', 'FR', 'diamond');
INSERT INTO channel.partner (name, country, status) VALUES ('Acme', 'FR', 'deleted');
INSERT INTO channel.partner (name, country, kind) VALUES ('Acme', 'FR', 'wholesaler');
INSERT INTO channel.partner (name, country, region) VALUES ('Acme', 'FR', 'EUROPE');
INSERT INTO channel.partner (name, country, max_open_leads) VALUES ('Acme', 'FR', -1);
\set VERBOSITY default
INSERT INTO channel.partner (name, country) VALUES ('Acme', 'XX');
UPDATE channel.partner SET parent_id = 1 WHERE partner_id = 1;

-- two-tier hierarchy: only a distributor can be a parent, and it has none
INSERT INTO channel.partner (partner_id, name, kind, status, country) VALUES
  (2, 'Nordic Distribution AB', 'distributor', 'active', 'SE'),
  (3, 'Fjord Data AS', 'reseller', 'active', 'NO');
UPDATE channel.partner SET parent_id = 2 WHERE partner_id = 3;
UPDATE channel.partner SET parent_id = 1 WHERE partner_id = 3;
UPDATE channel.partner SET parent_id = 2 WHERE partner_id = 1 RETURNING partner_id, parent_id;
INSERT INTO channel.partner (name, kind, country, parent_id) VALUES ('Sub Distributor', 'distributor', 'SE', 2);
UPDATE channel.partner SET kind = 'reseller' WHERE partner_id = 2;
\set VERBOSITY terse
INSERT INTO channel.partner (name, country, parent_id) VALUES ('Orphan Reseller', 'SE', 999);
SELECT partner_id, kind, parent_id FROM channel.partner ORDER BY partner_id;

-- status changes are stamped
UPDATE channel.partner SET status_changed_at = '2020-01-01' WHERE partner_id = 3;
UPDATE channel.partner SET status = 'suspended' WHERE partner_id = 3;
SELECT status, status_changed_at > '2020-01-02' AS stamped FROM channel.partner WHERE partner_id = 3;

-- contacts, products, territories, certifications
INSERT INTO channel.partner_contact (partner_id, full_name, email, is_primary) VALUES (1, 'Hélène Dubois', 'helene@sgi.example', true);
INSERT INTO channel.partner_contact (partner_id, full_name, email, is_primary) VALUES (1, 'Jean Martin', 'jean@sgi.example', true);
INSERT INTO channel.partner_contact (partner_id, full_name, email) VALUES (1, 'Jean Martin', 'not-an-address');
INSERT INTO channel.partner_contact (partner_id, full_name, email) VALUES (1, 'Hélène D.', 'HELENE@sgi.example');
INSERT INTO channel.partner_contact (partner_id, full_name, email) VALUES (1, '', 'x@sgi.example');
INSERT INTO channel.partner_contact (partner_id, full_name, email, role) VALUES (1, 'Jean Martin', 'jean@sgi.example', 'ceo');
INSERT INTO channel.partner_contact (partner_id, full_name, email) VALUES (42, 'Nobody', 'nobody@x.example');

INSERT INTO channel.partner_product (partner_id, product_line) VALUES (1, 'STORAGE');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (1, 'STORAGE');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (1, 'TOASTERS');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (1, 'storage');

INSERT INTO channel.partner_territory (partner_id, country) VALUES (1, 'FR');
INSERT INTO channel.partner_territory (partner_id, region) VALUES (1, 'EMEA');
INSERT INTO channel.partner_territory (partner_id, country) VALUES (1, 'FR');
INSERT INTO channel.partner_territory (partner_id, country, region) VALUES (1, 'BE', 'EMEA');
INSERT INTO channel.partner_territory (partner_id) VALUES (1);
INSERT INTO channel.partner_territory (partner_id, country) VALUES (1, 'ZZ');

INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
VALUES (1, 'STORAGE', 'professional', current_date - 30, current_date + 700);
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
VALUES (1, 'STORAGE', 'professional', current_date - 30, current_date - 400);
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
VALUES (1, 'STORAGE', 'guru', current_date - 30, current_date + 700);
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
VALUES (1, 'STORAGE', 'expert', NULL, current_date + 700);

-- product line guards
INSERT INTO channel.product_line (code, name) VALUES ('X', 'Too short');
INSERT INTO channel.product_line (code, name) VALUES ('WIDGETS', NULL);
INSERT INTO channel.product_line (code, name, protection_days) VALUES ('WIDGETS', 'Widgets', 0);

-- leads: a new lead; region from country; BANT and lifecycle guards
INSERT INTO channel.lead (lead_id, company, country, product_line, budget, authority, need, timeline_days)
VALUES (1, 'SOCIETE GENERALE', 'FR', 'STORAGE', 250000, 'decision_maker', 'high', 90)
RETURNING lead_id, company, country, region, status, partner_id, score;
INSERT INTO channel.lead (company, country, product_line) VALUES (NULL, 'FR', 'STORAGE');
INSERT INTO channel.lead (company, country, product_line) VALUES ('Acme', 'FR', 'TOASTERS');
INSERT INTO channel.lead (company, country, product_line, budget) VALUES ('Acme', 'FR', 'STORAGE', -5);
INSERT INTO channel.lead (company, country, product_line, score) VALUES ('Acme', 'FR', 'STORAGE', 101);
INSERT INTO channel.lead (company, country, product_line, status) VALUES ('Acme', 'FR', 'STORAGE', 'qualified');
INSERT INTO channel.lead (company, country, product_line, source) VALUES ('Acme', 'FR', 'STORAGE', 'carrier pigeon');
INSERT INTO channel.lead (company, country, product_line, need) VALUES ('Acme', 'FR', 'STORAGE', 'urgent');
\set VERBOSITY default
INSERT INTO channel.lead (company, country, product_line) VALUES ('Acme', 'UK', 'STORAGE');
\set VERBOSITY terse
-- status and its columns must agree
UPDATE channel.lead SET status = 'routed', partner_id = 1 WHERE lead_id = 1;
UPDATE channel.lead SET status = 'routed' WHERE lead_id = 1;
UPDATE channel.lead SET partner_id = 1 WHERE lead_id = 1;
UPDATE channel.lead SET status = 'routed', partner_id = 1, routed_at = '2026-03-01 10:00+00', accept_by = '2026-03-01 09:00+00'
WHERE lead_id = 1;
UPDATE channel.lead SET status = 'routed', partner_id = 1, routed_at = '2026-03-01 10:00+00', accept_by = '2026-03-03 10:00+00',
       status_reason = 'best fit'
WHERE lead_id = 1;
UPDATE channel.lead SET status = 'rejected' WHERE lead_id = 1;
UPDATE channel.lead SET status = 'accepted' WHERE lead_id = 1;
UPDATE channel.lead SET status = 'accepted', accepted_at = '2026-03-01 09:00+00' WHERE lead_id = 1;
UPDATE channel.lead SET status = 'accepted', accepted_at = '2026-03-01 15:30+00', status_reason = NULL WHERE lead_id = 1;
UPDATE channel.lead SET status = 'converted' WHERE lead_id = 1;
UPDATE channel.lead SET status = 'converted', closed_at = '2026-04-15 12:00+00', status_reason = 'deal registered' WHERE lead_id = 1;
SELECT lead_id, status, partner_id, routed_at, accept_by, accepted_at, closed_at FROM channel.lead;

-- deals: a registration, and its guards
INSERT INTO channel.deal (deal_id, partner_id, lead_id, customer_name, customer_country, product_line, amount, expected_close,
                          submitted_at)
VALUES (1, 1, 1, 'Société Générale S.A.', 'FR', 'STORAGE', 180000, '2026-06-30', '2026-04-15 12:00+00')
RETURNING deal_id, partner_id, customer_name, amount, currency, status, extension_count;
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (1, 'Acme', 'FR', 'STORAGE', -1, '2026-06-30');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (1, 'Acme', 'FR', 'STORAGE', NULL, '2026-06-30');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (1, '', 'FR', 'STORAGE', 10, '2026-06-30');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (1, 'Acme', 'France', 'STORAGE', 10, '2026-06-30');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (1, 'Acme', 'QQ', 'STORAGE', 10, '2026-06-30');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close, currency)
VALUES (1, 'Acme', 'FR', 'STORAGE', 10, '2026-06-30', 'euro');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close, status)
VALUES (1, 'Acme', 'FR', 'STORAGE', 10, '2026-06-30', 'pending');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (77, 'Acme', 'FR', 'STORAGE', 10, '2026-06-30');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount)
VALUES (1, 'Acme', 'FR', 'STORAGE', 10);
UPDATE channel.deal SET status = 'approved', protected_until = NULL WHERE deal_id = 1;
UPDATE channel.deal SET status = 'rejected', decided_at = '2026-04-16 09:00+00' WHERE deal_id = 1;
UPDATE channel.deal SET status = 'won' WHERE deal_id = 1;
UPDATE channel.deal SET protected_until = '2026-04-01' WHERE deal_id = 1;
UPDATE channel.deal SET status = 'approved', decided_at = '2026-04-16 09:00+00', protected_until = '2026-07-14 12:00+00',
       status_reason = 'verified with customer'
WHERE deal_id = 1;
UPDATE channel.deal SET status = 'won', closed_at = '2026-06-20 17:00+00', amount = 175000, status_reason = NULL
WHERE deal_id = 1;
SELECT deal_id, status, amount, protected_until, decided_at, closed_at FROM channel.deal;

-- a partner that has leads or deals cannot be deleted (history keeps it)
DELETE FROM channel.partner WHERE partner_id = 1;

SET client_min_messages = warning;
TRUNCATE channel.partner, channel.product_line, channel.lead, channel.deal RESTART IDENTITY CASCADE;
RESET client_min_messages;
