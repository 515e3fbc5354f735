-- 12_company_limits: hostile input to the company-name functions (issue 27,
-- items 6 and 9).  Leaves nothing behind (temporary tables only).
\set VERBOSITY default
\set SHOW_CONTEXT never

-- &&~ gives one answer whatever the plan, for arrays company_match_keys made
-- and for arrays written by hand (one form of a word only, an empty word,
-- heads, acronyms and initials)
CREATE TEMP TABLE key_rows (id int PRIMARY KEY, keys text[]);
INSERT INTO key_rows VALUES
  (1, channel.company_match_keys('abcde')), (2, '{w:abcde}'), (3, '{r:edcba}'), (4, '{w:}'),
  (5, '{US|NET|w:siemens}'), (6, '{a:ibm}'), (7, '{i:ibm}'), (8, '{d:acme}'), (9, '{w:a,NULL}'),
  (10, channel.company_match_keys('Siemens Healthineers'));
CREATE TEMP TABLE key_probes (p int PRIMARY KEY, q text[]);
INSERT INTO key_probes VALUES
  (1, '{w:bcde}'), (2, '{r:edcb}'), (3, '{w:b}'), (4, '{US|NET|r:snemeis}'), (5, '{i:ibm}'),
  (6, '{a:ibm}'), (7, channel.company_match_keys('abcdf')), (8, '{w:abcdx}'), (9, '{r:}'),
  (10, '{d:acme,w:siemen}'), (11, '{US|NET|w:siemens}'), (12, '{}'), (13, '{NULL}');
ANALYZE key_rows;
CREATE TEMP TABLE seq_answer AS
SELECT p, array_agg(id ORDER BY id) FILTER (WHERE id IS NOT NULL) AS ids
FROM key_probes LEFT JOIN key_rows ON keys OPERATOR(channel.&&~) q GROUP BY p;
CREATE INDEX ON key_rows USING gin (keys channel.company_keys_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM key_rows WHERE keys OPERATOR(channel.&&~) '{w:bcde}';
CREATE TEMP TABLE index_answer AS
SELECT p.p, (SELECT array_agg(id ORDER BY id) FROM key_rows WHERE keys OPERATOR(channel.&&~) p.q) AS ids
FROM key_probes p;
RESET enable_seqscan;
SELECT s.p, s.ids AS seq_scan, i.ids AS index_scan, s.ids IS NOT DISTINCT FROM i.ids AS same
FROM seq_answer s JOIN index_answer i USING (p) ORDER BY s.p;

-- the work is bounded by the NFKC form, not only by the input's size:
-- U+FDFA spells out to 18 characters, so 64 kB of it would be 393,000
SET statement_timeout = '5s';
SELECT channel.normalize_company(repeat(U&'\FDFA', 21845));
SELECT channel.company_similarity(repeat(U&'\FDFA', 21845), repeat(U&'\FDFA', 21845));
SELECT channel.company_match_keys(repeat(U&'\FDFA', 21845));
-- up to the bound (65,536 UTF-16 code units of NFKC form) a name is read
SELECT length(channel.normalize_company(repeat(U&'\FDFA', 3640))) AS at_the_bound;
SELECT channel.normalize_company(repeat(U&'\FDFA', 3641));
SELECT channel.normalize_company('Acme ' || U&'\FDFA') AS one_is_fine;
RESET statement_timeout;
