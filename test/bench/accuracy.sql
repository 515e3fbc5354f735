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
-- the core phenomena of issue 18 (legal forms, case, punctuation, accents, scripts, &,
-- articles, typos, word order, abbreviations, spelling variants) with every negative,
-- and acronyms with every negative, as parts of their own
UPDATE scored SET part = part || CASE
  WHEN NOT same THEN ''
  WHEN phenomenon IN ('legal_form_translit', 'legal_form_spelled', 'legal_form_first', 'suffix', 'article', 'quotes',
                      'case', 'punctuation', 'accents', 'script', 'transliteration', 'ascii_spelling', 'ampersand',
                      'typo', 'word_order', 'abbreviation', 'spelling_variant', 'trade_word') THEN ' core'
  WHEN phenomenon = 'acronym' THEN ' acronym' ELSE ' other' END WHERE part <> 'project';
CREATE TEMP TABLE parts AS
SELECT 'held-out' AS name, unnest(ARRAY['held-out', 'held-out core', 'held-out acronym', 'held-out other']) AS p
UNION ALL SELECT 'tuning', unnest(ARRAY['tuning', 'tuning core', 'tuning acronym', 'tuning other'])
UNION ALL SELECT 'project', 'project'
UNION ALL SELECT 'world (all)', unnest(ARRAY['held-out', 'held-out core', 'held-out acronym', 'held-out other',
                                             'tuning', 'tuning core', 'tuning acronym', 'tuning other'])
UNION ALL SELECT 'world core phenomena', unnest(ARRAY['held-out', 'held-out core', 'tuning', 'tuning core'])
UNION ALL SELECT 'held-out core phenomena', unnest(ARRAY['held-out', 'held-out core'])
UNION ALL SELECT 'world acronyms', unnest(ARRAY['held-out', 'held-out acronym', 'tuning', 'tuning acronym'])
UNION ALL SELECT 'held-out acronyms', unnest(ARRAY['held-out', 'held-out acronym'])
UNION ALL SELECT 'all pairs', p FROM (SELECT DISTINCT part AS p FROM scored) x;
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
ORDER BY CASE name WHEN 'held-out' THEN 1 WHEN 'tuning' THEN 2 WHEN 'world (all)' THEN 3
                   WHEN 'held-out core phenomena' THEN 4 WHEN 'world core phenomena' THEN 5
                   WHEN 'held-out acronyms' THEN 6 WHEN 'world acronyms' THEN 7 WHEN 'project' THEN 8 ELSE 9 END, o, measure;
\echo 'by phenomenon, world pairs (tuning + held-out): share matched (positives: recall; negatives: false-match rate), company_similarity at the default threshold vs pg_trgm at its best'
WITH best AS (SELECT DISTINCT ON (m) t FROM f WHERE m = 'pg_trgm similarity' AND name = 'world (all)' ORDER BY m, f1 DESC NULLS LAST, t)
SELECT phenomenon, same, count(*) AS pairs,
       round(avg((ours >= current_setting('channel.match_threshold')::real)::int), 2) AS ours,
       round(avg((ours >= current_setting('channel.match_threshold')::real AND keyed)::int), 2) AS ours_keyed,
       round(avg((trgm >= (SELECT t FROM best))::int), 2) AS trgm,
       round(avg((ours >= current_setting('channel.match_threshold')::real)::int) FILTER (WHERE part LIKE 'held-out%'), 2) AS ours_held_out
FROM scored WHERE part <> 'project' GROUP BY phenomenon, same ORDER BY same DESC, phenomenon;
