-- 0.2.0: channel.role_functions() lists the change-feed functions partners
-- execute (src/sql/40_security.sql; the functions and their grants come
-- with 71_change_feed.sql).
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
      -- change feed (issue 22, 71_change_feed.sql): the partner's own events
      'create_consumer', 'read_events', 'ack_events', 'drop_consumer']
    WHEN 'channel_analyst' THEN ARRAY[
      'current_partner', 'country_region', 'det_random', 'lead_contact',
      'normalize_company', 'company_similarity',
      'score_lead', 'lead_win_probability', 'partner_fit',
      'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners']
    END) AS f
$$;
