-- 0.2.0: the programme functions partners and analysts may execute (issue 19;
-- src/sql/51_tiers.sql, 52_enablement.sql) join the lists.
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
      -- programmes (issue 19, 51_tiers.sql, 52_enablement.sql): their own rows only
      'evaluate_tiers', 'tier_explanation', 'onboarding_status', 'complete_onboarding_step', 'enrol_contact',
      'expiring_certifications', 'onboarding_times']
    WHEN 'channel_analyst' THEN ARRAY[
      'current_partner', 'country_region', 'det_random', 'lead_contact',
      'normalize_company', 'company_similarity',
      'score_lead', 'lead_win_probability', 'partner_fit',
      'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners',
      'evaluate_tiers', 'tier_explanation', 'onboarding_status', 'expiring_certifications', 'onboarding_times']
    END) AS f
$$;
