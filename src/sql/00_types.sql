-- 00_types.sql: enum types and domains every table uses.
--
-- The enum values are part of the public contract (later modules and client
-- applications compare against them); add values only at the end.

CREATE TYPE channel.partner_tier AS ENUM ('registered', 'silver', 'gold', 'platinum');
COMMENT ON TYPE channel.partner_tier IS
  'Program tier of a partner, lowest first: registered < silver < gold < platinum.';

CREATE TYPE channel.partner_status AS ENUM
  ('prospect', 'onboarding', 'active', 'suspended', 'inactive', 'terminated');
COMMENT ON TYPE channel.partner_status IS
  'Lifecycle of a partner: prospect -> onboarding -> active, then suspended, inactive or terminated.';

CREATE TYPE channel.lead_status AS ENUM
  ('new', 'routed', 'accepted', 'rejected', 'recalled', 'pooled', 'converted', 'lost');
COMMENT ON TYPE channel.lead_status IS
  'Lifecycle of a lead: new -> routed -> accepted -> converted or lost; a routed lead may be rejected or recalled (then re-routed) or go to the shared pool.';

CREATE TYPE channel.deal_status AS ENUM
  ('submitted', 'approved', 'conflict', 'rejected', 'won', 'lost', 'expired');
COMMENT ON TYPE channel.deal_status IS
  'Lifecycle of a deal registration: submitted -> approved (protected) -> won or lost; it may instead be flagged conflict, rejected, or expire.';

CREATE TYPE channel.cert_level AS ENUM ('associate', 'professional', 'expert');
COMMENT ON TYPE channel.cert_level IS
  'Certification level, lowest first: associate < professional < expert.';

CREATE DOMAIN channel.country_code AS text
  CONSTRAINT country_code_format CHECK (VALUE ~ '^[A-Z]{2}$');
COMMENT ON DOMAIN channel.country_code IS
  'ISO 3166-1 alpha-2 country code in upper case (e.g. FR). Existence is checked by a foreign key to channel.country.';

CREATE DOMAIN channel.region_code AS text
  CONSTRAINT region_code_valid CHECK (VALUE IN ('NA', 'LATAM', 'EMEA', 'APAC'));
COMMENT ON DOMAIN channel.region_code IS
  'Sales region: NA (North America), LATAM, EMEA or APAC.';

CREATE DOMAIN channel.currency_code AS text
  CONSTRAINT currency_code_format CHECK (VALUE ~ '^[A-Z]{3}$');
COMMENT ON DOMAIN channel.currency_code IS
  'ISO 4217 currency code in upper case (e.g. EUR).';

CREATE DOMAIN channel.product_code AS text
  CONSTRAINT product_code_format CHECK (VALUE ~ '^[A-Z][A-Z0-9_]{1,31}$');
COMMENT ON DOMAIN channel.product_code IS
  'Product line code: an upper-case letter then 1 to 31 upper-case letters, digits or underscores (e.g. STORAGE).';

CREATE FUNCTION channel.det_random(seed bigint, stream bigint, index bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'channel_det_random'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.det_random(bigint, bigint, bigint) IS
  'Deterministic uniform number in [0, 1) for (seed, stream, index): same arguments, same value, on every platform. Used by generate_demo and seedable policies.';

-- The "not blank" rule of every name, description and reason (src/text_rules.c):
-- the rule deal customer names have always had, now shared by every CHECK.
CREATE FUNCTION channel.has_letter_or_digit(t text) RETURNS boolean
AS 'MODULE_PATHNAME', 'channel_has_letter_or_digit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.has_letter_or_digit(text) IS
  'True when the text has a letter or digit as channel.normalize_company sees it (any script, after NFKC and transliteration to Latin): the "not blank" rule of every name, description and reason. False for text made only of spaces, punctuation, invisible characters (U+200B, U+FEFF, U+202E, ...) or lone combining marks.';
