-- test/bench/accuracy.sql -- precision, recall and F1 of channel.company_similarity at
-- channel.match_threshold, beside pg_trgm's similarity() at its best threshold (same
-- pairs, same run), over the labelled pairs in table pairs (a, b, same, phenomenon, part),
-- part being 'tuning' or 'held-out' (the fifth never tuned on: every fifth data line of
-- test/data/company_pairs_world.tsv) or 'project' (test/data/company_pairs.tsv).
-- Run by test/bench/deals.sh (BENCH_PARTS=accuracy) and test/bench/accuracy.sh.
\pset footer off
CREATE TEMP TABLE scored AS
SELECT a, b, same = 1 AS same, phenomenon, part, channel.company_similarity(a, b) AS ours, similarity(a, b) AS trgm,
       channel.company_match_keys(a) OPERATOR(channel.&&~) channel.company_match_keys(b) AS keyed FROM pairs;
CREATE TEMP TABLE parts AS
SELECT part AS name, part AS p FROM (SELECT DISTINCT part FROM pairs) x
UNION ALL SELECT 'world (all)', unnest(ARRAY['tuning', 'held-out'])
UNION ALL SELECT 'all pairs', unnest(ARRAY['tuning', 'held-out', 'project']);
CREATE TEMP TABLE thresholds AS
SELECT generate_series(5, 100, 5) / 100.0 AS t UNION SELECT current_setting('channel.match_threshold')::numeric;
CREATE TEMP TABLE counts AS
SELECT pt.name, m, t,
       count(*) FILTER (WHERE s >= t AND same) AS tp, count(*) FILTER (WHERE s >= t AND NOT same) AS fp,
       count(*) FILTER (WHERE s < t AND same) AS fn
FROM (SELECT 'company_similarity' AS m, ours AS s, same, part FROM scored
      UNION ALL SELECT 'pg_trgm similarity', trgm, same, part FROM scored
      UNION ALL SELECT 'company_similarity, sharing a key', CASE WHEN keyed THEN ours ELSE 0 END, same, part FROM scored) x
JOIN parts pt ON pt.p = x.part CROSS JOIN thresholds
GROUP BY pt.name, m, t;
CREATE TEMP VIEW f AS
SELECT name, m, t, tp, fp, fn, round(tp::numeric / nullif(tp + fp, 0), 3) AS precision,
       round(tp::numeric / nullif(tp + fn, 0), 3) AS recall,
       round(2.0 * tp / nullif(2 * tp + fp + fn, 0), 3) AS f1 FROM counts;
\echo 'company_similarity at channel.match_threshold (and what a registration finds: the pair must also share a key), pg_trgm at its best threshold'
SELECT name AS pairs, measure, threshold, tp + fn AS positives, precision, recall, f1 FROM (
  SELECT name, m || ' (default)' AS measure, t AS threshold, tp, fn, precision, recall, f1, 1 AS o FROM f
  WHERE m <> 'pg_trgm similarity' AND t = current_setting('channel.match_threshold')::numeric
  UNION ALL
  (SELECT DISTINCT ON (name) name, m || ' (best)', t, tp, fn, precision, recall, f1, 2 FROM f
   WHERE m = 'pg_trgm similarity' ORDER BY name, f1 DESC NULLS LAST, t)) x
ORDER BY CASE name WHEN 'held-out' THEN 1 WHEN 'tuning' THEN 2 WHEN 'world (all)' THEN 3 WHEN 'project' THEN 4 ELSE 5 END, o, measure;
\echo 'by phenomenon, world pairs (tuning + held-out): share matched (positives: recall; negatives: false-match rate), company_similarity at the default threshold vs pg_trgm at its best'
WITH best AS (SELECT DISTINCT ON (m) t FROM f WHERE m = 'pg_trgm similarity' AND name = 'world (all)' ORDER BY m, f1 DESC NULLS LAST, t)
SELECT phenomenon, same, count(*) AS pairs,
       round(avg((ours >= current_setting('channel.match_threshold')::real)::int), 2) AS ours,
       round(avg((ours >= current_setting('channel.match_threshold')::real AND keyed)::int), 2) AS ours_keyed,
       round(avg((trgm >= (SELECT t FROM best))::int), 2) AS trgm,
       round(avg((ours >= current_setting('channel.match_threshold')::real)::int) FILTER (WHERE part = 'held-out'), 2) AS ours_held_out
FROM scored WHERE part <> 'project' GROUP BY phenomenon, same ORDER BY same DESC, phenomenon;
