-- 40_security.sql: roles, privileges and row-level security (doc/security.md).
--
-- Runs after every other module's tables and functions exist (10_* .. 32_*),
-- so the blanket REVOKE/GRANT statements below cover them; the lists of
-- partner-facing and read-only functions and of per-partner tables name the
-- other modules' objects as the stream contracts (PLAN.md) fix them, and
-- each grant or policy applies to those that exist.
--
-- Roles are cluster-wide: they are created only when missing, shared by
-- every database that installs channel, and DROP EXTENSION leaves them.

DO $roles$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
      ('channel_admin', 'channel: channel managers -- every table and function of the channel extension, all rows.'),
      ('channel_analyst', 'channel: analysts -- read-only access to every row and the BI functions of the channel extension.'),
      ('channel_partner', 'channel: partner portal users -- their own partner''s rows only, through row-level security and the portal functions.'),
      ('channel_portal', 'channel: the portal application -- what channel_partner may do, for the partner it sets per transaction with channel.set_portal_partner().'))
      AS t(rolname, descr)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.rolname) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.rolname);
      EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.rolname, r.descr);
    END IF;
  END LOOP;
  -- the portal application acts as a partner: it gets exactly channel_partner's
  -- privileges and policies, plus set_portal_partner()
  IF NOT pg_catalog.pg_has_role('channel_portal', 'channel_partner', 'MEMBER') THEN
    GRANT channel_partner TO channel_portal;
  END IF;
END
$roles$;

-- ---------------------------------------------------------------------------
-- Schema and functions
-- ---------------------------------------------------------------------------
GRANT USAGE ON SCHEMA channel TO channel_admin, channel_analyst, channel_partner;

-- Nothing runs for PUBLIC: each role gets the functions it needs.
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA channel FROM PUBLIC;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA channel TO channel_admin;
-- acting for a partner is the portal application's business only
REVOKE EXECUTE ON FUNCTION channel.set_portal_partner(bigint) FROM channel_admin;
GRANT EXECUTE ON FUNCTION channel.set_portal_partner(bigint) TO channel_portal;

-- The functions each role may call, by name (every overload): the rows of
-- channel.role_routine (39_role_routines.sql for the core modules, each later
-- piece for its own; 99_privileges.sql grants the later ones).
CREATE FUNCTION channel.role_functions(role_name name) RETURNS SETOF name
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.routine_name FROM channel.role_routine r WHERE r.role_name = $1 ORDER BY r.routine_name
$$;
COMMENT ON FUNCTION channel.role_functions(name) IS
  'Names of the channel functions a role other than channel_admin (channel_partner, channel_analyst, ...) may execute, every overload: the rows of channel.role_routine that each module''s install piece adds; the install script grants exactly these, the security tests check it.';
REVOKE EXECUTE ON FUNCTION channel.role_functions(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.role_functions(name) TO channel_admin;

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------
-- Reference data: everyone reads it, admins maintain the product lines
-- (channel.country is the extension's own and comes back with it).
GRANT SELECT ON channel.country, channel.product_line TO channel_admin, channel_analyst, channel_partner;
GRANT INSERT, UPDATE, DELETE ON channel.product_line TO channel_admin;

-- Per-partner tables: admins write, analysts read, partners what follows.
-- No TRUNCATE for anyone: it skips row-level security and triggers.
DO $tables$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partner', 'partner_contact', 'partner_product', 'partner_territory',
                           'certification', 'partner_user', 'lead', 'lead_event', 'deal', 'deal_event',
                           -- other modules' tables, when installed
                           'deal_conflict', 'partner_month', 'scoring_rule', 'reject_reason']
  LOOP
    CONTINUE WHEN pg_catalog.to_regclass('channel.' || t) IS NULL;
    EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON channel.%I TO channel_admin', t);
    EXECUTE pg_catalog.format('GRANT SELECT ON channel.%I TO channel_analyst', t);
  END LOOP;
END
$tables$;

-- The win-probability model: counts over every partner's leads, no row of
-- one partner, so channel managers and analysts may read it (to explain a
-- probability); only train_scoring() writes it, partners only reach it
-- through lead_win_probability().
DO $model$
BEGIN
  IF pg_catalog.to_regclass('channel.win_model') IS NOT NULL THEN
    GRANT SELECT ON channel.win_model, channel.win_model_line TO channel_admin, channel_analyst;
  END IF;
  -- the forecast's model likewise: bands of partners' win rates, no partner
  IF pg_catalog.to_regclass('channel.forecast_model') IS NOT NULL THEN
    GRANT SELECT ON channel.forecast_model TO channel_admin, channel_analyst;
  END IF;
END
$model$;

-- Partners' table privileges.  Column lists are the write rules: a partner
-- never sets status, partner_id (after insert), protection or decision dates
-- of a deal, nor anything of a lead; the policies below add which rows.
GRANT SELECT ON channel.partner, channel.partner_contact, channel.partner_product,
                channel.partner_territory, channel.certification, channel.partner_user,
                channel.lead_event, channel.deal, channel.deal_event
  TO channel_partner;
GRANT UPDATE (website) ON channel.partner TO channel_partner;
GRANT INSERT (partner_id, full_name, email, phone, role, is_primary),
      UPDATE (full_name, email, phone, role, is_primary),
      DELETE
  ON channel.partner_contact TO channel_partner;
-- a lead's contact person is not a column partners read: pool leads are
-- visible to every eligible partner, so contacts come through
-- channel.lead_contact() once the lead is the caller's
GRANT SELECT (lead_id, company, country, region, product_line, source, industry, employees,
              budget, authority, need, timeline_days, score, status, partner_id,
              routed_at, accept_by, accepted_at, closed_at, reject_reason, created_at)
  ON channel.lead TO channel_partner;
GRANT INSERT (partner_id, customer_name, customer_country, product_line, amount, currency, expected_close),
      UPDATE (amount, currency, expected_close)
  ON channel.deal TO channel_partner;

-- The partner a portal user inserts for defaults to itself.
ALTER TABLE channel.deal ALTER COLUMN partner_id SET DEFAULT channel.current_partner();
ALTER TABLE channel.partner_contact ALTER COLUMN partner_id SET DEFAULT channel.current_partner();

-- Reference tables of other modules that partners need to read.
DO $ref$
BEGIN
  IF pg_catalog.to_regclass('channel.reject_reason') IS NOT NULL THEN
    GRANT SELECT ON channel.reject_reason TO channel_partner;
  END IF;
END
$ref$;

-- Functions, by the lists above.
DO $functions$
DECLARE
  grantee name;
  f regprocedure;
BEGIN
  FOREACH grantee IN ARRAY ARRAY['channel_partner', 'channel_analyst']::name[]
  LOOP
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
             WHERE p.pronamespace = 'channel'::regnamespace
               AND p.proname IN (SELECT channel.role_functions(grantee))
    LOOP
      EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', f, grantee);
    END LOOP;
  END LOOP;
END
$functions$;

-- Trigger functions run as the extension's owner: they keep invariants
-- (history, normalized keys, conflict detection) that must see every row
-- and write tables the writer may not -- a partner's INSERT of a deal writes
-- its deal_event row, and a registration is checked against every other
-- partner's, not just the ones the partner can see.  Each gets a pinned
-- search_path if it had none.
DO $triggers$
DECLARE
  f record;
BEGIN
  FOR f IN SELECT DISTINCT p.oid::regprocedure AS fn,
                  NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%') AS needs_path
           FROM pg_catalog.pg_trigger tg
           JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
           JOIN pg_catalog.pg_proc p ON p.oid = tg.tgfoid
           WHERE c.relnamespace = 'channel'::regnamespace AND NOT tg.tgisinternal
             AND p.pronamespace = 'channel'::regnamespace AND NOT p.prosecdef
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SECURITY DEFINER', f.fn);
    IF f.needs_path THEN
      EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, channel, pg_temp', f.fn);
    END IF;
  END LOOP;
END
$triggers$;

-- ---------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------
-- Enabled and FORCED on every table holding partner data: FORCE subjects
-- the tables' owner too, so that should the extension ever be owned by a
-- role that is not a superuser, that role's queries (and the SECURITY
-- DEFINER functions it owns) see rows only through a policy -- such an
-- owner must then be a member of channel_admin.  Superusers and BYPASSRLS
-- roles skip row-level security whatever FORCE says (doc/security.md).
--
-- channel_admin: every row, every command.  channel_analyst: every row, read.
DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partner', 'partner_contact', 'partner_product', 'partner_territory',
                           'certification', 'partner_user', 'lead', 'lead_event', 'deal', 'deal_event',
                           'deal_conflict', 'partner_month']
  LOOP
    CONTINUE WHEN pg_catalog.to_regclass('channel.' || t) IS NULL;
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR ALL TO channel_admin USING (true) WITH CHECK (true)',
      t || '_admin', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_admin', t,
      'Channel managers (channel_admin) see and write every row.');
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR SELECT TO channel_analyst USING (true)',
      t || '_analyst', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_analyst', t,
      'Analysts (channel_analyst) read every row; their table privileges are SELECT only.');
  END LOOP;
END
$rls$;

-- channel_partner: its own rows.  Every policy compares with
-- channel.current_partner(), which is STABLE and cached per transaction, so
-- the planner can use it as an index key (partner_id indexes exist on every
-- table below).  For an unmapped member of channel_partner it raises
-- instead of returning NULL, and `partner_id = NULL` is never true anyway.

CREATE POLICY partner_own ON channel.partner FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY partner_own ON channel.partner IS
  'A partner sees its own partner row, not even its distributor''s or its resellers''.';
CREATE POLICY partner_own_update ON channel.partner FOR UPDATE TO channel_partner
  USING (partner_id = channel.current_partner())
  WITH CHECK (partner_id = channel.current_partner());
COMMENT ON POLICY partner_own_update ON channel.partner IS
  'A partner updates its own row (column privileges: website only).';

CREATE POLICY partner_contact_own ON channel.partner_contact FOR ALL TO channel_partner
  USING (partner_id = channel.current_partner())
  WITH CHECK (partner_id = channel.current_partner());
COMMENT ON POLICY partner_contact_own ON channel.partner_contact IS
  'A partner reads and maintains its own contacts, and cannot move one to another partner.';

CREATE POLICY partner_product_own ON channel.partner_product FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY partner_product_own ON channel.partner_product IS
  'A partner sees its own product authorizations.';

CREATE POLICY partner_territory_own ON channel.partner_territory FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY partner_territory_own ON channel.partner_territory IS
  'A partner sees its own territories.';

CREATE POLICY certification_own ON channel.certification FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY certification_own ON channel.certification IS
  'A partner sees its own certifications.';

CREATE POLICY partner_user_own ON channel.partner_user FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY partner_user_own ON channel.partner_user IS
  'A partner sees which database roles act for it (its own colleagues), nobody else''s.';

-- Leads: those the partner holds or last held (partner_id), and the pool
-- leads it could claim -- authorized for the product line and covering the
-- lead's country or region, like routing (the subqueries run under the
-- partner's own policies, so they only ever read its own rows).  A pool lead
-- shows what a partner needs to decide whether to claim it (company, place,
-- product, qualification, score), never its contact person: that column is
-- not granted, and channel.lead_contact() gives it for the partner's own
-- accepted leads.  A lead re-routed to another partner disappears.
CREATE POLICY lead_own_or_claimable ON channel.lead FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner()
         OR (status = 'pooled'
             AND EXISTS (SELECT 1 FROM channel.partner_product pp
                         WHERE pp.partner_id = channel.current_partner()
                           AND pp.product_line = lead.product_line)
             AND EXISTS (SELECT 1 FROM channel.partner_territory pt
                         WHERE pt.partner_id = channel.current_partner()
                           AND (pt.country = lead.country OR pt.region = lead.region))));
COMMENT ON POLICY lead_own_or_claimable ON channel.lead IS
  'A partner sees the leads it holds or last held, and pool leads of its product lines in its territory (without contact details).';

-- History: only the events that concern the partner, so a lead that another
-- partner rejected before it reached this one does not say who or why.
CREATE POLICY lead_event_own ON channel.lead_event FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY lead_event_own ON channel.lead_event IS
  'A partner sees the lead transitions that concern it (partner_id is its own), not the rest of a lead''s journey.';

CREATE POLICY deal_own ON channel.deal FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY deal_own ON channel.deal IS 'A partner sees its own deal registrations.';
CREATE POLICY deal_own_insert ON channel.deal FOR INSERT TO channel_partner
  WITH CHECK (partner_id = channel.current_partner());
COMMENT ON POLICY deal_own_insert ON channel.deal IS
  'A partner registers deals for itself only (column privileges keep status, protection and decision columns at their defaults).';
CREATE POLICY deal_own_update ON channel.deal FOR UPDATE TO channel_partner
  USING (partner_id = channel.current_partner() AND status = 'submitted')
  WITH CHECK (partner_id = channel.current_partner());
COMMENT ON POLICY deal_own_update ON channel.deal IS
  'A partner corrects amount, currency and expected close of its own deals while they await a decision; after approval only the deal functions change them.';

CREATE POLICY deal_event_own ON channel.deal_event FOR SELECT TO channel_partner
  USING (EXISTS (SELECT 1 FROM channel.deal d
                 WHERE d.deal_id = deal_event.deal_id AND d.partner_id = channel.current_partner()));
COMMENT ON POLICY deal_event_own ON channel.deal_event IS 'A partner sees the history of its own deals.';

-- Other modules' per-partner tables, when installed.  channel.deal_conflict
-- gets no partner policy and no partner privilege at all: each of its rows
-- names another registration, so a partner learns of a conflict only as its
-- own deal's status.
DO $partner_tables$
BEGIN
  IF pg_catalog.to_regclass('channel.partner_month') IS NOT NULL THEN
    GRANT SELECT ON channel.partner_month TO channel_partner;
    CREATE POLICY partner_month_own ON channel.partner_month FOR SELECT TO channel_partner
      USING (partner_id = channel.current_partner());
    COMMENT ON POLICY partner_month_own ON channel.partner_month IS
      'A partner sees its own monthly rollup rows.';
  END IF;
END
$partner_tables$;
