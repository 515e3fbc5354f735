-- 0.2.0: channel.role_functions() lists the partner- and analyst-callable
-- functions of the funds pieces (src/sql/40_security.sql, 55_funds.sql .. 59_fund_claims.sql).
CREATE OR REPLACE FUNCTION channel.role_functions(role_name name) RETURNS SETOF name
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT f::name FROM unnest(CASE role_name
    WHEN 'channel_partner' THEN ARRAY[
      -- identity, reference data, and what triggers on a partner's writes call
      'current_partner', 'country_region',
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
      'fund_balances', 'fund_roi', 'fund_claim_spike']
    WHEN 'channel_analyst' THEN ARRAY[
      'current_partner', 'country_region', 'det_random', 'lead_contact',
      'normalize_company', 'company_similarity',
      'score_lead', 'lead_win_probability', 'partner_fit',
      'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners',
      -- funds (issue 20)
      'fund_balances', 'fund_roi', 'fund_claim_spike']
    END) AS f
$$;
COMMENT ON FUNCTION channel.role_functions(name) IS
  'Names of the channel functions channel_partner or channel_analyst may execute (every overload); the install script grants exactly these, the security tests check it.';
