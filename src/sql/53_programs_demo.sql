-- 53_programs_demo.sql: demo data for programmes, tiers and enablement,
-- on top of channel.generate_demo() (test/demo.d/50_programs.sql calls it).

CREATE FUNCTION channel.demo_programs(as_of date DEFAULT current_date, seed integer DEFAULT 1)
RETURNS TABLE (item text, how_many bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  s       bigint := seed;
  network bigint;
  referral bigint;
  e       record;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can load demo data'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF as_of IS NULL OR seed IS NULL THEN
    RAISE EXCEPTION 'as_of and seed must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'SELECT * FROM channel.demo_programs();';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.partner) THEN
    RAISE EXCEPTION 'no partners to enrol'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Run SELECT * FROM channel.generate_demo() first.';
  END IF;
  IF EXISTS (SELECT 1 FROM channel.program) THEN
    RAISE EXCEPTION 'programmes exist already'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'demo_programs() fills a channel without programmes.',
            HINT = 'Drop and recreate the extension, or delete the programmes first.';
  END IF;

  INSERT INTO channel.program (name, description, kinds, starts_on, grace_evaluations)
  VALUES ('Partner Network', 'Resellers, integrators, MSPs and distributors: tiers from revenue, certifications, lead handling and win rate.',
          ARRAY['distributor', 'reseller', 'msp', 'integrator'], as_of - 730, 2)
  RETURNING program_id INTO network;
  INSERT INTO channel.program (name, description, kinds, starts_on, grace_evaluations)
  VALUES ('Referral', 'Referral partners: tiers from converted leads and won revenue.', ARRAY['referral'], as_of - 730, 1)
  RETURNING program_id INTO referral;

  INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months, product_line, cert_level, note)
  VALUES
    (network, 'silver',   'won_revenue',          '>=',   250000, 12, NULL, NULL, NULL),
    (network, 'silver',   'valid_certifications', '>=',        1, NULL, NULL, NULL, NULL),
    (network, 'silver',   'lead_acceptance_rate', '>=',     0.50, 12, NULL, NULL, 'accepted / decided leads'),
    (network, 'gold',     'won_revenue',          '>=',  2000000, 12, NULL, NULL, NULL),
    (network, 'gold',     'valid_certifications', '>=',        2, NULL, NULL, 'expert', 'two valid expert certifications'),
    (network, 'gold',     'lead_acceptance_rate', '>=',     0.70, 12, NULL, NULL, NULL),
    (network, 'gold',     'win_rate',             '>=',     0.30, 12, NULL, NULL, NULL),
    (network, 'gold',     'contacts',             '>=',        3, NULL, NULL, NULL, 'three active contacts'),
    (network, 'platinum', 'won_revenue',          '>=', 10000000, 12, NULL, NULL, NULL),
    (network, 'platinum', 'valid_certifications', '>=',        3, NULL, NULL, 'expert', NULL),
    (network, 'platinum', 'lead_acceptance_rate', '>=',     0.80, 12, NULL, NULL, NULL),
    (network, 'platinum', 'win_rate',             '>=',     0.35, 12, NULL, NULL, NULL),
    (network, 'platinum', 'contacts',             '>=',        3, NULL, NULL, NULL, NULL),
    (network, 'platinum', 'trained_contacts',     '>=',        2, 12, NULL, NULL, 'two people trained in the last year'),
    (referral, 'silver',  'leads_converted',      '>=',        2, 12, NULL, NULL, NULL),
    (referral, 'gold',    'leads_converted',      '>=',       10, 12, NULL, NULL, NULL),
    (referral, 'gold',    'won_revenue',          '>=',   500000, 12, NULL, NULL, NULL);

  INSERT INTO channel.onboarding_step (program_id, step, title, required_for, position, verify, partner_may_complete)
  VALUES (network, 'agreement_signed', 'Partner agreement signed', 'onboarding', 1, 'manual', false),
         (network, 'tax_banking', 'Tax and banking details provided', 'active', 2, 'manual', true),
         (network, 'primary_contact', 'A primary contact named', 'active', 3, 'primary_contact', false),
         (network, 'authorization', 'Authorized for a product line', 'active', 4, 'product_authorization', false),
         (network, 'first_certification', 'A first valid certification', 'active', 5, 'certification', false),
         (referral, 'agreement_signed', 'Referral agreement signed', 'onboarding', 1, 'manual', false),
         (referral, 'tax_banking', 'Tax and banking details provided', 'active', 2, 'manual', true);

  -- every partner is a member of the programme of its kind since it was created
  -- (or since the programmes started, for older ones)
  INSERT INTO channel.program_member (partner_id, program_id, joined_on, onboarding_started_at, activated_at)
  SELECT p.partner_id, CASE WHEN p.kind = 'referral' THEN referral ELSE network END,
         greatest(as_of - 730, (p.created_at AT TIME ZONE 'UTC')::date - (channel.det_random(s, 901, p.partner_id) * 400)::int),
         CASE WHEN p.status <> 'prospect'
              THEN greatest(as_of - 730, (p.created_at AT TIME ZONE 'UTC')::date - (channel.det_random(s, 901, p.partner_id) * 400)::int)
                   + (channel.det_random(s, 902, p.partner_id) * 20)::int END,
         CASE WHEN p.status NOT IN ('prospect', 'onboarding')
              THEN greatest(as_of - 730, (p.created_at AT TIME ZONE 'UTC')::date - (channel.det_random(s, 901, p.partner_id) * 400)::int)
                   + 20 + (channel.det_random(s, 903, p.partner_id) * 70)::int END
  FROM channel.partner p;
  -- onboarding steps done by everyone past onboarding, and by some still in it
  INSERT INTO channel.onboarding_completion (partner_id, program_id, step, completed_at, completed_by, note)
  SELECT m.partner_id, m.program_id, st.step,
         coalesce(m.activated_at, m.onboarding_started_at + interval '5 days'), 'demo', NULL
  FROM channel.program_member m
  JOIN channel.partner p ON p.partner_id = m.partner_id
  JOIN channel.onboarding_step st ON st.program_id = m.program_id AND st.verify = 'manual'
  WHERE p.status NOT IN ('prospect', 'onboarding')
     OR (p.status = 'onboarding' AND (st.required_for = 'onboarding' OR channel.det_random(s, 904, m.partner_id) < 0.4));

  -- courses: per product line, two associate courses, one professional, one expert
  INSERT INTO channel.certification_rule (product_line, level, valid_months)
  SELECT pl.code, lv.level, lv.months
  FROM channel.product_line pl
  CROSS JOIN (VALUES ('associate'::channel.cert_level, 12), ('professional', 24), ('expert', 24)) lv(level, months);
  INSERT INTO channel.course (code, title, product_line, level, hours)
  SELECT left(replace(pl.code, '_', ''), 8) || '-' || c.num, pl.name || ': ' || c.title, pl.code, c.level, c.hours
  FROM channel.product_line pl
  CROSS JOIN (VALUES ('101', 'fundamentals', 'associate'::channel.cert_level, 4.0),
                     ('102', 'selling the portfolio', 'associate', 2.0),
                     ('201', 'design and deployment', 'professional', 16.0),
                     ('301', 'architecture masterclass', 'expert', 24.0)) c(num, title, level, hours)
  ORDER BY pl.code, c.num;

  -- enrolments: contacts of active partners take their lines' associate
  -- path (some go on to professional); most complete within weeks
  INSERT INTO channel.course_enrolment (contact_id, partner_id, course_id, enrolled_at)
  SELECT pc.contact_id, pc.partner_id, c.course_id,
         (as_of - 90 - (channel.det_random(s, 910, pc.contact_id) * 500)::int)::timestamp AT TIME ZONE 'UTC'
           + make_interval(days => CASE c.level WHEN 'associate' THEN 0 ELSE 40 END)
  FROM channel.partner_contact pc
  JOIN channel.partner p ON p.partner_id = pc.partner_id AND p.status = 'active'
  JOIN LATERAL (SELECT pp.product_line FROM channel.partner_product pp WHERE pp.partner_id = pc.partner_id
                ORDER BY pp.product_line LIMIT 1) pl ON true
  JOIN channel.course c ON c.product_line = pl.product_line
       AND (c.level = 'associate' OR (c.level = 'professional' AND channel.det_random(s, 911, pc.contact_id) < 0.3))
  WHERE channel.det_random(s, 912, pc.contact_id) < 0.45;
  -- completions, oldest first, through complete_course(): paths completed
  -- issue certifications, audited
  FOR e IN
    SELECT ce.enrolment_id, ce.enrolled_at + make_interval(days => 1 + (channel.det_random(s, 913, ce.enrolment_id) * 30)::int) AS done
    FROM channel.course_enrolment ce
    WHERE channel.det_random(s, 914, ce.enrolment_id) < 0.85
      AND ce.enrolled_at + make_interval(days => 31) < now()
    ORDER BY 2, 1
  LOOP
    PERFORM channel.complete_course(e.enrolment_id, e.done);
  END LOOP;

  ANALYZE channel.program_member; ANALYZE channel.course_enrolment; ANALYZE channel.certification;
  RETURN QUERY
  SELECT x.item, x.n FROM (
    SELECT 1 AS ord, 'programmes' AS item, count(*) AS n FROM channel.program
    UNION ALL SELECT 2, 'tier requirements', count(*) FROM channel.tier_requirement
    UNION ALL SELECT 3, 'members', count(*) FROM channel.program_member
    UNION ALL SELECT 4, 'onboarding steps', count(*) FROM channel.onboarding_step
    UNION ALL SELECT 5, 'onboarding steps completed', count(*) FROM channel.onboarding_completion
    UNION ALL SELECT 6, 'courses', count(*) FROM channel.course
    UNION ALL SELECT 7, 'enrolments', count(*) FROM channel.course_enrolment
    UNION ALL SELECT 8, 'completions', count(*) FROM channel.course_enrolment WHERE completed_at IS NOT NULL
    UNION ALL SELECT 9, 'certifications issued by training', count(*) FROM channel.certification_award) x
  ORDER BY x.ord;
END
$$;
COMMENT ON FUNCTION channel.demo_programs(date, integer) IS
  'Demo data for programmes on top of channel.generate_demo(): two programmes (Partner Network, Referral) with tier requirements and onboarding steps, every partner enrolled by kind, onboarding completions, courses and certification rules per product line, enrolments and completions of active partners'' contacts (completed paths issue certifications through channel.complete_course()). Deterministic for a seed and as_of, except that completions must lie before now(). Returns counts.';
REVOKE EXECUTE ON FUNCTION channel.demo_programs(date, integer) FROM PUBLIC;
