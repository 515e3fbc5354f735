-- 41_rls: partner A tries to see, change or infer partner B's rows directly
-- in the tables; every attempt fails cleanly (no rows, or a privilege or
-- policy error that names nothing of B's).  Analysts read but do not write;
-- admins do everything.  Creates its roles and rows and removes them.
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE ROLE regress_rls_a LOGIN;
CREATE ROLE regress_rls_b LOGIN;
CREATE ROLE regress_rls_unmapped LOGIN;
CREATE ROLE regress_rls_analyst LOGIN;
CREATE ROLE regress_rls_admin LOGIN;
GRANT channel_partner TO regress_rls_a, regress_rls_b, regress_rls_unmapped;
GRANT channel_analyst TO regress_rls_analyst;
GRANT channel_admin TO regress_rls_admin;

INSERT INTO channel.product_line (code, name) VALUES ('SECURE_NET', 'Secure networking');
INSERT INTO channel.partner (partner_id, name, status, country) VALUES
  (4101, 'Alpha Systèmes SARL', 'active', 'FR'), (4102, 'Beta Datentechnik GmbH', 'active', 'DE');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (4101, 'SECURE_NET'), (4102, 'SECURE_NET');
INSERT INTO channel.partner_territory (partner_id, country, region) VALUES (4101, 'FR', NULL), (4102, NULL, 'EMEA');
INSERT INTO channel.partner_contact (partner_id, full_name, email, is_primary) VALUES
  (4101, 'Claire Martin', 'claire@alpha.example', true), (4102, 'Jonas Weber', 'jonas@beta.example', true);
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on) VALUES
  (4101, 'SECURE_NET', 'associate', current_date - 300, current_date + 400),
  (4102, 'SECURE_NET', 'expert', current_date - 300, current_date + 400);
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_rls_a', 4101), ('regress_rls_b', 4102);

INSERT INTO channel.lead (lead_id, company, contact_name, contact_email, country, product_line, status, partner_id,
                          routed_at, accept_by, accepted_at) VALUES
  (4201, 'Lyon Logistique', 'Paul Roux', 'paul@lyon.example', 'FR', 'SECURE_NET', 'routed', 4101,
   '2026-05-01', '2026-05-03', NULL),
  (4202, 'Nantes Énergie', 'Anne Petit', 'anne@nantes.example', 'FR', 'SECURE_NET', 'accepted', 4101,
   '2026-05-01', '2026-05-03', '2026-05-02'),
  (4203, 'Gamma Bank AG', 'Eva Braun', 'eva@gamma.example', 'DE', 'SECURE_NET', 'accepted', 4102,
   '2026-05-01', '2026-05-03', '2026-05-02');
INSERT INTO channel.lead (lead_id, company, contact_name, contact_email, country, product_line, status) VALUES
  (4204, 'Bordeaux Vins', 'Luc Blanc', 'luc@bordeaux.example', 'FR', 'SECURE_NET', 'pooled'),
  (4205, 'Osaka Denki', 'Sato Ken', 'ken@osaka.example', 'JP', 'SECURE_NET', 'pooled');
-- 4206: B rejected it, then it went to A
INSERT INTO channel.lead (lead_id, company, country, product_line, status, partner_id, routed_at, accept_by)
VALUES (4206, 'Toulouse Aéro', 'FR', 'SECURE_NET', 'routed', 4102, '2026-05-01', '2026-05-03');
UPDATE channel.lead SET status = 'rejected', reject_reason = 'no_capacity' WHERE lead_id = 4206;
UPDATE channel.lead SET status = 'routed', partner_id = 4101, routed_at = '2026-05-04', accept_by = '2026-05-06',
       status_reason = 're-routed' WHERE lead_id = 4206;

INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          submitted_at, status, decided_at, protected_until) VALUES
  (4301, 4101, 'Nantes Énergie', 'FR', 'SECURE_NET', 20000, '2026-09-30', '2026-05-01', 'submitted', NULL, NULL),
  (4302, 4101, 'Lille Textile', 'FR', 'SECURE_NET', 35000, '2026-09-30', '2026-05-01', 'approved', '2026-05-02', '2026-08-01'),
  (4303, 4102, 'Gamma Bank AG', 'DE', 'SECURE_NET', 900000, '2026-10-31', '2026-05-01', 'approved', '2026-05-02', '2026-08-01');

-- ---------------------------------------------------------------- partner A
SET SESSION AUTHORIZATION regress_rls_a;
SELECT channel.current_partner(), current_user, session_user;

-- what A sees: its own rows, nothing of B's
SELECT partner_id, name FROM channel.partner;
SELECT partner_id, full_name FROM channel.partner_contact ORDER BY contact_id;
SELECT partner_id, product_line FROM channel.partner_product;
SELECT partner_id, country, region FROM channel.partner_territory;
SELECT partner_id, level FROM channel.certification;
SELECT role_name, partner_id FROM channel.partner_user;
-- leads it holds, and the pool lead of its line and country; not B's, not
-- the pool lead outside its territory
SELECT lead_id, company, status, partner_id FROM channel.lead ORDER BY lead_id;
-- of 4206's history only what concerns A: not that B had it and why B let it go
SELECT lead_id, from_status, to_status, partner_id, reason FROM channel.lead_event ORDER BY event_id;
SELECT deal_id, customer_name, status FROM channel.deal ORDER BY deal_id;
SELECT deal_id, to_status FROM channel.deal_event ORDER BY event_id;

-- asking for B's rows by key finds nothing
SELECT count(*) AS b_rows
FROM (SELECT partner_id FROM channel.partner WHERE partner_id = 4102
      UNION ALL SELECT partner_id FROM channel.deal WHERE deal_id = 4303 OR partner_id = 4102
      UNION ALL SELECT partner_id FROM channel.lead WHERE lead_id = 4203
      UNION ALL SELECT partner_id FROM channel.partner_contact WHERE partner_id = 4102
      UNION ALL SELECT partner_id FROM channel.lead_event WHERE lead_id = 4203 OR partner_id = 4102) b;
-- a leaky function in the WHERE clause is evaluated after the policy: it
-- only ever sees A's rows (only superusers can mark a function LEAKPROOF)
-- (what it saw is listed sorted: the scan order is not part of the test)
CREATE TEMP TABLE peeked (t text);
CREATE FUNCTION pg_temp.peek(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS
  $$ BEGIN INSERT INTO pg_temp.peeked VALUES (t); RETURN true; END $$;
SELECT count(*) FROM channel.deal WHERE pg_temp.peek(customer_name || ' ' || amount);
SELECT t AS peeked FROM pg_temp.peeked ORDER BY t;
TRUNCATE pg_temp.peeked;
SELECT count(*) FROM channel.lead WHERE pg_temp.peek(company);
SELECT t AS peeked FROM pg_temp.peeked ORDER BY t;

-- updates and deletes of B's rows touch nothing
UPDATE channel.partner SET website = 'https://evil.example' WHERE partner_id = 4102;
UPDATE channel.partner_contact SET phone = '+33 1 00 00 00 00' WHERE partner_id = 4102;
DELETE FROM channel.partner_contact WHERE partner_id = 4102;
UPDATE channel.deal SET amount = 1 WHERE deal_id = 4303;
-- columns and commands that are not A's at all are refused, own rows or not
UPDATE channel.partner SET tier = 'platinum' WHERE partner_id = 4101;
UPDATE channel.partner_contact SET partner_id = 4102;
UPDATE channel.deal SET status = 'approved' WHERE deal_id = 4301;
UPDATE channel.deal SET protected_until = now() + interval '3 years' WHERE deal_id = 4302;
UPDATE channel.deal SET partner_id = 4102 WHERE deal_id = 4301;
DELETE FROM channel.deal WHERE deal_id = 4303;
DELETE FROM channel.deal WHERE deal_id = 4301;
UPDATE channel.lead SET status = 'accepted' WHERE lead_id = 4201;
DELETE FROM channel.lead WHERE lead_id = 4203;
INSERT INTO channel.lead_event (lead_id, to_status) VALUES (4203, 'lost');
TRUNCATE channel.deal;
-- contact details of leads are not a column partners read
SELECT contact_email FROM channel.lead WHERE lead_id = 4202;

-- inserts for B are refused by the policy
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (4102, 'Gamma Bank AG', 'DE', 'SECURE_NET', 1, current_date + 30);
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (NULL, 'Gamma Bank AG', 'DE', 'SECURE_NET', 1, current_date + 30);
INSERT INTO channel.partner_contact (partner_id, full_name, email) VALUES (4102, 'Mole', 'mole@alpha.example');
-- a partner cannot pick a deal's status, protection or lead
INSERT INTO channel.deal (customer_name, customer_country, product_line, amount, expected_close, status)
VALUES ('Gamma Bank AG', 'DE', 'SECURE_NET', 1, current_date + 30, 'approved');
INSERT INTO channel.deal (customer_name, customer_country, product_line, amount, expected_close, lead_id)
VALUES ('Gamma Bank AG', 'DE', 'SECURE_NET', 1, current_date + 30, 4203);

-- what A may do: correct a deal awaiting decision, not an approved one
UPDATE channel.deal SET amount = 25000 WHERE deal_id = 4301;
UPDATE channel.deal SET amount = 99 WHERE deal_id = 4302;
-- register a deal for itself (partner_id defaults to A); history is written
INSERT INTO channel.deal (customer_name, customer_country, product_line, amount, expected_close)
VALUES ('Rennes Télécom', 'FR', 'SECURE_NET', 12000, current_date + 30)
RETURNING partner_id, customer_name, status, protected_until - submitted_at AS protection;
SELECT d.customer_name, e.from_status, e.to_status, e.actor
FROM channel.deal_event e JOIN channel.deal d USING (deal_id)
WHERE d.customer_name = 'Rennes Télécom';
-- maintain its own contacts; an e-mail B uses is no oracle (unique per partner)
INSERT INTO channel.partner_contact (full_name, email) VALUES ('Jonas Weber', 'jonas@beta.example')
RETURNING partner_id, full_name;
DELETE FROM channel.partner_contact WHERE email = 'jonas@beta.example';
UPDATE channel.partner SET website = 'https://alpha.example' WHERE partner_id = 4101;

-- lead_contact: B's lead and a nonexistent lead give the same error
SELECT * FROM channel.lead_contact(4203);
SELECT * FROM channel.lead_contact(999999);
SELECT * FROM channel.lead_contact(4204);
SELECT * FROM channel.lead_contact(4201);
SELECT * FROM channel.lead_contact(4202);
SELECT * FROM channel.lead_contact(NULL);

-- SET ROLE does not change who the partner is
SET ROLE channel_partner;
SELECT channel.current_partner(), current_user, session_user;
SELECT count(*) AS deals FROM channel.deal;
RESET ROLE;
-- nor can A become B
SET ROLE regress_rls_b;
DROP FUNCTION pg_temp.peek(text);
DROP TABLE pg_temp.peeked;
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------- partner B
SET SESSION AUTHORIZATION regress_rls_b;
SELECT channel.current_partner();
SELECT lead_id, company, status FROM channel.lead ORDER BY lead_id;
SELECT lead_id, from_status, to_status, partner_id, reason FROM channel.lead_event ORDER BY event_id;
SELECT deal_id, customer_name, amount, status FROM channel.deal ORDER BY deal_id;
SELECT partner_id, website FROM channel.partner;
RESET SESSION AUTHORIZATION;

-- a member of channel_partner that no partner_user row maps fails closed:
-- it is not taken for the vendor
SET SESSION AUTHORIZATION regress_rls_unmapped;
SELECT channel.current_partner();
SELECT count(*) FROM channel.deal;
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------- analyst
SET SESSION AUTHORIZATION regress_rls_analyst;
SELECT channel.current_partner() IS NULL AS acts_for_vendor;
SELECT count(*) AS deals FROM channel.deal WHERE deal_id BETWEEN 4301 AND 4303;
SELECT count(*) AS leads, count(contact_email) AS with_contact FROM channel.lead WHERE lead_id BETWEEN 4201 AND 4206;
SELECT count(DISTINCT partner_id) AS partners FROM channel.partner_contact WHERE partner_id IN (4101, 4102);
UPDATE channel.deal SET amount = 1 WHERE deal_id = 4303;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_rls_analyst', 4101);
DELETE FROM channel.lead_event WHERE lead_id = 4206;
SELECT channel.set_portal_partner(4101);
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------- admin
SET SESSION AUTHORIZATION regress_rls_admin;
SELECT count(*) AS deals FROM channel.deal WHERE partner_id IN (4101, 4102);
UPDATE channel.deal SET amount = 950000 WHERE deal_id = 4303;
UPDATE channel.partner SET tier = 'gold' WHERE partner_id = 4102;
SELECT * FROM channel.lead_contact(4203);
BEGIN;
SELECT channel.set_portal_partner(4101);
ROLLBACK;
RESET SESSION AUTHORIZATION;

-- clean up: nothing of this test is left behind
DELETE FROM channel.deal WHERE partner_id IN (4101, 4102);
DELETE FROM channel.lead WHERE lead_id BETWEEN 4201 AND 4206;
DELETE FROM channel.partner WHERE partner_id IN (4101, 4102);
DELETE FROM channel.product_line WHERE code = 'SECURE_NET';
DROP ROLE regress_rls_a, regress_rls_b, regress_rls_unmapped, regress_rls_analyst, regress_rls_admin;
SELECT count(*) AS regress_roles_left FROM pg_roles WHERE rolname LIKE 'regress\_rls\_%';
