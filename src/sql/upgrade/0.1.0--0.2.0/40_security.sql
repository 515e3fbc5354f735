-- 0.2.0 (issue 27): the functions new in 0.2.0 run for no one by default
-- (as 40_security.sql's blanket REVOKE makes them on a fresh install);
-- partners need has_letter_or_digit, which the CHECKs on their own
-- writes call.
-- and the partner- and analyst-callable functions of every new piece join
-- the lists of channel.role_functions() (funds: 55_funds.sql .. 59_fund_claims.sql;
-- change feed: 71_change_feed.sql; programmes: 51_tiers.sql, 52_enablement.sql;
-- channel data: 60_products.sql .. 63_channel_data_bi.sql; forecast: 34_forecast.sql).
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
      'partner_scorecard', 'lead_funnel',
      -- funds and campaigns (issue 20, 55_funds.sql .. 59_fund_claims.sql)
      'create_fund_request', 'submit_fund_request', 'cancel_fund_request', 'close_fund_request',
      'create_fund_claim', 'submit_fund_claim', 'create_campaign', 'join_campaign',
      'fund_balances', 'fund_roi', 'fund_claim_spike',
      -- change feed (issue 22, 71_change_feed.sql): the partner's own events
      'create_consumer', 'read_events', 'ack_events', 'drop_consumer',
      -- programmes (issue 19, 51_tiers.sql, 52_enablement.sql): their own rows only
      'evaluate_tiers', 'tier_explanation', 'onboarding_status', 'complete_onboarding_step', 'enrol_contact',
      'expiring_certifications', 'onboarding_times',
      -- channel data (issue 21, 60_products.sql .. 63_channel_data_bi.sql);
      -- staging_batch is the default of the staging tables' batch_id
      'resolve_sku', 'staging_batch', 'open_report', 'ingest_sell_through', 'ingest_inventory',
      'batch_rejects', 'sell_through_closed_loop', 'registration_close_rate', 'unregistered_sales',
      'inventory_latest', 'stale_reporters']
    WHEN 'channel_analyst' THEN ARRAY[
      'current_partner', 'country_region', 'det_random', 'lead_contact',
      'normalize_company', 'company_similarity',
      'score_lead', 'score_lead_values', 'lead_win_probability', 'partner_fit',
      'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners',
      -- funds (issue 20)
      'fund_balances', 'fund_roi', 'fund_claim_spike',
      -- programmes (issue 19)
      'evaluate_tiers', 'tier_explanation', 'onboarding_status', 'expiring_certifications', 'onboarding_times',
      -- channel data (issue 21)
      'resolve_sku', 'batch_rejects', 'sell_through_closed_loop', 'registration_close_rate',
      'unregistered_sales', 'channel_leakage', 'inventory_latest', 'stale_reporters',
      -- forecast (issue 26)
      'forecast', 'forecast_deals', 'forecast_backtest', 'forecast_accuracy']
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

-- 0.2.0 (issue 26): score_lead_values and the forecast's functions get the
-- privileges a fresh install gives them (src/sql/40_security.sql).

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
