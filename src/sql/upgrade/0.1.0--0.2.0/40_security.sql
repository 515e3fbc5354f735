-- 0.2.0 (issue 27): the functions new in 0.2.0 run for no one by default
-- (as 40_security.sql's blanket REVOKE makes them on a fresh install);
-- partners need has_letter_or_digit, which the CHECKs on their own
-- writes call.
CREATE OR REPLACE FUNCTION channel.role_functions(role_name name) RETURNS SETOF name
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT f::name FROM unnest(CASE role_name
    WHEN 'channel_partner' THEN ARRAY[
      -- identity, reference data, and what triggers on a partner's writes call
      'current_partner', 'country_region', 'has_letter_or_digit',
      -- portal (41_portal.sql)
      'lead_contact',
      -- deals (issue 3)
      'register_deal', 'extend_deal', 'close_deal',
      -- leads (issue 4)
      'accept_lead', 'reject_lead', 'claim_lead', 'convert_lead', 'lose_lead',
      -- BI (issue 5): filter on current_partner()
      'partner_scorecard', 'lead_funnel']
    WHEN 'channel_analyst' THEN ARRAY[
      'current_partner', 'country_region', 'det_random', 'lead_contact',
      'normalize_company', 'company_similarity',
      'score_lead', 'lead_win_probability', 'partner_fit',
      'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners']
    END) AS f
$$;
COMMENT ON FUNCTION channel.role_functions(name) IS
  'Names of the channel functions channel_partner or channel_analyst may execute (every overload); the install script grants exactly these, the security tests check it.';
REVOKE EXECUTE ON FUNCTION channel.has_letter_or_digit(text),
                           channel.check_amount(numeric, text, text),
                           channel.deal_keys_guard(),
                           channel.shipped_rows_truncate_guard() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.has_letter_or_digit(text),
                          channel.check_amount(numeric, text, text),
                          channel.deal_keys_guard(),
                          channel.shipped_rows_truncate_guard() TO channel_admin;
GRANT EXECUTE ON FUNCTION channel.has_letter_or_digit(text) TO channel_partner;

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

-- 0.2.0: the forecast (34_forecast.sql) and score_lead_values for analysts; the new functions of
-- 0.2.0 get the privileges a fresh install gives them (src/sql/40_security.sql).
CREATE OR REPLACE FUNCTION channel.role_functions(role_name name) RETURNS SETOF name
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT f::name FROM unnest(CASE role_name
    WHEN 'channel_partner' THEN ARRAY[
      -- identity, reference data, and what triggers on a partner's writes call
      'current_partner', 'country_region', 'has_letter_or_digit',
      -- portal (41_portal.sql)
      'lead_contact',
      -- deals (issue 3)
      'register_deal', 'extend_deal', 'close_deal',
      -- leads (issue 4)
      'accept_lead', 'reject_lead', 'claim_lead', 'convert_lead', 'lose_lead',
      -- BI (issue 5): filter on current_partner()
      'partner_scorecard', 'lead_funnel']
    WHEN 'channel_analyst' THEN ARRAY[
      'current_partner', 'country_region', 'det_random', 'lead_contact',
      'normalize_company', 'company_similarity',
      'score_lead', 'score_lead_values', 'lead_win_probability', 'partner_fit',
      'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners',
      -- forecast (issue 26)
      'forecast', 'forecast_deals', 'forecast_backtest', 'forecast_accuracy']
    END) AS f
$$;
COMMENT ON FUNCTION channel.role_functions(name) IS
  'Names of the channel functions channel_partner or channel_analyst may execute (every overload); the install script grants exactly these, the security tests check it.';

-- Nothing runs for PUBLIC; channel_admin runs everything but acting for a
-- partner; the lists above for the other roles (as in a fresh install).
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA channel FROM PUBLIC;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA channel TO channel_admin;
REVOKE EXECUTE ON FUNCTION channel.set_portal_partner(bigint) FROM channel_admin;
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
GRANT SELECT ON channel.forecast_model TO channel_admin, channel_analyst;
