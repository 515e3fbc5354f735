-- 54_plans_demo.sql: demo data for joint business plans and engagement, on
-- top of channel.generate_demo() and channel.demo_programs()
-- (test/demo.d/52_plans_engagement.sql calls it).

CREATE FUNCTION channel.demo_plans_engagement(as_of date DEFAULT current_date, seed integer DEFAULT 1,
                                              plans integer DEFAULT 300)
RETURNS TABLE (item text, how_many bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  s     bigint := seed;
  yr    integer := extract(year FROM as_of)::integer;
  p     record;
  n     bigint;
  ev    jsonb;
  total bigint := 0;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can load demo data' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF as_of IS NULL OR seed IS NULL OR plans IS NULL OR plans NOT BETWEEN 0 AND 100000 THEN
    RAISE EXCEPTION 'as_of and seed must not be NULL, plans must be between 0 and 100000'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'SELECT * FROM channel.demo_plans_engagement();';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.program_member) THEN
    RAISE EXCEPTION 'no programme members'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Run SELECT * FROM channel.generate_demo() and SELECT * FROM channel.demo_programs() first.';
  END IF;
  IF EXISTS (SELECT 1 FROM channel.business_plan) OR EXISTS (SELECT 1 FROM channel.engagement_event) THEN
    RAISE EXCEPTION 'business plans or engagement events exist already'
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'demo_plans_engagement() fills a channel without them.';
  END IF;

  -- plans for the year of as_of: the active partners with the most revenue
  -- last year, and a sample of the others; targets a little above last
  -- year's pace per quarter, line by line for the partner's main line
  FOR p IN
    WITH last_year AS (
      SELECT pm.partner_id, sum(pm.won_revenue) AS revenue, sum(pm.deals_registered) AS registrations
      FROM channel.partner_month pm
      WHERE pm.month >= channel.bi_window_start(as_of, 12) AND pm.month <= channel.month_of(as_of)
      GROUP BY pm.partner_id),
    main_line AS (
      SELECT DISTINCT ON (d.partner_id) d.partner_id, d.product_line
      FROM channel.partner_line_month d
      WHERE d.month >= channel.bi_window_start(as_of, 12)
      GROUP BY d.partner_id, d.product_line
      ORDER BY d.partner_id, sum(d.won_revenue) DESC, d.product_line)
    SELECT pa.partner_id, coalesce(ly.revenue, 0) AS revenue, coalesce(ly.registrations, 0) AS registrations, ml.product_line,
           (SELECT pc.contact_id FROM channel.partner_contact pc WHERE pc.partner_id = pa.partner_id
            ORDER BY pc.is_primary DESC, pc.contact_id LIMIT 1) AS owner
    FROM channel.partner pa
    JOIN channel.program_member m ON m.partner_id = pa.partner_id AND m.left_on IS NULL
    LEFT JOIN last_year ly ON ly.partner_id = pa.partner_id
    LEFT JOIN main_line ml ON ml.partner_id = pa.partner_id
    WHERE pa.status = 'active' AND pa.kind <> 'referral'
    ORDER BY coalesce(ly.revenue, 0) * (0.5 + channel.det_random(s, 951, pa.partner_id)) DESC, pa.partner_id
    LIMIT plans
  LOOP
    SELECT jsonb_agg(t) INTO ev FROM (
      SELECT jsonb_build_object('quarter', q, 'measure', 'won_revenue',
                                'target', round(greatest(p.revenue, 100000) / 4 * (1.0 + 0.3 * channel.det_random(s, 952, p.partner_id * 4 + q))::numeric, -3)) AS t
      FROM generate_series(1, 4) q
      UNION ALL
      SELECT jsonb_build_object('quarter', q, 'measure', 'deals_registered',
                                'target', greatest(1, ceil(p.registrations / 4.0 * 1.2)))
      FROM generate_series(1, 4) q
      UNION ALL
      SELECT jsonb_build_object('quarter', q, 'measure', 'certified_people', 'target', 1 + (q >= 3)::int)
      FROM generate_series(1, 4) q
      UNION ALL
      SELECT jsonb_build_object('quarter', q, 'measure', 'won_revenue', 'product_line', p.product_line,
                                'target', round(greatest(p.revenue, 100000) / 8, -3), 'vendor_owner', 'Line manager ' || p.product_line)
      FROM generate_series(1, 4) q WHERE p.product_line IS NOT NULL) x;
    PERFORM channel.propose_business_plan(yr, ev, p.partner_id,
                                          'Channel account manager ' || (1 + p.partner_id % 12), p.owner, 'demo plan');
    -- most plans are agreed by the partner too (its user would call agree_business_plan in the portal)
    IF channel.det_random(s, 953, p.partner_id) < 0.8 THEN
      UPDATE channel.business_plan b
      SET partner_agreed_by = 'demo portal user', partner_agreed_at = now(), status = 'agreed'
      WHERE b.partner_id = p.partner_id AND b.year = yr;
    END IF;
  END LOOP;
  RETURN QUERY SELECT 'business plans', count(*) FROM channel.business_plan;
  RETURN QUERY SELECT 'business plan targets', count(*) FROM channel.business_plan_target;

  -- engagement over the 6 months before as_of: every contact of an active
  -- partner signs in, downloads and asks with rates that grow with the
  -- partner's revenue (the connectedness the seeds describe), in batches
  -- through channel.record_engagement()
  FOR p IN
    SELECT e.batch_key AS batch, jsonb_agg(jsonb_build_object(
             'kind', e.kind, 'contact_id', e.contact_id, 'source', 'demo', 'external_id', e.ext,
             'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))) AS events
    FROM (
      SELECT c.contact_id, k.kind, c.contact_id || '-' || k.kind || '-' || i AS ext,
             least(now() - interval '1 minute',
                   (as_of - (channel.det_random(s, 962, c.contact_id * 1000 + k.n * 100 + i) * 180)::int)::timestamp AT TIME ZONE 'UTC'
                   + make_interval(mins => (channel.det_random(s, 963, c.contact_id * 1000 + k.n * 100 + i) * 1440)::int)) AS at,
             (c.contact_id % 20) AS batch_key
      FROM (SELECT pc.contact_id, pc.partner_id,
                   least(1.0, coalesce(sum(pm.won_revenue), 0) / 3000000.0) AS strength
            FROM channel.partner_contact pc
            JOIN channel.partner pa ON pa.partner_id = pc.partner_id AND pa.status = 'active'
            LEFT JOIN channel.partner_month pm ON pm.partner_id = pc.partner_id
                 AND pm.month >= channel.bi_window_start(as_of, 12) AND pm.month <= channel.month_of(as_of)
            GROUP BY pc.contact_id, pc.partner_id) c
      CROSS JOIN (VALUES (1, 'portal_sign_in', 2, 10), (2, 'content_download', 0, 4), (3, 'community_interaction', 0, 3),
                         (4, 'expert_interaction', 0, 1), (5, 'subscription', 0, 1)) AS k(n, kind, base, spread)
      CROSS JOIN LATERAL generate_series(1, (k.base * channel.det_random(s, 960, c.contact_id * 10 + k.n)
                                             + k.spread * c.strength * channel.det_random(s, 961, c.contact_id * 10 + k.n) * 2)::int) i
      WHERE channel.det_random(s, 964, c.contact_id) < 0.7
    ) e
    GROUP BY e.batch_key ORDER BY e.batch_key
  LOOP
    SELECT r.recorded INTO n FROM channel.record_engagement(p.events) r;
    total := total + n;
  END LOOP;
  RETURN QUERY SELECT 'engagement events', total;
END
$$;
COMMENT ON FUNCTION channel.demo_plans_engagement(date, integer, integer) IS
  'Demo data on top of channel.generate_demo() and channel.demo_programs(): business plans for the year of as_of for up to plans active partners (most revenue first, with some randomness), targets by quarter (won revenue overall and for the main line, registrations, certified people), most agreed by both sides; engagement events of active partners'' contacts over the 6 months before as_of, more for partners with more revenue, recorded through channel.record_engagement(). Deterministic for a seed and as_of, except that event times are kept before now(). Returns counts.';
REVOKE EXECUTE ON FUNCTION channel.demo_plans_engagement(date, integer, integer) FROM PUBLIC;
