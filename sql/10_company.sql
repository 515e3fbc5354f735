-- 10_company: normalize_company, company_similarity and company_match_keys.
\set VERBOSITY default

-- one company, many spellings: every row of a group normalizes the same
SELECT grp, name, channel.normalize_company(name) AS normalized
FROM (VALUES
  (1, 'Société Générale S.A.'), (1, 'SOCIETE GENERALE'), (1, 'Societe Generale SA'), (1, 'société générale'),
  (2, 'International Business Machines Corp.'), (2, 'INTERNATIONAL BUSINESS MACHINES CORPORATION'),
  (3, 'I.B.M.'), (3, 'IBM Corp'), (3, 'ＩＢＭ'),
  (4, 'Procter & Gamble Co.'), (4, 'Procter and Gamble Company'), (4, 'PROCTER + GAMBLE'),
  (5, 'ООО «Газпром»'), (5, 'Газпром'), (5, 'Gazprom PJSC'),
  (6, 'Deutsche Bahn AG'), (6, 'Deutsche Bahn Aktiengesellschaft'), (6, 'DEUTSCHE BAHN'),
  (7, 'The Boeing Company'), (7, 'Boeing Co.'), (7, 'boeing'),
  (8, 'Maersk A/S'), (8, 'MAERSK'),
  (9, 'Fiat S.p.A.'), (9, 'FIAT SPA'),
  (10, 'McDonald''s Corporation'), (10, 'McDonalds Corp'),
  (11, 'Ελληνικά Πετρέλαια Α.Ε.'), (11, 'Ellinika Petrelaia'),
  (12, 'Orlen Sp. z o.o.'), (12, 'ORLEN')
) AS t(grp, name)
ORDER BY grp, name;

SELECT grp, count(DISTINCT channel.normalize_company(name)) AS distinct_forms
FROM (VALUES (1, 'Société Générale S.A.'), (1, 'SOCIETE GENERALE'), (2, 'Газпром'), (2, 'ООО Газпром'),
             (3, 'E.ON SE'), (3, 'EON'), (4, 'Hewlett-Packard'), (4, 'Hewlett Packard')) AS t(grp, name)
GROUP BY grp ORDER BY grp;

-- other scripts become Latin ASCII; only [a-z0-9 ] ever comes out
SELECT name, channel.normalize_company(name) AS normalized
FROM unnest(ARRAY['東京電力株式会社', '삼성전자 주식회사', 'Müller GmbH', 'Straße AG', 'Ørsted A/S',
                  'Česká spořitelna, a.s.', 'Türk Telekomünikasyon A.Ş.', 'שטראוס', 'مصرف الراجحي']) AS name;
SELECT bool_and(channel.normalize_company(n) ~ '^[a-z0-9]+( [a-z0-9]+)*$') AS only_ascii_tokens
FROM unnest(ARRAY['Société Générale S.A.', '東京電力', 'Ελληνικά', 'A & B', 'x.y.z', '  spaced   out  ']) n;

-- edge cases: a name keeps at least one token; nothing left is the empty string
SELECT name, channel.normalize_company(name) AS normalized
FROM unnest(ARRAY['AG', 'The', 'The Co', 'Smith & Co', '!!!', '', '   ', '🙂🙂']) AS name;
SELECT channel.normalize_company(NULL) IS NULL AS strict;

-- stable: normalizing a normalized name changes nothing
SELECT bool_and(channel.normalize_company(channel.normalize_company(n)) = channel.normalize_company(n)) AS idempotent
FROM unnest(ARRAY['Société Générale S.A.', 'I.B.M. Corp.', 'ООО «Газпром»', 'Foo GmbH & Co. KG', '東京電力株式会社']) n;

-- a name is at most 64 KiB; a 1 MB string is refused with a clear error
SELECT length(channel.normalize_company(repeat('Acme ', 13000))) AS long_name_ok;
SELECT channel.normalize_company(repeat('x', 1048576));
SELECT channel.normalize_company(repeat('東', 30000));

-- similarity: in [0, 1], symmetric, 1 for equal normalized names
SELECT a, b, channel.company_similarity(a, b) AS sim
FROM (VALUES
  ('Société Générale S.A.', 'SOCIETE GENERALE'),
  ('Societe Generale', 'Societe Generalle'),
  ('Deutsche Telekom AG', 'Deutsche Telecom'),
  ('IBM', 'International Business Machines Corp.'),
  ('HP Inc.', 'Hewlett-Packard'),
  ('Microsoft', 'Micro Soft'),
  ('Acme Group', 'Acme Holdings'),
  ('Acme Group', 'Beta Group'),
  ('General Motors', 'General Mills'),
  ('Orange', 'Orange Business Services'),
  ('Siemens', 'Samsung')
) AS t(a, b);
SELECT bool_and(channel.company_similarity(a, b) = channel.company_similarity(b, a)) AS symmetric,
       bool_and(channel.company_similarity(a, b) BETWEEN 0 AND 1) AS in_range
FROM (VALUES ('IBM France', 'International Business Machines France'), ('Acme', 'Acme Corp'),
             ('A B C', 'Alpha Beta Gamma'), ('x', 'yyyyyyyyy'), ('', ''), ('Ελληνικά', 'Ellinika')) AS t(a, b);
SELECT channel.company_similarity('Acme Group', 'Acme Holdings') > channel.company_similarity('Acme Group', 'Beta Group')
       AS rare_tokens_weigh_more;
SELECT channel.company_similarity(NULL, 'x') IS NULL AS strict;

-- blocking keys: names that match have keys that meet (&&~)
SELECT channel.company_match_keys('Société Générale S.A.');
SELECT channel.company_match_keys('Societe Generalle') OPERATOR(channel.&&~) channel.company_match_keys('SOCIETE GENERALE') AS typo_meets,
       channel.company_match_keys('Generalle') && channel.company_match_keys('Generale') AS typo_equal_key,
       channel.company_match_keys('Generalle') OPERATOR(channel.&&~) channel.company_match_keys('Generale') AS typo_word_meets,
       channel.company_match_keys('IBM') OPERATOR(channel.&&~) channel.company_match_keys('International Business Machines') AS acronym_meets,
       channel.company_match_keys('Acme') OPERATOR(channel.&&~) channel.company_match_keys('Zenith') AS strangers_meet;
SELECT channel.company_match_keys('!!!') AS no_keys_for_nothing;

-- word keys (w:, r:) meet within one typo, in the same head and form; other kinds only their equal
SELECT k, channel.company_keys_meet(ARRAY['US|NET|w:siemens'], ARRAY[k]) AS meets_siemens
FROM (VALUES ('US|NET|w:siemens'), ('US|NET|w:seimens'), ('US|NET|w:siemen'), ('US|NET|w:siemenss'),
             ('US|NET|w:siemans'), ('US|NET|w:semans'), ('DE|NET|w:siemens'), ('US|NET|r:siemens'),
             ('US|NET|d:siemens')) AS t(k);
SELECT channel.company_keys_meet('{d:acme}', '{d:acne}') AS other_kinds_fuzzy,
       channel.company_keys_meet('{NULL,d:acme}', '{d:acme}') AS null_keys_ignored,
       channel.company_keys_meet('{}', '{d:acme}') AS empty_meets_nothing;

-- The GIN operator class answers &&~ exactly: over 400 words and 6 variants
-- of each (one letter replaced, inserted, dropped, two neighbours swapped;
-- two letters replaced; and the word itself), the index finds the same
-- rows for every word as a scan that evaluates &&~ on each row, and those
-- rows are the word's one-typo variants, never the two-typo one.
CREATE TEMP TABLE typo_word AS
SELECT j, w, length(w) AS n, 1 + j % (length(w) - 1) AS p
FROM generate_series(1, 400) AS j,
     LATERAL (SELECT substr(translate(md5(j::text), '0123456789', 'ghijklmnop'), 1, 5 + j % 8) AS w) AS x;
CREATE TEMP TABLE typo_name AS
SELECT j, kind, v, channel.company_match_keys(v) AS keys
FROM typo_word,
     LATERAL (VALUES
       ('same', w),
       ('replaced', overlay(w PLACING chr(ascii(substr(w, p, 1)) + 1) FROM p FOR 1)),
       ('inserted', overlay(w PLACING 'q' FROM p FOR 0)),
       ('dropped', overlay(w PLACING '' FROM p FOR 1)),
       ('swapped', substr(w, 1, p - 1) || substr(w, p + 1, 1) || substr(w, p, 1) || substr(w, p + 2)),
       ('two typos', 'z' || substr(w, 2, n - 2) || 'z')) AS v(kind, v);
CREATE INDEX typo_name_keys ON typo_name USING gin (keys channel.company_keys_ops);
ANALYZE typo_name;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT t.j FROM typo_name t WHERE t.keys OPERATOR(channel.&&~) channel.company_match_keys('siemens');
CREATE TEMP TABLE met_by_index AS
SELECT w.j AS word, t.j, t.kind FROM typo_word w JOIN typo_name t ON t.keys OPERATOR(channel.&&~) channel.company_match_keys(w.w);
RESET enable_seqscan;
SET enable_bitmapscan = off;
SET enable_indexscan = off;
CREATE TEMP TABLE met_by_scan AS
SELECT w.j AS word, t.j, t.kind FROM typo_word w JOIN typo_name t ON t.keys OPERATOR(channel.&&~) channel.company_match_keys(w.w);
RESET enable_bitmapscan;
RESET enable_indexscan;
SELECT (SELECT count(*) FROM met_by_index) = (SELECT count(*) FROM met_by_scan) AS same_count,
       NOT EXISTS (SELECT * FROM met_by_index EXCEPT SELECT * FROM met_by_scan)
         AND NOT EXISTS (SELECT * FROM met_by_scan EXCEPT SELECT * FROM met_by_index) AS same_rows;
-- A dropped letter leaves the 50 five-letter words with four, where no typo is
-- forgiven.  Words are keyed as company_similarity compares them, spelling-folded
-- (company_words.c): a typo that makes or breaks one of the fold's letters or
-- pairs (c, j, ch, ts, a doubled letter; ai, ei, oi in a word of eight letters
-- or more, or one that falls below eight) is none or two in the folded word, so a
-- few variants no longer meet their word (nor score as its typo), and folded
-- words of this alphabet meet a few other words' variants.
SELECT k.kind, count(m.j) FILTER (WHERE m.word = m.j) AS met_by_own_word,
       count(m.j) FILTER (WHERE m.word <> m.j) AS met_by_other_words
FROM (VALUES (1, 'same'), (2, 'replaced'), (3, 'inserted'), (4, 'dropped'), (5, 'swapped'), (6, 'two typos')) AS k(o, kind)
LEFT JOIN met_by_index m USING (kind)
GROUP BY k.o, k.kind ORDER BY k.o;
SELECT count(*) AS five_letter_words FROM typo_word WHERE n = 5;

-- Acronyms meet initials through the index as without it; same initials alone meet nothing.
CREATE TEMP TABLE acronym_name AS
SELECT name, channel.company_match_keys(name) AS keys
FROM unnest(ARRAY['IBM', 'International Business Machines', 'IBM France', 'Intl Bank of Mexico',
                  'Mihalar Norulgar Pharma', 'MNP GmbH', 'Mitor Nelka Pharma']) AS name;
CREATE INDEX acronym_name_keys ON acronym_name USING gin (keys channel.company_keys_ops);
SET enable_seqscan = off;
CREATE TEMP TABLE acronym_by_index AS
SELECT p.name AS probe, a.name FROM acronym_name p JOIN acronym_name a ON a.keys OPERATOR(channel.&&~) p.keys;
RESET enable_seqscan;
SET enable_bitmapscan = off;
SELECT p.name AS probe, string_agg(a.name, ', ' ORDER BY a.name) AS meets,
       (SELECT string_agg(name, ', ' ORDER BY name) FROM acronym_by_index i WHERE i.probe = p.name) AS meets_by_index
FROM acronym_name p JOIN acronym_name a ON a.keys OPERATOR(channel.&&~) p.keys
GROUP BY p.name ORDER BY p.name;
RESET enable_bitmapscan;

-- the functions are immutable, strict and parallel safe (usable in indexes)
SELECT proname, provolatile, proisstrict, proparallel
FROM pg_proc WHERE pronamespace = 'channel'::regnamespace
  AND proname IN ('normalize_company', 'company_similarity', 'company_match_keys', 'company_keys_meet') ORDER BY 1;
