-- 0.2.0: the channel-data functions (issue 21, src/sql/60_products.sql .. 63_channel_data_bi.sql)
-- join the partner and analyst lists of channel.role_functions(), as in src/sql/40_security.sql.
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
      -- channel data (issue 21, 60_products.sql .. 63_channel_data_bi.sql);
      -- staging_batch is the default of the staging tables' batch_id
      'resolve_sku', 'staging_batch', 'open_report', 'ingest_sell_through', 'ingest_inventory',
      'batch_rejects', 'sell_through_closed_loop', 'registration_close_rate', 'unregistered_sales',
      'inventory_latest', 'stale_reporters']
    WHEN 'channel_analyst' THEN ARRAY[
      'current_partner', 'country_region', 'det_random', 'lead_contact',
      'normalize_company', 'company_similarity',
      'score_lead', 'lead_win_probability', 'partner_fit',
      'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners',
      -- channel data (issue 21)
      'resolve_sku', 'batch_rejects', 'sell_through_closed_loop', 'registration_close_rate',
      'unregistered_sales', 'channel_leakage', 'inventory_latest', 'stale_reporters']
    END) AS f
$$;
