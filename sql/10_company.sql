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

-- blocking keys: names that match share one
SELECT channel.company_match_keys('Société Générale S.A.');
SELECT channel.company_match_keys('Societe Generalle') && channel.company_match_keys('SOCIETE GENERALE') AS typo_shares,
       channel.company_match_keys('IBM') && channel.company_match_keys('International Business Machines') AS acronym_shares,
       channel.company_match_keys('Acme') && channel.company_match_keys('Zenith') AS strangers_share;
SELECT channel.company_match_keys('!!!') AS no_keys_for_nothing;

-- the functions are immutable, strict and parallel safe (usable in indexes)
SELECT proname, provolatile, proisstrict, proparallel
FROM pg_proc WHERE pronamespace = 'channel'::regnamespace
  AND proname IN ('normalize_company', 'company_similarity', 'company_match_keys') ORDER BY 1;
