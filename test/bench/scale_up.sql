-- test/bench/scale_up.sql -- grow a demo channel to a larger scale by
-- set-based replication (used by test/bench/scaling.sh; not part of the
-- extension, not part of the test suite).
--
--   psql -v from=1 -v to=3 -v deal_copies=11 -f test/bench/scale_up.sql
--
-- The database holds copy 0: channel.generate_demo()'s partners, leads and
-- registrations (ids below 10^7, recorded in bench.base on the first call).
-- This adds partner copies :from .. :to - 1, and gives every partner copy
-- :deal_copies copies of the demo's registrations (copy 0's extra ones,
-- j = 1 .. :deal_copies - 1, are added when :from = 1, i.e. on the first
-- call).  Copy k of a row has its ids + k * 10^7 (registrations: + r * 10^7,
-- r = k * :deal_copies + j), so copies never collide, and its company names
-- renamed by an affine letter cipher number r over the normalized name
-- (r = 0 is the original): the same customer stays the same customer within
-- a copy (a lead and its registration, two partners' conflicting
-- registrations), but copies are different customers, with the same
-- distribution of name lengths, words and shared words.
--
-- Replicated: partner, partner_product, partner_territory, certification,
-- lead, lead_event, deal, deal_event, deal_conflict.  Not replicated (so
-- the copies have none): end customers (end_customer_id NULL in copies),
-- contacts, programmes, funds, channel data.  The rows are inserted with
-- session_replication_role = replica, i.e. without the triggers (as a
-- restore is), and the registration keys the trigger would store are
-- computed set-based with the same functions (channel.normalize_company,
-- channel.company_match_keys, prefixed with country|line|: the trigger's
-- values exactly -- checked on the demo rows below before anything is
-- copied).  Then the identity sequences are moved past the copies and the
-- rollups rebuilt; the caller runs VACUUM ANALYZE.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET session_replication_role = replica;
SET max_parallel_workers_per_gather = 0;

CREATE SCHEMA IF NOT EXISTS bench;
-- copy 0's id ranges: everything below these is the demo (read once)
CREATE TABLE IF NOT EXISTS bench.base AS
SELECT (SELECT max(partner_id) FROM channel.partner) AS partner_max,
       (SELECT max(territory_id) FROM channel.partner_territory) AS territory_max,
       (SELECT max(certification_id) FROM channel.certification) AS certification_max,
       (SELECT max(lead_id) FROM channel.lead) AS lead_max,
       (SELECT max(event_id) FROM channel.lead_event) AS lead_event_max,
       (SELECT max(deal_id) FROM channel.deal) AS deal_max,
       (SELECT max(event_id) FROM channel.deal_event) AS deal_event_max,
       coalesce((SELECT max(conflict_id) FROM channel.deal_conflict), 0) AS conflict_max;
DO $$
BEGIN
  IF (SELECT greatest(partner_max, territory_max, certification_max, lead_max, lead_event_max,
                      deal_max, deal_event_max, conflict_max) FROM bench.base) >= 10000000 THEN
    RAISE EXCEPTION 'the demo has ids of 10^7 or more: copies would collide';
  END IF;
  -- the keys computed below are the trigger's
  IF EXISTS (SELECT FROM channel.deal d, bench.base b
             WHERE d.deal_id <= b.deal_max
               AND (d.customer_key IS DISTINCT FROM channel.normalize_company(d.customer_name)
                    OR d.customer_match_keys IS DISTINCT FROM
                       ARRAY(SELECT d.customer_country || '|' || d.product_line || '|' || k
                             FROM unnest(channel.company_match_keys(d.customer_name)) k))) THEN
    RAISE EXCEPTION 'the set-based keys differ from the registration trigger''s';
  END IF;
END $$;

-- cipher r: letter x -> (a x + b) mod 26, a the (r / 26)-th number prime to 26, b = r mod 26
CREATE OR REPLACE FUNCTION bench.cipher_table(r integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT string_agg(chr(97 + ((a * x + r % 26) % 26)), '' ORDER BY x)
  FROM generate_series(0, 25) x,
       (SELECT (ARRAY[1, 3, 5, 7, 9, 11, 15, 17, 19, 21, 23, 25])[1 + (r / 26) % 12] AS a) s
$f$;
-- the normalized names of copy 0, once (the ICU folding of a name in another
-- script is the costly part); a copy's name is the cipher of the normalized one
CREATE TABLE IF NOT EXISTS bench.lead_name AS
SELECT l.lead_id, channel.normalize_company(l.company) AS n
FROM channel.lead l, bench.base b WHERE l.lead_id <= b.lead_max;
CREATE TABLE IF NOT EXISTS bench.deal_name AS
SELECT d.deal_id, channel.normalize_company(d.customer_name) AS n
FROM channel.deal d, bench.base b WHERE d.deal_id <= b.deal_max AND d.partner_id <= b.partner_max;
-- the secondary indexes, dropped for the load and built again after it
-- (a sorted build is many times faster than a row-by-row insertion into ten
-- indexes); the primary and unique keys stay
CREATE TEMP TABLE dropped_index AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
WHERE c.oid IN ('channel.lead'::regclass, 'channel.lead_event'::regclass, 'channel.deal'::regclass,
                'channel.deal_event'::regclass, 'channel.deal_conflict'::regclass)
  AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid);
SELECT format('DROP INDEX %s', name) FROM dropped_index \gexec
CREATE TABLE IF NOT EXISTS bench.copies (kind text, r integer, PRIMARY KEY (kind, r));

SELECT :from AS k0, :to AS k1, :deal_copies AS j1 \gset
SELECT clock_timestamp() AS t0 \gset

-- partners and what routing and registration read of them
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country, region, parent_id,
                             max_open_leads, website, created_at, status_changed_at)
SELECT p.partner_id + k * 10000000, p.name || ' ' || k, p.kind, p.tier, p.status, p.country, p.region,
       p.parent_id + k * 10000000, p.max_open_leads, p.website, p.created_at, p.status_changed_at
FROM channel.partner p, bench.base b, generate_series(:k0, :k1 - 1) k
WHERE p.partner_id <= b.partner_max;
INSERT INTO channel.partner_product (partner_id, product_line, authorized_on)
SELECT pp.partner_id + k * 10000000, pp.product_line, pp.authorized_on
FROM channel.partner_product pp, bench.base b, generate_series(:k0, :k1 - 1) k
WHERE pp.partner_id <= b.partner_max;
INSERT INTO channel.partner_territory (territory_id, partner_id, country, region)
SELECT t.territory_id + k * 10000000, t.partner_id + k * 10000000, t.country, t.region
FROM channel.partner_territory t, bench.base b, generate_series(:k0, :k1 - 1) k
WHERE t.territory_id <= b.territory_max AND t.partner_id <= b.partner_max;
INSERT INTO channel.certification (certification_id, partner_id, product_line, level, earned_on, expires_on)
SELECT c.certification_id + k * 10000000, c.partner_id + k * 10000000, c.product_line, c.level, c.earned_on, c.expires_on
FROM channel.certification c, bench.base b, generate_series(:k0, :k1 - 1) k
WHERE c.certification_id <= b.certification_max AND c.partner_id <= b.partner_max;

-- leads of partner copy k: companies renamed by cipher k * deal_copies
INSERT INTO channel.lead (lead_id, company, contact_name, contact_email, country, region, product_line,
                          source, campaign, industry, employees, budget, authority, need, timeline_days,
                          score, status, partner_id, routed_at, accept_by, accepted_at, closed_at,
                          reject_reason, status_reason, created_at, end_customer_id)
SELECT l.lead_id + k * 10000000, initcap(translate(ln.n, 'abcdefghijklmnopqrstuvwxyz', c.tr)), l.contact_name, l.contact_email,
       l.country, l.region, l.product_line, l.source, l.campaign, l.industry, l.employees, l.budget,
       l.authority, l.need, l.timeline_days, l.score, l.status, l.partner_id + k * 10000000, l.routed_at,
       l.accept_by, l.accepted_at, l.closed_at, l.reject_reason, l.status_reason, l.created_at, NULL
FROM channel.lead l JOIN bench.lead_name ln USING (lead_id),
     (SELECT k, bench.cipher_table(k * :j1) AS tr FROM generate_series(:k0, :k1 - 1) k) c;
INSERT INTO channel.lead_event (event_id, lead_id, at, actor, from_status, to_status, partner_id, reason)
SELECT e.event_id + k * 10000000, e.lead_id + k * 10000000, e.at, e.actor, e.from_status, e.to_status,
       e.partner_id + k * 10000000, e.reason
FROM channel.lead_event e, bench.base b, generate_series(:k0, :k1 - 1) k
WHERE e.event_id <= b.lead_event_max AND e.lead_id <= b.lead_max;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 1) AS partners_leads_s \gset

-- registrations: copy r = k * deal_copies + j of partner copy k; copy j = 0
-- keeps the lead, the others (more registrations of the same partners,
-- for other customers) have none
CREATE TEMP TABLE r AS
SELECT k, r, bench.cipher_table(r) AS tr
FROM (SELECT k, k * :j1 + j AS r FROM generate_series(:k0, :k1 - 1) k, generate_series(0, :j1 - 1) j
      UNION SELECT 0, j FROM generate_series(1, :j1 - 1) j
      WHERE :k0 = 1 AND NOT EXISTS (SELECT FROM bench.copies WHERE kind = 'deal' AND r = j)) s;
INSERT INTO channel.deal (deal_id, partner_id, lead_id, customer_name, customer_country, product_line, amount,
                          currency, expected_close, status, protected_until, extension_count, submitted_at,
                          decided_at, closed_at, status_reason, customer_key, customer_match_keys, end_customer_id)
SELECT d.deal_id + r.r * 10000000, d.partner_id + r.k * 10000000,
       CASE WHEN r.r = r.k * :j1 THEN d.lead_id + r.k * 10000000 END,
       x.name, d.customer_country, d.product_line, d.amount, d.currency, d.expected_close, d.status,
       d.protected_until, d.extension_count, d.submitted_at, d.decided_at, d.closed_at, d.status_reason,
       x.key, ARRAY(SELECT d.customer_country || '|' || d.product_line || '|' || m
                    FROM unnest(channel.company_match_keys(x.name)) m), NULL
FROM channel.deal d JOIN bench.deal_name dn USING (deal_id) CROSS JOIN r
CROSS JOIN LATERAL (SELECT initcap(translate(dn.n, 'abcdefghijklmnopqrstuvwxyz', r.tr)) AS name) n
CROSS JOIN LATERAL (SELECT n.name, channel.normalize_company(n.name) AS key) x
ORDER BY r.r, d.deal_id;
INSERT INTO channel.deal_event (event_id, deal_id, at, actor, from_status, to_status, reason)
SELECT e.event_id + r.r * 10000000, e.deal_id + r.r * 10000000, e.at, e.actor, e.from_status, e.to_status, e.reason
FROM channel.deal_event e JOIN channel.deal d USING (deal_id) CROSS JOIN bench.base b CROSS JOIN r
WHERE e.event_id <= b.deal_event_max AND d.deal_id <= b.deal_max AND d.partner_id <= b.partner_max;
INSERT INTO channel.deal_conflict (conflict_id, deal_id, other_deal_id, match_kind, score, detected_at,
                                   resolved_at, winner_deal_id)
SELECT c.conflict_id + r.r * 10000000, c.deal_id + r.r * 10000000, c.other_deal_id + r.r * 10000000,
       c.match_kind, c.score, c.detected_at, c.resolved_at, c.winner_deal_id + r.r * 10000000
FROM channel.deal_conflict c CROSS JOIN bench.base b CROSS JOIN r
WHERE c.conflict_id <= b.conflict_max
  AND EXISTS (SELECT FROM channel.deal d WHERE d.deal_id = c.deal_id AND d.partner_id <= b.partner_max)
  AND NOT EXISTS (SELECT FROM channel.deal d WHERE d.deal_id IN (c.deal_id, c.other_deal_id)
                  AND d.partner_id IS NULL);
INSERT INTO bench.copies SELECT 'deal', r FROM r ON CONFLICT DO NOTHING;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 1) AS deals_s \gset

-- the identity sequences past the copies
DO $$
DECLARE t text; c text;
BEGIN
  FOR t, c IN VALUES ('partner', 'partner_id'), ('partner_territory', 'territory_id'),
                     ('certification', 'certification_id'), ('lead', 'lead_id'), ('lead_event', 'event_id'),
                     ('deal', 'deal_id'), ('deal_event', 'event_id'), ('deal_conflict', 'conflict_id') LOOP
    EXECUTE format('SELECT setval(%L, (SELECT max(%I) FROM channel.%I))',
                   pg_get_serial_sequence('channel.' || t, c), c, t);
  END LOOP;
END $$;
SELECT def FROM dropped_index \gexec
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 1) AS total_s \gset
RESET session_replication_role;
SELECT clock_timestamp() AS t1 \gset
SELECT channel.rebuild_rollups() AS rollup_rows \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t1')::numeric, 1) AS rebuild_s \gset
\echo scale_up copies :k0 .. :k1 (deal copies :j1): partners and leads :partners_leads_s s, with registrations :deals_s s, with the indexes built again :total_s s, rollup rebuild :rebuild_s s (:rollup_rows rows)
