-- 10_company.sql: company-name identity (src/core/company_*.c, src/company_sql.c).

CREATE FUNCTION channel.normalize_company(name text) RETURNS text
AS 'MODULE_PATHNAME', 'channel_normalize_company'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.normalize_company(text) IS
  'Normalized company name: any script to Latin ASCII (ICU NFKC; Any-Latin; Latin-ASCII), lower case, & and + as "and", dotted abbreviations joined, leading "the" and legal forms (Inc, GmbH, S.A., OOO, K.K., ...) dropped, single spaces. Only [a-z0-9 ] remain; empty when the name has no letter or digit.';

CREATE FUNCTION channel.company_similarity(a text, b text) RETURNS float4
AS 'MODULE_PATHNAME', 'channel_company_similarity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_similarity(text, text) IS
  'How likely two company names denote one company, in [0, 1]: weighted Dice over normalized tokens (rare tokens weigh more than "group" or "systems"), with typo tolerance, acronym matching ("IBM" / "International Business Machines"); symmetric; 1 for equal normalized names.';

CREATE FUNCTION channel.company_match_keys(name text) RETURNS text[]
AS 'MODULE_PATHNAME', 'channel_company_match_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_match_keys(text) IS
  'Blocking keys of a company name (normalized name, distinctive tokens and their one-deletion neighbours, token prefixes and suffixes, acronyms): names that reach the matching threshold share one, so a GIN index over them finds every candidate match.';
