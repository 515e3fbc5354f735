-- 39_role_routines.sql: which of the core modules' functions (pieces 00-41)
-- partners and analysts may run.  Later modules add their own rows to
-- channel.role_routine next to their functions; 40_security.sql and the last
-- piece, 99_privileges.sql, grant exactly what the table lists.
--
-- Partner-facing functions authorize themselves against
-- channel.current_partner(); the read-only ones change nothing.  Functions
-- called from row-level security policies and from triggers that fire on a
-- role's own writes are listed too, since they run with the caller's
-- privileges.
INSERT INTO channel.role_routine (role_name, routine_name)
SELECT 'channel_partner', f FROM unnest(ARRAY[
  -- identity, reference data, and what triggers on a partner's writes call
  'current_partner', 'country_region', 'has_letter_or_digit',
  -- portal (41_portal.sql)
  'lead_contact',
  -- deals (issue 3)
  'register_deal', 'extend_deal', 'close_deal',
  -- leads (issue 4)
  'accept_lead', 'reject_lead', 'claim_lead', 'convert_lead', 'lose_lead',
  -- BI (issue 5): filter on current_partner()
  'partner_scorecard', 'lead_funnel']) AS f
UNION ALL
SELECT 'channel_analyst', f FROM unnest(ARRAY[
  'current_partner', 'country_region', 'det_random', 'lead_contact',
  'normalize_company', 'company_similarity',
  'score_lead', 'score_lead_values', 'lead_win_probability', 'partner_fit',
  'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners',
  -- forecast (issue 26, 34_forecast.sql)
  'forecast', 'forecast_deals', 'forecast_backtest', 'forecast_accuracy']) AS f;
