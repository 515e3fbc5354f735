-- 0.2.0: the demo generator and its helpers are no longer executable by
-- PUBLIC (src/sql/90_demo.sql).
REVOKE EXECUTE ON FUNCTION channel.demo_compose_name(text, text, text, boolean),
                           channel.demo_name_variant(text, text, text, boolean, integer),
                           channel.demo_pick(anyarray, float8),
                           channel.generate_demo(integer, integer, integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.demo_compose_name(text, text, text, boolean),
                          channel.demo_name_variant(text, text, text, boolean, integer),
                          channel.demo_pick(anyarray, float8),
                          channel.generate_demo(integer, integer, integer, date) TO channel_admin;

-- 0.2.0 (issue 27): demo_country_profile weights are finite; generate_demo (below) checks
-- every argument first: NULLs by name, as_of inside 2000-01-01 .. 2190-12-31.
ALTER TABLE channel.demo_country_profile
  DROP CONSTRAINT demo_country_profile_weight_check,
  ADD CONSTRAINT demo_country_profile_weight_check CHECK (weight > 0 AND weight < 'Infinity') NOT VALID;
-- 0.2.0 (issue 26): whether a demo registration closed won or lost depends on its
-- partner, amount and product line, and sales cycles last 3 to ~140 days
-- (a forecast can learn them).
CREATE OR REPLACE FUNCTION channel.generate_demo(partners integer DEFAULT 27500,
                                      leads integer DEFAULT 200000,
                                      seed integer DEFAULT 1,
                                      as_of date DEFAULT current_date)
RETURNS TABLE (item text, how_many bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  t_end   timestamptz;   -- "now" of the demo world: as_of at noon, once as_of is checked
  n_cust  integer;
  s       bigint := seed;
  scratch text;
BEGIN
  IF partners IS NULL OR leads IS NULL OR seed IS NULL OR as_of IS NULL THEN
    RAISE EXCEPTION 'partners, leads, seed and as_of must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            DETAIL = format('NULL: %s.', array_to_string(ARRAY[CASE WHEN partners IS NULL THEN 'partners' END,
                                                              CASE WHEN leads IS NULL THEN 'leads' END,
                                                              CASE WHEN seed IS NULL THEN 'seed' END,
                                                              CASE WHEN as_of IS NULL THEN 'as_of' END], ', ')),
            HINT = 'Leave an argument out for its default: SELECT * FROM channel.generate_demo();';
  END IF;
  IF partners < 20 OR partners > 5000000 THEN
    RAISE EXCEPTION 'partners must be between 20 and 5000000'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', partners),
            HINT = 'The IDC-shaped default is 27500 partners.';
  END IF;
  IF leads < 0 OR leads > 50000000 THEN
    RAISE EXCEPTION 'leads must be between 0 and 50000000'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', leads),
            HINT = 'The default is 200000 leads.';
  END IF;
  -- the demo world spans two years before as_of and a year after it, all
  -- inside the dates the channel accepts (1900-01-01 .. 2200-12-31)
  IF as_of NOT BETWEEN '2000-01-01' AND '2190-12-31' THEN
    RAISE EXCEPTION 'as_of must be a date between 2000-01-01 and 2190-12-31'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', as_of),
            HINT = 'Leave as_of out for today.';
  END IF;
  t_end := as_of + time '12:00';
  IF EXISTS (SELECT 1 FROM channel.partner) OR EXISTS (SELECT 1 FROM channel.lead)
     OR EXISTS (SELECT 1 FROM channel.deal) THEN
    RAISE EXCEPTION 'the channel already holds data'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'generate_demo only fills an empty channel, so it never mixes demo rows with real ones.',
            HINT = 'Use a fresh database, or TRUNCATE channel.partner, channel.lead, channel.deal CASCADE first.';
  END IF;

  -- scratch tables of an earlier call in this transaction (ON COMMIT DROP
  -- has not fired yet)
  FOREACH scratch IN ARRAY ARRAY['demo_cty', 'demo_lines', 'demo_partner', 'demo_customer', 'demo_lead',
                                 'demo_taker', 'demo_deal'] LOOP
    IF to_regclass('pg_temp.' || scratch) IS NOT NULL THEN
      EXECUTE format('DROP TABLE pg_temp.%I', scratch);
    END IF;
  END LOOP;

  RAISE NOTICE 'generate_demo: % partners', partners;
  INSERT INTO channel.product_line (code, name, requires_certification, min_cert_level, protection_days) VALUES
    ('STORAGE', 'Storage arrays and backup', true, 'associate', 90),
    ('SERVERS', 'Rack and blade servers', false, 'associate', 90),
    ('NETWORKING', 'Switching, routing and Wi-Fi', false, 'associate', 90),
    ('SECURITY', 'Firewalls and endpoint security', true, 'professional', 90),
    ('CLOUD', 'Hybrid cloud platform subscriptions', true, 'associate', 120),
    ('SOFTWARE', 'Infrastructure software licences', false, 'associate', 90),
    ('SERVICES', 'Professional and support services', false, 'associate', 60),
    ('EDGE_IOT', 'Edge computing and IoT gateways', true, 'professional', 90)
  ON CONFLICT (code) DO NOTHING;

  -- countries on a [lo, hi) stretch of [0, 1) proportional to their weight
  CREATE TEMP TABLE demo_cty ON COMMIT DROP AS
    SELECT p.country, p.lang, p.suffixes, p.suffix_first, c.region, l.stems, l.partner_words,
           l.industries, l.first_names, l.last_names,
           coalesce(sum(p.weight) OVER w_before, 0) / sum(p.weight) OVER () AS lo,
           sum(p.weight) OVER w_upto / sum(p.weight) OVER () AS hi
    FROM channel.demo_country_profile p
    JOIN channel.country c ON c.code = p.country
    JOIN channel.demo_language l ON l.lang = p.lang
    WINDOW w_upto AS (ORDER BY p.country ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
           w_before AS (ORDER BY p.country ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING);

  CREATE TEMP TABLE demo_lines ON COMMIT DROP AS
    SELECT code, row_number() OVER (ORDER BY code) AS k,
           CASE code WHEN 'STORAGE' THEN 120000 WHEN 'SERVERS' THEN 90000 WHEN 'NETWORKING' THEN 60000
                     WHEN 'SECURITY' THEN 45000 WHEN 'CLOUD' THEN 70000 WHEN 'SOFTWARE' THEN 30000
                     WHEN 'SERVICES' THEN 25000 ELSE 40000 END AS base_amount
    FROM channel.product_line WHERE active;

  ---------------------------------------------------------------- partners
  -- about 31% active and 68% inactive (the IDC shape: 8,500 of 27,500), a
  -- few in the other states; 1% distributors; a Pareto(1.16) "size" per
  -- partner drives the 80/20 revenue skew.
  CREATE TEMP TABLE demo_partner ON COMMIT DROP AS
  SELECT i AS partner_id, c.country, c.region, c.lang, c.suffixes, c.suffix_first,
         c.stems, c.partner_words, c.first_names, c.last_names,
         CASE WHEN r.u_status < 0.310 THEN 'active' WHEN r.u_status < 0.9915 THEN 'inactive'
              WHEN r.u_status < 0.9945 THEN 'prospect' WHEN r.u_status < 0.9975 THEN 'onboarding'
              WHEN r.u_status < 0.9990 THEN 'suspended' ELSE 'terminated' END::channel.partner_status AS status,
         CASE WHEN r.u_kind < 0.01 THEN 'distributor' WHEN r.u_kind < 0.76 THEN 'reseller'
              WHEN r.u_kind < 0.88 THEN 'msp' WHEN r.u_kind < 0.96 THEN 'integrator' ELSE 'referral' END AS kind,
         r.u_tier, least(150.0, power(1.0 - r.u_size, -1.0 / 1.1)) AS size,
         r.u_name1, r.u_name2, r.u_name3, r.u_age
  FROM generate_series(1, partners) AS i
  CROSS JOIN LATERAL (SELECT channel.det_random(s, 1, i) AS u_country, channel.det_random(s, 2, i) AS u_status,
                             channel.det_random(s, 3, i) AS u_kind, channel.det_random(s, 4, i) AS u_tier,
                             channel.det_random(s, 5, i) AS u_size, channel.det_random(s, 6, i) AS u_name1,
                             channel.det_random(s, 7, i) AS u_name2, channel.det_random(s, 8, i) AS u_name3,
                             channel.det_random(s, 9, i) AS u_age) r
  JOIN demo_cty c ON r.u_country >= c.lo AND r.u_country < c.hi;

  INSERT INTO channel.partner (partner_id, name, kind, tier, status, country, region, max_open_leads, website,
                               created_at, status_changed_at)
  SELECT d.partner_id,
         channel.demo_compose_name(
           channel.demo_pick(d.stems, d.u_name1) || CASE WHEN d.lang IN ('ja', 'zh', 'ko') THEN '' ELSE ' ' END
             || channel.demo_pick(d.partner_words, d.u_name2)
             || CASE WHEN d.lang = 'en' AND d.u_name3 < 0.5 THEN ' of ' || (ARRAY['Denver','Austin','Boston','Chicago','Atlanta',
                  'Seattle','Dallas','Phoenix','Toronto','Sydney','Leeds','Bristol','Dublin','Auckland','Pune',
                  'Houston','Ohio','the Pacific','the Midwest','the Coast'])[1 + floor(d.u_name3 * 40)::int]
                  WHEN d.u_name3 >= 0.85 THEN ' ' || (1 + floor((d.u_name3 - 0.85) * 60))::int ELSE '' END,
           channel.demo_pick(d.suffixes, d.u_name3), d.lang, d.suffix_first),
         d.kind,
         CASE WHEN d.kind = 'distributor' THEN (CASE WHEN d.u_tier < 0.4 THEN 'platinum' ELSE 'gold' END)
              WHEN d.status = 'active' THEN (CASE WHEN d.u_tier < 0.03 THEN 'platinum' WHEN d.u_tier < 0.13 THEN 'gold'
                                                  WHEN d.u_tier < 0.40 THEN 'silver' ELSE 'registered' END)
              WHEN d.status IN ('inactive', 'suspended', 'terminated') AND d.u_tier < 0.15 THEN 'silver'
              ELSE 'registered' END::channel.partner_tier,
         CASE WHEN d.kind = 'distributor' THEN 'active' ELSE d.status END,
         d.country, d.region,
         CASE WHEN d.kind = 'distributor' THEN 0 ELSE least(500, 5 + floor(d.size * 8))::int END,
         'https://partner' || d.partner_id || '.example.com',
         t_end - make_interval(days => (60 + d.u_age * 3600)::int),
         t_end - make_interval(days => (d.u_age * 60)::int)
  FROM demo_partner d;
  UPDATE demo_partner d SET status = 'active' WHERE d.kind = 'distributor';

  -- about 35% of resellers buy through a distributor of their region
  WITH dist AS (
    SELECT partner_id, region, row_number() OVER (PARTITION BY region ORDER BY partner_id) AS rn,
           count(*) OVER (PARTITION BY region) AS n
    FROM demo_partner WHERE kind = 'distributor'),
  pick AS (
    SELECT d.partner_id, d.region, 1 + floor(channel.det_random(s, 10, d.partner_id) * 1000)::int AS k
    FROM demo_partner d WHERE d.kind = 'reseller' AND channel.det_random(s, 11, d.partner_id) < 0.35)
  UPDATE channel.partner p SET parent_id = dist.partner_id
  FROM pick JOIN dist ON dist.region = pick.region AND dist.rn = 1 + (pick.k % dist.n)
  WHERE p.partner_id = pick.partner_id;

  -- every partner sells one line for sure and each other with 30%
  -- (platinum/gold/distributors: 70%)
  INSERT INTO channel.partner_product (partner_id, product_line, authorized_on)
  SELECT p.partner_id, l.code, (p.created_at + interval '30 days')::date
  FROM channel.partner p CROSS JOIN demo_lines l
  WHERE l.k = 1 + p.partner_id % (SELECT count(*) FROM demo_lines)
     OR channel.det_random(s, 12, p.partner_id * 16 + l.k)
        < CASE WHEN p.tier >= 'gold' OR p.kind = 'distributor' THEN 0.7 ELSE 0.3 END;

  -- territory: the home country; gold and above and distributors cover the region
  INSERT INTO channel.partner_territory (partner_id, country, region)
  SELECT p.partner_id, p.country, NULL FROM channel.partner p
  UNION ALL
  SELECT p.partner_id, NULL, p.region FROM channel.partner p
  WHERE p.tier >= 'gold' OR p.kind = 'distributor';

  -- certifications: 2-year validity earned over the last ~3 years, so about
  -- a third have expired by as_of
  INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
  SELECT pp.partner_id, pp.product_line,
         CASE WHEN u.v < CASE p.tier WHEN 'platinum' THEN 0.6 WHEN 'gold' THEN 0.35 ELSE 0.08 END THEN 'expert'
              WHEN u.v < CASE p.tier WHEN 'platinum' THEN 0.95 WHEN 'gold' THEN 0.8 ELSE 0.4 END THEN 'professional'
              ELSE 'associate' END::channel.cert_level,
         as_of - (u.e * 1100)::int,
         as_of - (u.e * 1100)::int + 730
  FROM channel.partner_product pp
  JOIN channel.partner p ON p.partner_id = pp.partner_id
  CROSS JOIN LATERAL (SELECT channel.det_random(s, 13, pp.partner_id * 16 + length(pp.product_line)) AS v,
                             channel.det_random(s, 14, pp.partner_id * 16 + ascii(pp.product_line) % 16) AS e,
                             channel.det_random(s, 15, pp.partner_id * 32 + length(pp.product_line) + ascii(pp.product_line)) AS has) u
  WHERE u.has < CASE WHEN p.status = 'active' THEN 0.75 ELSE 0.35 END;

  -- 1 to 3 contacts, the first one primary
  INSERT INTO channel.partner_contact (partner_id, full_name, email, phone, role, is_primary)
  SELECT d.partner_id,
         CASE WHEN d.lang IN ('ja', 'zh', 'ko')
              THEN channel.demo_pick(d.last_names, channel.det_random(s, 16, d.partner_id * 4 + k))
                   || channel.demo_pick(d.first_names, channel.det_random(s, 17, d.partner_id * 4 + k))
              ELSE channel.demo_pick(d.first_names, channel.det_random(s, 17, d.partner_id * 4 + k)) || ' '
                   || channel.demo_pick(d.last_names, channel.det_random(s, 16, d.partner_id * 4 + k)) END,
         'contact' || k || '@partner' || d.partner_id || '.example.com',
         '+' || (10000000000 + floor(channel.det_random(s, 18, d.partner_id * 4 + k) * 89999999999))::bigint,
         (ARRAY['owner', 'sales', 'presales', 'marketing', 'finance'])[k + 1 + (d.partner_id % 2)::int * (k % 2)],
         k = 1
  FROM demo_partner d
  CROSS JOIN LATERAL generate_series(1, 1 + floor(channel.det_random(s, 19, d.partner_id) * 3)::int) AS k;

  RAISE NOTICE 'generate_demo: % end customers and % leads', greatest(200, leads / 8), leads;
  ---------------------------------------------------------------- customers
  -- the famous ones first, then composed ones; a few customers draw many
  -- leads (index = N * u^2), as big accounts do.
  n_cust := greatest(200, leads / 8);
  CREATE TEMP TABLE demo_customer ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY f.country, f.core) AS cid, f.core, nullif(f.suffix, '') AS suffix,
         f.country, c.region, c.lang, c.suffix_first
  FROM channel.demo_famous_customer f JOIN demo_cty c ON c.country = f.country;
  INSERT INTO demo_customer
  SELECT (SELECT count(*) FROM channel.demo_famous_customer) + i,
         channel.demo_pick(c.stems, channel.det_random(s, 21, i))
           || c_join.j || channel.demo_pick(c.industries, channel.det_random(s, 22, i))
           || CASE WHEN channel.det_random(s, 23, i) < 0.3
                   THEN c_join.j || channel.demo_pick(c.stems, channel.det_random(s, 24, i)) ELSE '' END,
         channel.demo_pick(c.suffixes, channel.det_random(s, 25, i)),
         c.country, c.region, c.lang, c.suffix_first
  FROM generate_series(1, n_cust - (SELECT count(*) FROM channel.demo_famous_customer)) AS i
  JOIN demo_cty c ON channel.det_random(s, 20, i) >= c.lo AND channel.det_random(s, 20, i) < c.hi
  CROSS JOIN LATERAL (SELECT CASE WHEN c.lang IN ('ja', 'zh') THEN '' ELSE ' ' END AS j) c_join;
  CREATE INDEX ON demo_customer (cid);
  ANALYZE demo_customer;

  ---------------------------------------------------------------- leads
  -- created over 24 months, more of them recently; status follows age.
  CREATE TEMP TABLE demo_lead ON COMMIT DROP AS
  SELECT i AS lead_id, cu.cid, cu.core, cu.suffix, cu.lang, cu.suffix_first, cu.country, cu.region,
         (SELECT code FROM demo_lines WHERE k = 1 + floor(channel.det_random(s, 31, i) * (SELECT count(*) FROM demo_lines))::int) AS product_line,
         t_end - make_interval(secs => (1.0 - sqrt(channel.det_random(s, 32, i))) * 730 * 86400) AS created_at,
         channel.det_random(s, 33, i) AS u_status, channel.det_random(s, 34, i) AS u_time,
         channel.det_random(s, 35, i) AS u_partner, channel.det_random(s, 36, i) AS u_variant,
         channel.det_random(s, 37, i) AS u_bant
  FROM generate_series(1, leads) AS i
  JOIN demo_customer cu ON cu.cid = 1 + floor(power(channel.det_random(s, 30, i), 2) * n_cust)::int;

  -- partners that can take a lead: active, not distributors, authorized
  CREATE TEMP TABLE demo_taker ON COMMIT DROP AS
  SELECT p.partner_id, p.country, p.region, pp.product_line,
         row_number() OVER (PARTITION BY p.country, pp.product_line ORDER BY p.partner_id) AS rn_c,
         count(*) OVER (PARTITION BY p.country, pp.product_line) AS n_c,
         row_number() OVER (PARTITION BY p.region, pp.product_line ORDER BY p.partner_id) AS rn_r,
         count(*) OVER (PARTITION BY p.region, pp.product_line) AS n_r
  FROM channel.partner p JOIN channel.partner_product pp ON pp.partner_id = p.partner_id
  WHERE p.status = 'active' AND p.kind <> 'distributor';

  ALTER TABLE demo_lead ADD COLUMN status channel.lead_status, ADD COLUMN partner_id bigint,
    ADD COLUMN routed_at timestamptz, ADD COLUMN accepted_at timestamptz, ADD COLUMN closed_at timestamptz;
  UPDATE demo_lead d SET status = CASE
      WHEN d.created_at > t_end - interval '3 days' THEN
        CASE WHEN d.u_status < 0.30 THEN 'new' WHEN d.u_status < 0.80 THEN 'routed'
             WHEN d.u_status < 0.85 THEN 'pooled' ELSE 'accepted' END
      WHEN d.created_at > t_end - interval '60 days' THEN
        CASE WHEN d.u_status < 0.40 THEN 'accepted' WHEN d.u_status < 0.45 THEN 'rejected'
             WHEN d.u_status < 0.48 THEN 'recalled' WHEN d.u_status < 0.58 THEN 'pooled'
             WHEN d.u_status < 0.75 THEN 'converted' ELSE 'lost' END
      ELSE
        CASE WHEN d.u_status < 0.05 THEN 'accepted' WHEN d.u_status < 0.10 THEN 'rejected'
             WHEN d.u_status < 0.14 THEN 'recalled' WHEN d.u_status < 0.28 THEN 'pooled'
             WHEN d.u_status < 0.53 THEN 'converted' ELSE 'lost' END
    END::channel.lead_status;

  UPDATE demo_lead d SET partner_id = t.partner_id
  FROM demo_taker t
  WHERE d.status NOT IN ('new', 'pooled') AND t.country = d.country AND t.product_line = d.product_line
    AND t.rn_c = 1 + floor(d.u_partner * t.n_c)::int;
  UPDATE demo_lead d SET partner_id = t.partner_id
  FROM demo_taker t
  WHERE d.status NOT IN ('new', 'pooled') AND d.partner_id IS NULL
    AND t.region = d.region AND t.product_line = d.product_line
    AND t.rn_r = 1 + floor(d.u_partner * t.n_r)::int;
  -- nobody at all sells that line there: the lead sits in the pool
  UPDATE demo_lead d SET status = 'pooled' WHERE d.partner_id IS NULL AND d.status NOT IN ('new', 'pooled');

  UPDATE demo_lead d SET
    routed_at = CASE WHEN d.partner_id IS NOT NULL THEN d.created_at + make_interval(secs => d.u_time * 4 * 3600) END;
  UPDATE demo_lead d SET
    accepted_at = CASE WHEN d.status IN ('accepted', 'converted', 'lost')
                       THEN least(d.routed_at + make_interval(secs => -ln(1.0 - d.u_time) * 9 * 3600),
                                  d.routed_at + interval '47 hours') END;
  -- a close that would fall after as_of has not happened yet
  UPDATE demo_lead d SET
    closed_at = CASE WHEN d.status IN ('converted', 'lost')
                     THEN d.accepted_at + make_interval(days => (5 + d.u_bant * 110)::int) END;
  UPDATE demo_lead d SET status = 'accepted', closed_at = NULL WHERE d.closed_at > t_end;
  -- an accept that would fall after as_of is still pending
  UPDATE demo_lead d SET status = 'routed', accepted_at = NULL WHERE d.accepted_at > t_end;

  INSERT INTO channel.lead (lead_id, company, contact_name, contact_email, country, region, product_line, source,
                            campaign, industry, employees, budget, authority, need, timeline_days, status, partner_id,
                            routed_at, accept_by, accepted_at, closed_at, reject_reason, status_reason, created_at)
  SELECT d.lead_id,
         channel.demo_name_variant(d.core, d.suffix, d.lang, d.suffix_first,
                                   CASE WHEN d.u_variant < 0.70 THEN 0 ELSE 1 + floor((d.u_variant - 0.70) / 0.075)::int END),
         NULL,
         'buyer' || d.lead_id || '@customer' || d.cid || '.example.org',
         d.country, d.region, d.product_line,
         (ARRAY['web', 'web', 'campaign', 'campaign', 'event', 'referral', 'partner', 'inbound_call', 'purchased_list'])
           [1 + floor(d.u_time * 9)::int],
         CASE WHEN floor(d.u_time * 9)::int IN (2, 3)
              THEN 'FY' || to_char(d.created_at, 'YY') || '-Q' || to_char(d.created_at, 'Q') || '-' || d.product_line END,
         (ARRAY['manufacturing', 'finance', 'healthcare', 'retail', 'public sector', 'education', 'energy', 'telecom'])
           [1 + floor(d.u_bant * 8)::int],
         (10 * power(10, d.u_bant * 4))::int,
         round((5000 * power(10, channel.det_random(s, 38, d.lead_id) * 2.5))::numeric, -2),
         (ARRAY['none', 'influencer', 'influencer', 'decision_maker'])[1 + floor(channel.det_random(s, 39, d.lead_id) * 4)::int],
         (ARRAY['low', 'medium', 'medium', 'high'])[1 + floor(channel.det_random(s, 40, d.lead_id) * 4)::int],
         (ARRAY[30, 60, 90, 180, 365])[1 + floor(channel.det_random(s, 41, d.lead_id) * 5)::int],
         d.status, d.partner_id, d.routed_at,
         d.routed_at + interval '48 hours',
         d.accepted_at, d.closed_at,
         CASE WHEN d.status = 'rejected'
              THEN (ARRAY['no_capacity', 'out_of_territory', 'not_qualified', 'duplicate', 'no_budget'])
                     [1 + floor(d.u_bant * 5)::int] END,
         CASE d.status WHEN 'recalled' THEN 'sla_expired' WHEN 'pooled' THEN 'no_eligible_partner' END,
         d.created_at
  FROM demo_lead d
  ORDER BY d.lead_id;

  ---------------------------------------------------------------- deals
  RAISE NOTICE 'generate_demo: deal registrations';
  -- every converted lead became a registration; partners also register
  -- opportunities of their own (about one for every four leads).
  CREATE TEMP TABLE demo_deal ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY src, k) AS deal_id, x.*
  FROM (
    SELECT 1 AS src, d.lead_id AS k, d.partner_id, d.lead_id, d.core, d.suffix, d.lang, d.suffix_first,
           d.country, d.product_line, d.accepted_at + (d.closed_at - d.accepted_at) / 2 AS submitted_at
    FROM demo_lead d WHERE d.status = 'converted'
    UNION ALL
    SELECT 2, i, t.partner_id, NULL, cu.core, cu.suffix, cu.lang, cu.suffix_first, cu.country, t.product_line,
           t_end - make_interval(secs => (1.0 - sqrt(channel.det_random(s, 52, i))) * 700 * 86400)
    FROM generate_series(1, leads / 4) AS i
    JOIN demo_customer cu ON cu.cid = 1 + floor(power(channel.det_random(s, 50, i), 2) * n_cust)::int
    JOIN demo_taker t ON t.region = cu.region
                     AND t.product_line = (SELECT code FROM demo_lines
                                           WHERE k = 1 + floor(channel.det_random(s, 53, i) * (SELECT count(*) FROM demo_lines))::int)
                     AND t.rn_r = 1 + floor(channel.det_random(s, 51, i) * t.n_r)::int
  ) x;

  INSERT INTO channel.deal (deal_id, partner_id, lead_id, customer_name, customer_country, product_line, amount,
                            currency, expected_close, status, protected_until, extension_count, submitted_at,
                            decided_at, closed_at, status_reason)
  SELECT dd.deal_id, dd.partner_id, dd.lead_id,
         channel.demo_name_variant(dd.core, dd.suffix, dd.lang, dd.suffix_first,
                                   CASE WHEN u.v < 0.75 THEN 0 ELSE 1 + floor((u.v - 0.75) / 0.0625)::int END),
         dd.country, dd.product_line,
         round((l.base_amount * exp(0.8 * (u.a - 0.5) * 2.0) * (0.2 + power(ps.size, 1.2)))::numeric, -2),
         'USD',
         (dd.submitted_at + make_interval(days => (30 + u.t * 120)::int))::date,
         fin.status,
         CASE WHEN fin.status <> 'rejected'
              THEN dd.submitted_at + make_interval(days => pl.protection_days + 60 * st.ext) END,
         st.ext,
         dd.submitted_at,
         CASE WHEN fin.status IN ('approved', 'rejected', 'won', 'lost', 'expired')
              THEN least(dd.submitted_at + make_interval(secs => u.t * 3 * 86400), t_end) END,
         CASE WHEN fin.status IN ('won', 'lost')
              -- a sales cycle of 3 to about 140 days (as long as the deal's
              -- age allows), drawn with the expected close (u.t), so that
              -- the history is the same from one quarter to the next
              THEN least(dd.submitted_at + make_interval(secs => (3 + u.t * 0.9 * least(greatest(age_days - 3, 0), 150)) * 86400), t_end) END,
         CASE fin.status WHEN 'rejected' THEN (ARRAY['duplicate', 'customer_not_eligible', 'insufficient_detail', 'direct_account'])
                                               [1 + floor(u.a * 4)::int]
                        WHEN 'conflict' THEN 'overlaps an existing registration'
                        WHEN 'expired' THEN 'protection ended' END
  FROM demo_deal dd
  JOIN demo_lines l ON l.code = dd.product_line
  JOIN channel.product_line pl ON pl.code = dd.product_line
  JOIN demo_partner ps ON ps.partner_id = dd.partner_id
  CROSS JOIN LATERAL (SELECT channel.det_random(s, 54, dd.deal_id) AS v, channel.det_random(s, 55, dd.deal_id) AS a,
                             channel.det_random(s, 56, dd.deal_id) AS t, channel.det_random(s, 57, dd.deal_id) AS w,
                             extract(epoch FROM t_end - dd.submitted_at) / 86400 AS age_days) u
  CROSS JOIN LATERAL (
    SELECT CASE
      WHEN u.age_days < 7 THEN
        CASE WHEN u.w < 0.60 THEN 'submitted' WHEN u.w < 0.90 THEN 'approved' WHEN u.w < 0.95 THEN 'rejected' ELSE 'conflict' END
      WHEN u.age_days < pl.protection_days THEN
        CASE WHEN u.w < 0.06 THEN 'submitted' WHEN u.w < 0.64 THEN 'approved' WHEN u.w < 0.76 THEN 'won'
             WHEN u.w < 0.86 THEN 'lost' WHEN u.w < 0.95 THEN 'rejected' ELSE 'conflict' END
      ELSE
        CASE WHEN u.w < 0.38 THEN 'won' WHEN u.w < 0.65 THEN 'lost' WHEN u.w < 0.88 THEN 'expired'
             WHEN u.w < 0.96 THEN 'rejected' WHEN u.w < 0.98 AND u.age_days < pl.protection_days + 120 THEN 'approved'
             WHEN u.w < 0.98 THEN 'expired' ELSE 'conflict' END
    END::channel.deal_status AS status,
    CASE WHEN u.age_days >= pl.protection_days AND u.w >= 0.96 AND u.w < 0.98 AND u.age_days < pl.protection_days + 120
         THEN 2 ELSE 0 END AS ext
  ) st
  -- Whether a closed registration was won or lost depends on who registered
  -- it, what it is worth and its product line, as in a real channel (a
  -- forecast can learn it): the partner's skill (0.55x to 1.45x, fixed per
  -- partner), the amount's draw (large deals 0.75x, small 1.25x) and the
  -- line (0.8x to 1.2x) scale a 56% base chance.
  CROSS JOIN LATERAL (
    SELECT CASE WHEN st.status IN ('won', 'lost') THEN
             CASE WHEN channel.det_random(s, 58, dd.deal_id)
                       < least(0.95, 0.56 * (0.55 + 0.9 * channel.det_random(s, 59, dd.partner_id))
                                          * (1.25 - 0.5 * u.a)
                                          * (0.8 + 0.4 * channel.det_random(s, 60, length(dd.product_line) * 131 + ascii(dd.product_line))))
                  THEN 'won' ELSE 'lost' END::channel.deal_status
           ELSE st.status END AS status
  ) fin
  ORDER BY dd.deal_id;

  -- identities continue after the demo's explicit ids
  PERFORM pg_catalog.setval('channel.partner_partner_id_seq', greatest(partners, 1));
  PERFORM pg_catalog.setval('channel.lead_lead_id_seq', greatest(leads, 1), leads > 0);
  PERFORM pg_catalog.setval('channel.deal_deal_id_seq', greatest((SELECT count(*) FROM demo_deal), 1),
                            (SELECT count(*) FROM demo_deal) > 0);

  ANALYZE channel.partner; ANALYZE channel.partner_product; ANALYZE channel.partner_territory;
  ANALYZE channel.certification; ANALYZE channel.lead; ANALYZE channel.deal;

  RETURN QUERY
    SELECT x.item, x.how_many FROM (
      SELECT 1 AS ord, 'partners'::text AS item, count(*) AS how_many FROM channel.partner
      UNION ALL SELECT 2, 'partners active', count(*) FROM channel.partner WHERE status = 'active'
      UNION ALL SELECT 3, 'partners inactive', count(*) FROM channel.partner WHERE status = 'inactive'
      UNION ALL SELECT 4, 'distributors', count(*) FROM channel.partner WHERE kind = 'distributor'
      UNION ALL SELECT 5, 'resellers under a distributor', count(*) FROM channel.partner WHERE parent_id IS NOT NULL
      UNION ALL SELECT 6, 'contacts', count(*) FROM channel.partner_contact
      UNION ALL SELECT 7, 'certifications', count(*) FROM channel.certification
      UNION ALL SELECT 8, 'certifications expired', count(*) FROM channel.certification WHERE expires_on <= as_of
      UNION ALL SELECT 9, 'end customers', n_cust::bigint
      UNION ALL SELECT 10, 'leads', count(*) FROM channel.lead
      UNION ALL SELECT 11, 'deals', count(*) FROM channel.deal) x
    ORDER BY x.ord;
END
$fn$;
COMMENT ON FUNCTION channel.generate_demo(integer, integer, integer, date) IS
  'Fills an empty channel with a realistic, deterministic demo (same seed and as_of, same rows): IDC-shaped partner base (~31% active, ~68% inactive), two-tier distribution, territories, authorizations, expiring certifications, contacts, end customers across scripts with spelling variants, leads over 24 months and deals in every status with an 80/20 revenue skew. Returns counts of what it made.';
