-- 54_engagement: engagement events recorded in bulk (duplicates skipped,
-- every bad event refused), monthly profiles with course starts and
-- completions from the enrolments, the top-vs-rest comparison, engagement
-- as tier metrics, and what partners and analysts see.  Every event lies in
-- the previous UTC month (always in the past, whatever the day); no absolute
-- date is printed.  Creates its rows and roles and removes them.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month')::date AS prev_month \gset
SELECT to_char(:'prev_month'::date + interval '1 day 9 hours', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t0,
       to_char(:'prev_month'::date + interval '1 day 10 hours', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t1,
       to_char(:'prev_month'::date + interval '2 days 9 hours', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t2 \gset

INSERT INTO channel.product_line (code, name) VALUES ('EN_A', 'Engagement test line');
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country) VALUES
  (5501, 'Engaged Integrator', 'integrator', 'registered', 'active', 'NL'),
  (5502, 'Quiet Integrator', 'integrator', 'registered', 'active', 'BE');
INSERT INTO channel.partner_contact (contact_id, partner_id, full_name, email) VALUES
  (5511, 5501, 'Eva Engaged', 'eva@engaged.example'),
  (5512, 5501, 'Emil Engaged', 'emil@engaged.example'),
  (5521, 5502, 'Quentin Quiet', 'quentin@quiet.example');
-- 5501 is the top partner by revenue (the scorecard's rollup)
INSERT INTO channel.partner_month (partner_id, month, won_revenue) VALUES
  (5501, channel.month_of(current_date), 100000), (5502, channel.month_of(current_date), 10);
INSERT INTO channel.course (course_id, code, title, product_line, level) VALUES (5531, 'ENA-101', 'Engagement basics', 'EN_A', 'associate');
INSERT INTO channel.course_enrolment (contact_id, partner_id, course_id, enrolled_at, completed_at)
VALUES (5512, 5501, 5531, :'t0'::timestamptz, :'t2'::timestamptz);

-- the kinds: recorded and derived
SELECT kind, derived FROM channel.engagement_kind ORDER BY derived, kind;

---------------------------------------------------------------- recording in bulk
SELECT * FROM channel.record_engagement(format('[
  {"kind": "portal_sign_in", "contact_id": 5511, "at": "%1$s", "source": "portal", "external_id": "s-1"},
  {"kind": "portal_sign_in", "contact_id": 5511, "at": "%2$s", "source": "portal", "external_id": "s-2"},
  {"kind": "portal_sign_in", "contact_id": 5511, "at": "%3$s", "source": "portal", "external_id": "s-3"},
  {"kind": "content_download", "contact_id": 5512, "at": "%1$s", "detail": "Line A battlecard"},
  {"kind": "community_interaction", "contact_id": 5511, "partner_id": 5501, "at": "%2$s", "source": "community"},
  {"kind": "portal_sign_in", "contact_id": 5521, "at": "%1$s", "source": "portal", "external_id": "s-4"},
  {"kind": "subscription", "partner_id": 5502, "at": "%3$s"}]', :'t0', :'t1', :'t2')::jsonb);
-- a retry of the same batch part is harmless
SELECT * FROM channel.record_engagement(format('[
  {"kind": "portal_sign_in", "contact_id": 5511, "at": "%1$s", "source": "portal", "external_id": "s-1"},
  {"kind": "expert_interaction", "contact_id": 5512, "at": "%2$s", "source": "office-hours", "external_id": "s-1"}]', :'t0', :'t1')::jsonb);
SELECT partner_id, contact_id, kind, source, external_id, detail, occurred_at = :'t0'::timestamptz AS at_t0
FROM channel.engagement_event ORDER BY event_id;

-- bad events: nothing of the batch is recorded, the first bad one is named
SELECT * FROM channel.record_engagement('{"kind": "portal_sign_in"}');
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "contact_id": 5511, "at": "%s"}, 3]', :'t0')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"contact_id": 5511, "at": "%s"}]', :'t0')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "dancing", "contact_id": 5511, "at": "%s"}]', :'t0')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "course_completion", "contact_id": 5511, "at": "%s"}]', :'t0')::jsonb);
SELECT * FROM channel.record_engagement('[{"kind": "portal_sign_in", "contact_id": 5511, "at": "yesterday"}]');
SELECT * FROM channel.record_engagement('[{"kind": "portal_sign_in", "contact_id": 5511, "at": "2999-01-01T00:00:00Z"}]');
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "contact_id": 5599, "at": "%s"}]', :'t0')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "partner_id": 5599, "at": "%s"}]', :'t0')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "contact_id": 5511, "partner_id": 5502, "at": "%s"}]', :'t0')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "at": "%s"}]', :'t0')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "partner_id": 5501, "at": "%s", "source": "The Portal"}]', :'t0')::jsonb);
SELECT count(*) AS events_after_bad_batches FROM channel.engagement_event;
-- append-only
UPDATE channel.engagement_event SET kind = 'subscription' WHERE contact_id = 5511;
DELETE FROM channel.engagement_event WHERE contact_id = 5511;

---------------------------------------------------------------- profiles
SELECT partner_id, month = :'prev_month'::date AS prev_month, engaged_contacts, events, portal_sign_ins, content_downloads,
       community_interactions, expert_interactions, subscriptions, course_starts, course_completions,
       last_event_at = :'t2'::timestamptz AS last_at_t2
FROM channel.engagement_profile(:'prev_month', :'prev_month') WHERE partner_id IN (5501, 5502);
SELECT count(*) AS rows_this_month_only FROM channel.engagement_profile(channel.month_of(now()), NULL, 5501);
SELECT * FROM channel.engagement_profile('2026-05-01', '2026-01-01');
SELECT * FROM channel.engagement_profile(NULL, NULL, 5599);

---------------------------------------------------------------- what the top partners do more
SELECT behaviour, top_partners, top_per_partner_month, top_share_showing, rest_per_partner_month > 0 AS rest_shows_it,
       rest_partners = (SELECT count(*) FROM channel.partner WHERE status = 'active' AND partner_id <> 5501) AS rest_is_the_other_active
FROM channel.engagement_top_vs_rest() ORDER BY behaviour;
-- the lift where both groups show a behaviour: top mean / rest mean
SELECT behaviour, lift = round((top_per_partner_month / rest_per_partner_month), 2) AS lift_is_ratio_of_means
FROM channel.engagement_top_vs_rest() WHERE behaviour IN ('portal_sign_in', 'engaged_contacts');
SELECT * FROM channel.engagement_top_vs_rest(months => 0);
SELECT * FROM channel.engagement_top_vs_rest(top_share => 2);

---------------------------------------------------------------- engagement in tier requirements
INSERT INTO channel.program (program_id, name, kinds, starts_on) VALUES (5561, 'Engagement Test Programme', ARRAY['integrator'], current_date - 400);
SELECT channel.join_program(p, 5561, current_date - 300) > 0 AS joined FROM unnest(ARRAY[5501, 5502]) p;
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months) VALUES
  (5561, 'silver', 'engaged_contacts', '>=', 2, 3),
  (5561, 'silver', 'portal_sign_ins', '>=', 3, 3);
SELECT partner_id, qualified_tier, requirement_values, requirement_passed, missing
FROM channel.evaluate_tiers(current_date) ORDER BY partner_id;
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold) VALUES (5561, 'gold', 'portal_sign_ins', '>=', 5);

---------------------------------------------------------------- partners and analysts
CREATE ROLE regress_eng_a LOGIN;
CREATE ROLE regress_eng_analyst LOGIN;
GRANT channel_partner TO regress_eng_a;
GRANT channel_analyst TO regress_eng_analyst;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_eng_a', 5501);
SET SESSION AUTHORIZATION regress_eng_a;
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "contact_id": 5512, "at": "%s", "source": "portal", "external_id": "s-9"}]', :'t1')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "content_download", "at": "%s"}]', :'t1')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "contact_id": 5521, "at": "%s"}]', :'t1')::jsonb);
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "partner_id": 5502, "at": "%s"}]', :'t1')::jsonb);
SELECT DISTINCT partner_id FROM channel.engagement_event;
SELECT partner_id, events, portal_sign_ins FROM channel.engagement_profile(:'prev_month', :'prev_month');
SELECT * FROM channel.engagement_profile(:'prev_month', :'prev_month', 5502);
SELECT * FROM channel.engagement_top_vs_rest();
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_eng_analyst;
SELECT count(DISTINCT partner_id) >= 2 AS analyst_sees_all FROM channel.engagement_profile(:'prev_month', :'prev_month');
SELECT count(*) > 0 AS analyst_compares FROM channel.engagement_top_vs_rest();
SELECT * FROM channel.record_engagement(format('[{"kind": "portal_sign_in", "partner_id": 5501, "at": "%s"}]', :'t1')::jsonb);
RESET SESSION AUTHORIZATION;

---------------------------------------------------------------- clean up
DELETE FROM channel.partner_user WHERE role_name LIKE 'regress\_eng\_%';
DROP ROLE regress_eng_a, regress_eng_analyst;
DELETE FROM channel.partner_month WHERE partner_id IN (5501, 5502);
DELETE FROM channel.partner WHERE partner_id IN (5501, 5502);
DELETE FROM channel.course WHERE course_id = 5531;
DELETE FROM channel.program WHERE program_id = 5561;
DELETE FROM channel.product_line WHERE code = 'EN_A';
SELECT (SELECT count(*) FROM channel.engagement_event) + (SELECT count(*) FROM channel.course_enrolment)
     + (SELECT count(*) FROM channel.program_member) + (SELECT count(*) FROM channel.tier_requirement) AS rows_left;
