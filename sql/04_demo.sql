-- 04_demo: generate_demo is deterministic for a seed and gives the IDC shape.
-- Runs in a transaction that is rolled back, leaving the database empty.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- bad arguments are refused before anything is written
SELECT * FROM channel.generate_demo(5);
SELECT * FROM channel.generate_demo(100, -1);
SELECT * FROM channel.generate_demo(100, 10, NULL);

BEGIN;
-- the full partner base (27,500) with a small lead volume keeps this quick
SELECT * FROM channel.generate_demo(27500, 20000, 1, '2026-11-01');

-- a second call on a non-empty channel is refused
SAVEPOINT second_call;
SELECT * FROM channel.generate_demo(100, 10);
ROLLBACK TO SAVEPOINT second_call;

-- status and tier shape: ~8,500 active and ~19,000 inactive (IDC), a
-- sprinkle of the other states, 1% distributors
SELECT count(*) FILTER (WHERE status = 'active') BETWEEN 8000 AND 9000 AS active_ok,
       count(*) FILTER (WHERE status = 'inactive') BETWEEN 18000 AND 19500 AS inactive_ok,
       count(*) FILTER (WHERE status NOT IN ('active', 'inactive')) BETWEEN 100 AND 600 AS others_ok,
       count(*) FILTER (WHERE kind = 'distributor') BETWEEN 200 AND 350 AS distributors_ok
FROM channel.partner;
SELECT status, count(*) > 0 AS present FROM channel.partner GROUP BY status ORDER BY status;
-- tiers of active partners: a pyramid
SELECT tier, round(100.0 * count(*) / sum(count(*)) OVER ()) BETWEEN lo AND hi AS share_ok
FROM channel.partner
JOIN (VALUES ('registered'::channel.partner_tier, 50, 70), ('silver', 20, 35), ('gold', 6, 15), ('platinum', 1, 6))
     AS b(t, lo, hi) ON b.t = tier
WHERE status = 'active'
GROUP BY tier, lo, hi ORDER BY tier;
-- two-tier: every parent is a distributor of the same region
SELECT count(*) AS resellers_under_distributors,
       bool_and(d.kind = 'distributor' AND d.region = r.region) AS parents_ok
FROM channel.partner r JOIN channel.partner d ON d.partner_id = r.parent_id;
-- everyone sells something, covers its own country, and has a primary contact
SELECT bool_and(EXISTS (SELECT 1 FROM channel.partner_product x WHERE x.partner_id = p.partner_id)) AS all_authorized,
       bool_and(EXISTS (SELECT 1 FROM channel.partner_territory t WHERE t.partner_id = p.partner_id AND t.country = p.country)) AS all_cover_home,
       bool_and(EXISTS (SELECT 1 FROM channel.partner_contact c WHERE c.partner_id = p.partner_id AND c.is_primary)) AS all_have_primary
FROM channel.partner p;
-- certifications: a fifth to a half have expired by as_of
SELECT round(avg((expires_on <= '2026-11-01')::int), 2) BETWEEN 0.2 AND 0.5 AS expired_share_ok FROM channel.certification;
-- many countries, and names in Latin with accents, Cyrillic, Greek and CJK
SELECT count(DISTINCT country) >= 30 AS many_countries FROM channel.partner;
SELECT script, count(*) > 0 AS present
FROM (SELECT CASE WHEN name ~ '[А-Яа-я]' THEN 'cyrillic' WHEN name ~ '[Α-Ωα-ω]' THEN 'greek'
                  WHEN name ~ '[一-龥ぁ-んァ-ン가-힣]' THEN 'cjk' WHEN name ~ '[À-ÿŁłŚśŻżĞğŞş]' THEN 'latin accented'
                  ELSE 'ascii' END AS script
      FROM channel.partner) s
GROUP BY script ORDER BY script;
-- customers appear under several spellings (the conflict-detection problem)
SELECT count(DISTINCT customer_name) > 1 AS variants_of_societe_generale
FROM channel.deal WHERE customer_name ILIKE '%soci%t% g%n%rale%';

-- leads span 24 months and every status; deals every status
SELECT min(created_at) >= '2024-11-01' AND max(created_at) <= '2026-11-01 12:00+00' AS leads_in_24_months,
       max(created_at) - min(created_at) > interval '700 days' AS spread_ok
FROM channel.lead;
SELECT status, count(*) > 0 AS present FROM channel.lead GROUP BY status ORDER BY status;
SELECT status, count(*) > 0 AS present FROM channel.deal GROUP BY status ORDER BY status;
-- routed and accepted leads belong to active partners authorized for the line
SELECT bool_and(p.status = 'active') AS to_active_partners,
       bool_and(EXISTS (SELECT 1 FROM channel.partner_product x WHERE x.partner_id = l.partner_id AND x.product_line = l.product_line)) AS authorized
FROM channel.lead l JOIN channel.partner p ON p.partner_id = l.partner_id
WHERE l.status IN ('routed', 'accepted');
-- 80/20: the top fifth of partners with won deals make 70% to 90% of won revenue
WITH r AS (SELECT partner_id, sum(amount) AS revenue FROM channel.deal WHERE status = 'won' GROUP BY partner_id),
     o AS (SELECT revenue, row_number() OVER (ORDER BY revenue DESC) AS rn, count(*) OVER () AS n FROM r)
SELECT round(sum(revenue) FILTER (WHERE rn <= n * 0.2) / sum(revenue), 2) BETWEEN 0.70 AND 0.90 AS pareto_ok FROM o;

-- determinism: the same seed gives the same rows; another seed does not
-- (compared on a smaller channel: the same code, a third of the time)
CREATE TEMP VIEW fingerprint_now AS
SELECT (SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s', partner_id, name, kind, tier, status, country, parent_id), ',' ORDER BY partner_id)) FROM channel.partner) AS partners,
       (SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s', lead_id, company, country, status, partner_id, created_at, closed_at), ',' ORDER BY lead_id)) FROM channel.lead) AS leads,
       (SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s', deal_id, partner_id, customer_name, amount, status, protected_until), ',' ORDER BY deal_id)) FROM channel.deal) AS deals;
CREATE TEMP TABLE fingerprint (run text, partners text, leads text, deals text);
SET client_min_messages = warning;
TRUNCATE channel.partner, channel.product_line, channel.lead, channel.deal RESTART IDENTITY CASCADE;
SELECT count(*) FROM channel.generate_demo(3000, 5000, 1, '2026-11-01');
INSERT INTO fingerprint SELECT 'seed 1', * FROM fingerprint_now;
TRUNCATE channel.partner, channel.product_line, channel.lead, channel.deal RESTART IDENTITY CASCADE;
SELECT count(*) FROM channel.generate_demo(3000, 5000, 1, '2026-11-01');
INSERT INTO fingerprint SELECT 'seed 1 again', * FROM fingerprint_now;
TRUNCATE channel.partner, channel.product_line, channel.lead, channel.deal RESTART IDENTITY CASCADE;
SELECT count(*) FROM channel.generate_demo(3000, 5000, 2, '2026-11-01');
INSERT INTO fingerprint SELECT 'seed 2', * FROM fingerprint_now;
RESET client_min_messages;
SELECT b.run, b.partners = a.partners AS same_partners, b.leads = a.leads AS same_leads, b.deals = a.deals AS same_deals
FROM fingerprint a JOIN fingerprint b ON b.run <> a.run WHERE a.run = 'seed 1' ORDER BY b.run;
ROLLBACK;

SELECT count(*) AS partners_left FROM channel.partner;
