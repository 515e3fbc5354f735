-- 10_company.sql: company-name identity (src/core/company_*.c, src/company_sql.c).

CREATE FUNCTION channel.normalize_company(name text) RETURNS text
AS 'MODULE_PATHNAME', 'channel_normalize_company'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.normalize_company(text) IS
  'Normalized company name: any script to Latin ASCII (ICU NFKC; Any-Latin; Latin-ASCII; Cyrillic through BGN/PCGN, Greek through UNGEGN; Japanese legal forms read as Japanese, a word boundary between kanji and kana), lower case, & and + as "and", dotted abbreviations and runs of single letters joined (I.B.M., I B M), "the" first or last and legal forms of every jurisdiction written after or before the name (Inc, GmbH, S.A., Anonim Şirketi, PJSC, ООО, PT, 株式会社, ...; src/core/legal_forms.txt) dropped, single spaces. Only [a-z0-9 ] remain; empty when the name has no letter or digit.';

CREATE FUNCTION channel.company_similarity(a text, b text) RETURNS float4
AS 'MODULE_PATHNAME', 'channel_company_similarity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_similarity(text, text) IS
  'How likely two company names denote one company, in [0, 1]: weighted Dice over normalized tokens compared in one form (business abbreviations, plurals and trade words of other languages folded, src/core/company_words.txt; a spelling fold under which transliteration schemes and spelling variants meet), rare tokens weighing more than trade words ("bank", "energy") and those more than holding words ("group", "holdings"), one or two typos forgiven but not between two English words, acronyms by initials or syllables ("IBM" / "International Business Machines", "KEPCO"); times 0.8 when both names carry legal forms and the forms'' jurisdictions have no country in common ("Merck KGaA" / "Merck & Co., Inc.": evidence of two companies; src/core/legal_forms.txt); symmetric; 1 for equal normalized names without such forms.';

CREATE FUNCTION channel.company_match_keys(name text) RETURNS text[]
AS 'MODULE_PATHNAME', 'channel_company_match_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_match_keys(text) IS
  'Blocking keys of a company name (k: the normalized name without spaces; w: and r: each distinctive word of 5+ letters, in its compared form, and reversed; d: shorter distinctive words; p: and s: first and last four letters for two typos; a: short words that may be acronyms; i: initials of 3 to 5 words): names that reach the matching threshold have keys that meet (operator &&~), so a GIN index over them finds every candidate match.';

CREATE FUNCTION channel.company_jurisdictions(name text) RETURNS text[]
AS 'MODULE_PATHNAME', 'channel_company_jurisdictions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_jurisdictions(text) IS
  'The countries (ISO 3166 alpha-2 codes, sorted) whose registers use the legal forms written on a company name, as normalize_company drops them ("Merck KGaA": {AT,DE,...}; src/core/legal_forms.txt, forms that tokenize alike pooling their countries); NULL when the name has no form or only forms of any country ("Corporation", "Ltd"). company_similarity multiplies a pair''s score by 0.8 when both names have such countries and none in common; the registration trigger stores this in channel.deal.customer_jurisdictions to do the same.';
REVOKE EXECUTE ON FUNCTION channel.company_jurisdictions(text) FROM PUBLIC;
INSERT INTO channel.role_routine (role_name, routine_name) VALUES ('channel_analyst', 'company_jurisdictions');

-- Keys meet when equal, word keys also within one typo (src/core/company_keys.c).
CREATE FUNCTION channel.company_keys_meet(keys text[], other text[]) RETURNS boolean
AS 'MODULE_PATHNAME', 'channel_company_keys_meet'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_keys_meet(text[], text[]) IS
  'True when a key of one array meets a key of the other: equal keys, word keys of the same head within one typo (a letter replaced, inserted or dropped, or two neighbours swapped; w: holds the word, r: the same word reversed, so w:abc and r:cba are one key), an acronym (a:) and the same letters as initials (i:) -- but never two initials. Symmetric. The function of the operator &&~, which gives this answer on every plan.';

CREATE OPERATOR channel.&&~ (
  LEFTARG = text[], RIGHTARG = text[], FUNCTION = channel.company_keys_meet,
  COMMUTATOR = OPERATOR(channel.&&~), RESTRICT = pg_catalog.contsel, JOIN = pg_catalog.contjoinsel);
COMMENT ON OPERATOR channel.&&~ (text[], text[]) IS
  'Blocking keys meet: && for company_match_keys arrays, forgiving one typo in a word key. Indexable with the GIN operator class channel.company_keys_ops.';

-- The GIN operator class: bytewise key order, and each word key of a query
-- looked up as two partial matches (its first half in the w: form, its last
-- half in the r: form) that compare_partial narrows to the keys meeting it.
CREATE FUNCTION channel.company_key_cmp(text, text) RETURNS integer
AS 'MODULE_PATHNAME', 'channel_company_key_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_key_cmp(text, text) IS
  'GIN support of channel.company_keys_ops: bytewise order of two blocking keys.';
CREATE FUNCTION channel.company_keys_extract_value(text[], internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'channel_company_keys_extract_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_keys_extract_value(text[], internal, internal) IS
  'GIN support of channel.company_keys_ops: the index entries of a key array (its non-null keys, and both forms, w: and r:, of every word key).';
CREATE FUNCTION channel.company_keys_extract_query(text[], internal, int2, internal, internal, internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'channel_company_keys_extract_query'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_keys_extract_query(text[], internal, int2, internal, internal, internal, internal) IS
  'GIN support of channel.company_keys_ops: the entries a query key array looks up (both forms of every word key, each a partial match from its first half).';
CREATE FUNCTION channel.company_keys_compare_partial(text, text, int2, internal) RETURNS integer
AS 'MODULE_PATHNAME', 'channel_company_keys_compare_partial'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_keys_compare_partial(text, text, int2, internal) IS
  'GIN support of channel.company_keys_ops: whether an index key in the range of a partial match meets the query key (0), does not (-1), or lies past the range (1).';
CREATE FUNCTION channel.company_keys_consistent(internal, int2, text[], int4, internal, internal, internal, internal) RETURNS boolean
AS 'MODULE_PATHNAME', 'channel_company_keys_consistent'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_keys_consistent(internal, int2, text[], int4, internal, internal, internal, internal) IS
  'GIN support of channel.company_keys_ops: a row matches when any of its keys met a query key (no recheck).';
CREATE FUNCTION channel.company_keys_triconsistent(internal, int2, text[], int4, internal, internal, internal) RETURNS "char"
AS 'MODULE_PATHNAME', 'channel_company_keys_triconsistent'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_keys_triconsistent(internal, int2, text[], int4, internal, internal, internal) IS
  'GIN support of channel.company_keys_ops: channel.company_keys_consistent over true / false / maybe.';

CREATE OPERATOR CLASS channel.company_keys_ops FOR TYPE text[] USING gin AS
  OPERATOR 1 channel.&&~ (text[], text[]),
  FUNCTION 1 channel.company_key_cmp(text, text),
  FUNCTION 2 channel.company_keys_extract_value(text[], internal, internal),
  FUNCTION 3 channel.company_keys_extract_query(text[], internal, int2, internal, internal, internal, internal),
  FUNCTION 4 channel.company_keys_consistent(internal, int2, text[], int4, internal, internal, internal, internal),
  FUNCTION 5 channel.company_keys_compare_partial(text, text, int2, internal),
  FUNCTION 6 channel.company_keys_triconsistent(internal, int2, text[], int4, internal, internal, internal),
  STORAGE text;
COMMENT ON OPERATOR CLASS channel.company_keys_ops USING gin IS
  'GIN over blocking-key arrays for &&~: equal keys found by lookup, the one-typo neighbours of a word key by two short range scans (channel.deal''s deal_match_keys_idx).';
