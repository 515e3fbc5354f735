-- Deal registration: partners register opportunities; conflicts are caught under any spelling
--
-- 400 registrations by active partners: half are customers another partner
-- already holds a live registration for, written the way a second partner
-- would write them (capitals, no accents, no legal form, a typo, in Latin
-- letters with "Group" for the legal form); half are new customers.  channel.register_deal()
-- runs the conflict check of the registration trigger on each.
\set ON_ERROR_STOP 1

\echo 'Live registrations before (submitted, approved, conflict), and how their customers are written'
SELECT count(*) AS live, count(DISTINCT customer_key) AS distinct_customers,
       count(DISTINCT customer_name) AS distinct_spellings
FROM channel.deal WHERE status IN ('submitted', 'approved', 'conflict');

CREATE TEMP TABLE demo_registration AS
WITH held AS (               -- live registrations another partner could collide with
  SELECT d.deal_id, d.partner_id, d.customer_name, d.customer_country, d.product_line, p.region,
         row_number() OVER (ORDER BY d.deal_id) AS k
  FROM channel.deal d JOIN channel.partner p USING (partner_id)
  WHERE d.status IN ('submitted', 'approved') AND d.protected_until > now() + interval '7 days'
  ORDER BY d.deal_id LIMIT 200
), rival AS (                -- an active partner of the same region authorized for the line
  SELECT h.*, r.partner_id AS rival_id
  FROM held h
  CROSS JOIN LATERAL (
    SELECT p.partner_id FROM channel.partner p JOIN channel.partner_product pp USING (partner_id)
    WHERE p.status = 'active' AND p.region = h.region AND pp.product_line = h.product_line
      AND p.partner_id <> h.partner_id
    ORDER BY channel.det_random(7, h.k, p.partner_id) LIMIT 1) r
)
SELECT rival_id AS partner_id,
       CASE k % 5
         WHEN 0 THEN upper(customer_name)
         WHEN 1 THEN translate(lower(customer_name), 'éèêëáàâäíìîïóòôöúùûüçñ', 'eeeeaaaaiiiioooouuuucn')
         WHEN 2 THEN regexp_replace(customer_name, '[ ,]+(S\.?A\.?|AG|GmbH|Inc\.?|Ltd\.?|LLC|PLC|plc|S\.p\.A\.|N\.V\.|B\.V\.|SE|Corp\.?|Co\.?|K\.K\.|Oy|AB)$', '')
         WHEN 3 THEN regexp_replace(customer_name, '^(\S)(\S)(\S)(\S{2,})', '\1\3\2\4')   -- a typo
         ELSE initcap(channel.normalize_company(customer_name)) || ' Group'   -- Latin, "Group" for the legal form
       END AS customer_name,
       customer_country, product_line, 'rival of deal ' || deal_id AS why
FROM rival;

-- and 200 opportunities nobody has registered
INSERT INTO demo_registration
SELECT p.partner_id, 'Nouvelle Entreprise ' || p.partner_id || ' ' || pp.product_line, p.country, pp.product_line, 'new customer'
FROM channel.partner p
JOIN LATERAL (SELECT x.product_line FROM channel.partner_product x WHERE x.partner_id = p.partner_id
              ORDER BY x.product_line LIMIT 1) pp ON true
WHERE p.status = 'active'
ORDER BY channel.det_random(8, 0, p.partner_id) LIMIT 200;

\echo 'Registering 400 deals through channel.register_deal() (policy: flag)'
\timing on
CREATE TEMP TABLE demo_registered AS
SELECT r.*, channel.register_deal(r.partner_id, r.customer_name, r.customer_country, r.product_line,
                                  10000 + 100 * (r.partner_id % 500), current_date + 60) AS deal_id
FROM demo_registration r;
\timing off

\echo 'Outcome: the registrations of customers already held are flagged; new customers are not'
SELECT CASE WHEN r.why LIKE 'rival%' THEN 'customer already registered' ELSE 'new customer' END AS registration,
       count(*) FILTER (WHERE d.status = 'submitted') AS submitted,
       count(*) FILTER (WHERE d.status = 'conflict') AS conflict
FROM demo_registered r JOIN channel.deal d USING (deal_id)
GROUP BY 1 ORDER BY 1;

\echo 'Conflicts found, by how the names matched'
SELECT c.match_kind, count(*) AS conflicts, round(avg(c.score)::numeric, 3) AS mean_score
FROM channel.deal_conflict c JOIN demo_registered r ON r.deal_id = c.deal_id
GROUP BY 1 ORDER BY 1;

\echo 'A few of them: the new spelling, the registration it collides with, and the score'
SELECT d.customer_name AS registered_as, o.customer_name AS already_registered_as, c.match_kind,
       round(c.score::numeric, 2) AS score
FROM channel.deal_conflict c
JOIN demo_registered r ON r.deal_id = c.deal_id
JOIN channel.deal d ON d.deal_id = c.deal_id
JOIN channel.deal o ON o.deal_id = c.other_deal_id
WHERE d.customer_name <> o.customer_name
ORDER BY c.match_kind DESC, c.score, c.conflict_id LIMIT 12;

\echo 'Missed: customers registered again under a spelling the matcher did not connect'
SELECT count(*) AS missed
FROM demo_registered r JOIN channel.deal d USING (deal_id)
WHERE r.why LIKE 'rival%' AND d.status <> 'conflict';

\echo 'The channel manager settles the first 20 conflicts in favour of the earlier registration'
SELECT sum(channel.resolve_conflict(c.other_deal_id)) AS registrations_rejected
FROM (SELECT DISTINCT ON (c.other_deal_id) c.other_deal_id
      FROM channel.deal_conflict c JOIN demo_registered r ON r.deal_id = c.deal_id
      WHERE c.resolved_at IS NULL ORDER BY c.other_deal_id LIMIT 20) c;

\echo 'The expiry job (pg_cron runs it nightly): registrations whose protection ended'
SELECT channel.expire_deals() AS expired;

\echo 'Open conflicts waiting for a channel manager'
SELECT count(*) AS open_conflicts, min(detected_at)::date AS oldest FROM channel.deal_conflict WHERE resolved_at IS NULL;
