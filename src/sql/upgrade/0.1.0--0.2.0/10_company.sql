-- 10_company: the matching of 0.2.0 (doc/deals.md) in the functions' comments; and &&~
-- gives the same answer on every plan (issue 27, item 6):
-- a word key's two forms are one key, and the GIN operator class indexes
-- and looks up both forms of every word key.  Rows whose keys
-- company_match_keys made carry both forms already, so their index entries
-- are unchanged.

COMMENT ON FUNCTION channel.company_keys_meet(text[], text[]) IS
  'True when a key of one array meets a key of the other: equal keys, word keys of the same head within one typo (a letter replaced, inserted or dropped, or two neighbours swapped; w: holds the word, r: the same word reversed, so w:abc and r:cba are one key), an acronym (a:) and the same letters as initials (i:) -- but never two initials. Symmetric. The function of the operator &&~, which gives this answer on every plan.';
COMMENT ON FUNCTION channel.company_keys_extract_value(text[], internal, internal) IS
  'GIN support of channel.company_keys_ops: the index entries of a key array (its non-null keys, and both forms, w: and r:, of every word key).';
COMMENT ON FUNCTION channel.company_keys_extract_query(text[], internal, int2, internal, internal, internal, internal) IS
  'GIN support of channel.company_keys_ops: the entries a query key array looks up (both forms of every word key, each a partial match from its first half).';
COMMENT ON FUNCTION channel.normalize_company(text) IS
  'Normalized company name: any script to Latin ASCII (ICU NFKC; Any-Latin; Latin-ASCII; Cyrillic through BGN/PCGN, Greek through UNGEGN; Japanese legal forms read as Japanese, a word boundary between kanji and kana), lower case, & and + as "and", dotted abbreviations and runs of single letters joined (I.B.M., I B M), "the" first or last and legal forms of every jurisdiction written after or before the name (Inc, GmbH, S.A., Anonim Şirketi, PJSC, ООО, PT, 株式会社, ...; src/core/legal_forms.txt) dropped, single spaces. Only [a-z0-9 ] remain; empty when the name has no letter or digit.';
COMMENT ON FUNCTION channel.company_similarity(text, text) IS
  'How likely two company names denote one company, in [0, 1]: weighted Dice over normalized tokens compared in one form (business abbreviations, plurals and trade words of other languages folded, src/core/company_words.txt; a spelling fold under which transliteration schemes and spelling variants meet), rare tokens weighing more than trade words ("bank", "energy") and those more than holding words ("group", "holdings"), one or two typos forgiven but not between two English words, acronyms by initials or syllables ("IBM" / "International Business Machines", "KEPCO"); times 0.8 when both names carry legal forms and the forms'' jurisdictions have no country in common ("Merck KGaA" / "Merck & Co., Inc.": evidence of two companies; src/core/legal_forms.txt); symmetric; 1 for equal normalized names without such forms.';
COMMENT ON FUNCTION channel.company_match_keys(text) IS
  'Blocking keys of a company name (k: the normalized name without spaces; w: and r: each distinctive word of 5+ letters, in its compared form, and reversed; d: shorter distinctive words; p: and s: first and last four letters for two typos; a: short words that may be acronyms; i: initials of 3 to 5 words): names that reach the matching threshold have keys that meet (operator &&~), so a GIN index over them finds every candidate match.';

-- the countries of a name's legal forms, which the registration trigger stores (issue 18)
CREATE FUNCTION channel.company_jurisdictions(name text) RETURNS text[]
AS 'MODULE_PATHNAME', 'channel_company_jurisdictions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_jurisdictions(text) IS
  'The countries (ISO 3166 alpha-2 codes, sorted) whose registers use the legal forms written on a company name, as normalize_company drops them ("Merck KGaA": {AT,DE,...}; src/core/legal_forms.txt, forms that tokenize alike pooling their countries); NULL when the name has no form or only forms of any country ("Corporation", "Ltd"). company_similarity multiplies a pair''s score by 0.8 when both names have such countries and none in common; the registration trigger stores this in channel.deal.customer_jurisdictions to do the same.';
REVOKE EXECUTE ON FUNCTION channel.company_jurisdictions(text) FROM PUBLIC;
INSERT INTO channel.role_routine (role_name, routine_name) VALUES ('channel_analyst', 'company_jurisdictions');
