-- 42_identity: who the partner is cannot be set by hand.  A partner cannot
-- forge it with any GUC, cannot call set_portal_partner(), and cannot hijack
-- current_partner() or a SECURITY DEFINER function with objects of its own
-- on the search path.  The portal application sets it once per transaction.
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT current_user AS test_superuser \gset
CREATE ROLE regress_id_a LOGIN;
CREATE ROLE regress_id_app LOGIN;
GRANT channel_partner TO regress_id_a;
GRANT channel_portal TO regress_id_app;
CREATE SCHEMA regress_id_own AUTHORIZATION regress_id_a;
INSERT INTO channel.product_line (code, name) VALUES ('ID_TEST', 'Identity test line');
INSERT INTO channel.partner (partner_id, name, status, country) VALUES
  (4401, 'Aurora Tech Oy', 'active', 'FI'), (4402, 'Boreal Data AB', 'active', 'SE');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_id_a', 4401);
INSERT INTO channel.lead (lead_id, company, contact_name, country, product_line, status, partner_id,
                          routed_at, accept_by, accepted_at) VALUES
  (4501, 'Helsinki Oy', 'Aino', 'FI', 'ID_TEST', 'accepted', 4401, '2026-05-01', '2026-05-03', '2026-05-02'),
  (4502, 'Stockholm AB', 'Lars', 'SE', 'ID_TEST', 'accepted', 4402, '2026-05-01', '2026-05-03', '2026-05-02');

-- ------------------------------------------------ a partner, in a new session
\c - regress_id_a
\set VERBOSITY default
\set SHOW_CONTEXT never
-- GUCs, set before and after the library is loaded: none of them is read
SET channel.portal_partner = '4402';
SET channel.current_partner = '4402';
SELECT channel.current_partner();
SELECT set_config('channel.partner_id', '4402', false);
SELECT channel.current_partner(), session_user;
SELECT company FROM channel.lead ORDER BY lead_id;
-- the portal function is not a partner's
BEGIN;
SELECT channel.set_portal_partner(4402);
ROLLBACK;

-- hijack attempts: a current_partner() and a partner_user of its own in
-- pg_temp, then a schema of its own first on the search path with a
-- current_partner() and an "=" on bigint that is always true
CREATE FUNCTION pg_temp.current_partner() RETURNS bigint LANGUAGE sql AS 'SELECT 4402::bigint';
CREATE TEMP TABLE partner_user (role_name name, partner_id bigint);
INSERT INTO partner_user VALUES (session_user, 4402);
SET search_path = channel, pg_temp;
SELECT current_partner();
CREATE FUNCTION regress_id_own.current_partner() RETURNS bigint LANGUAGE sql AS 'SELECT 4402::bigint';
CREATE FUNCTION regress_id_own.always(bigint, bigint) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR regress_id_own.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = regress_id_own.always);
SET search_path = regress_id_own, pg_catalog, channel, pg_temp;
SELECT current_partner() AS own_function, channel.current_partner() AS real_partner, 1::bigint = 2::bigint AS own_operator;
-- the policies were bound to pg_catalog's operator when created; the definer
-- function pins its search_path: both still see A only
SELECT lead_id, company FROM channel.lead ORDER BY lead_id;
SELECT * FROM channel.lead_contact(4502);
SELECT * FROM channel.lead_contact(4501);
RESET search_path;
DROP OPERATOR regress_id_own.= (bigint, bigint);
DROP FUNCTION regress_id_own.always(bigint, bigint), regress_id_own.current_partner();

-- ------------------------------------------------ the portal application
\c - regress_id_app
\set VERBOSITY default
\set SHOW_CONTEXT never
-- no partner set: it is nobody, not the vendor
SELECT channel.current_partner();
SELECT count(*) FROM channel.lead;
-- only inside a transaction block, for an existing partner, never NULL
SELECT channel.set_portal_partner(4401);
BEGIN;
SELECT channel.set_portal_partner(NULL);
ROLLBACK;
BEGIN;
SELECT channel.set_portal_partner(999999);
ROLLBACK;
-- for one transaction, one partner
BEGIN;
SELECT channel.set_portal_partner(4402);
SELECT channel.current_partner(), session_user;
SELECT company FROM channel.lead ORDER BY lead_id;
SELECT channel.set_portal_partner(4402);
SELECT channel.set_portal_partner(4401);
ROLLBACK;
-- forgotten at COMMIT
BEGIN;
SELECT channel.set_portal_partner(4401);
SELECT company FROM channel.lead ORDER BY lead_id;
COMMIT;
SELECT channel.current_partner();
-- undone by ROLLBACK TO a savepoint taken before it, kept past a released one
BEGIN;
SAVEPOINT s1;
SELECT channel.set_portal_partner(4402);
ROLLBACK TO SAVEPOINT s1;
SELECT channel.current_partner();
ROLLBACK;
BEGIN;
SAVEPOINT s1;
SELECT channel.set_portal_partner(4402);
RELEASE SAVEPOINT s1;
SELECT channel.current_partner();
COMMIT;
-- GUCs do not set it either: the channel prefix is reserved, so the
-- setting is refused, and the partner is still nobody
BEGIN;
SET LOCAL channel.portal_partner = '4401';
ROLLBACK;
SELECT channel.current_partner();

-- ------------------------------------------------ clean up
\c - :test_superuser
DELETE FROM channel.lead WHERE lead_id IN (4501, 4502);
DELETE FROM channel.partner WHERE partner_id IN (4401, 4402);
DELETE FROM channel.product_line WHERE code = 'ID_TEST';
DROP SCHEMA regress_id_own;
DROP ROLE regress_id_a, regress_id_app;
SELECT count(*) AS regress_roles_left FROM pg_roles WHERE rolname LIKE 'regress\_id\_%';
