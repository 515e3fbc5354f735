-- 13_company_schemes: issue 18's evidence against a match (legal forms of different
-- jurisdictions) and the Greek transliteration schemes, through the SQL functions.
-- Pure functions: nothing is written.

-- legal forms of different jurisdictions: the same stem, two companies
SELECT a, b, channel.company_similarity(a, b) AS score,
       channel.company_similarity(a, b) >= current_setting('channel.match_threshold')::real AS match
FROM (VALUES ('Merck KGaA', 'Merck & Co., Inc.'),
             ('Volvo AB', 'Volvo S.A.'),
             ('Swedbank AB', 'Swedbank AS'),
             ('Metro AG', 'Metro Inc.'),
             ('Banco Santander, S.A.', 'Santander Bank, N.A.'),
             ('Robert Bosch GmbH', 'Robert Bosch LLC'),
             -- one company: its own form against none, two forms of one country, an English form
             ('Merck KGaA', 'Merck'),
             ('Siemens AG', 'Siemens Aktiengesellschaft'),
             ('Nestlé S.A.', 'Nestlé AG'),
             ('Nokia Oyj', 'Nokia Corporation'),
             ('Ferrovial S.A.', 'Ferrovial SE'),
             ('PJSC Gazprom', 'ПАО «Газпром»')) AS p (a, b);

-- the stored key is the same whatever the forms (the evidence is in company_similarity only)
SELECT channel.normalize_company('Merck KGaA') = channel.normalize_company('Merck & Co., Inc.') AS same_key;

-- Greek through UNGEGN (η i, β v, υ y, ου ou, χ ch), forms first or last dropped
SELECT g, channel.normalize_company(g) AS normalized
FROM unnest(ARRAY['Σκλαβενίτης', 'Μασούτης', 'Βιοχάλκο Α.Ε.', 'Ανώνυμη Εταιρεία Τιτάν', 'Τράπεζα Πειραιώς',
                  'Αθηναϊκή Ζυθοποιία']) AS g;

-- the Latin schemes partners write meet it: b for β, e for η, u for ου
SELECT a, b, channel.company_similarity(a, b) >= current_setting('channel.match_threshold')::real AS match
FROM (VALUES ('Βιοχάλκο', 'Viohalco'),
             ('Βιοχάλκο', 'Biochalko'),
             ('Βενέτης', 'Benetis'),
             ('Σκλαβενίτης', 'Sklavenites'),
             ('Μασούτης', 'Masutis'),
             ('Φουρλής', 'Furlis'),
             ('Σκλαβενίτης', 'Masoutis')) AS p (a, b);

-- a trade word more is another company; a holding word more is the same one
SELECT a, b, round(channel.company_similarity(a, b)::numeric, 3) AS score
FROM (VALUES ('Siemens', 'Siemens Energy'), ('Kubota', 'Kubota Pharmaceutical'),
             ('Swatch', 'Swatch Group'), ('Wilmar', 'Wilmar International'),
             ('Boots', 'Booths'), ('Centre Parcs', 'Center Parcs')) AS p (a, b);
