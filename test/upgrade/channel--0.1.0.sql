-- channel 0.1.0: generated from src/sql/*.sql by make; do not edit.
\echo Use "CREATE EXTENSION channel" to load this file. \quit

-- ===== src/sql/00_types.sql =====
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

-- ===== src/sql/01_reference.sql =====
-- 01_reference.sql: reference data -- countries and product lines.

CREATE TABLE channel.country (
  code   channel.country_code PRIMARY KEY,
  name   text NOT NULL CHECK (btrim(name) <> ''),
  region channel.region_code NOT NULL
);
COMMENT ON TABLE channel.country IS
  'ISO 3166-1 alpha-2 countries (all 249 officially assigned codes) with the sales region each belongs to. Shipped with the extension.';
COMMENT ON COLUMN channel.country.code IS 'ISO 3166-1 alpha-2 code, upper case.';
COMMENT ON COLUMN channel.country.name IS 'Common English name of the country.';
COMMENT ON COLUMN channel.country.region IS 'Sales region the country belongs to by default.';

INSERT INTO channel.country (code, name, region) VALUES
  ('AD', 'Andorra', 'EMEA'),
  ('AE', 'United Arab Emirates', 'EMEA'),
  ('AF', 'Afghanistan', 'APAC'),
  ('AG', 'Antigua and Barbuda', 'LATAM'),
  ('AI', 'Anguilla', 'LATAM'),
  ('AL', 'Albania', 'EMEA'),
  ('AM', 'Armenia', 'EMEA'),
  ('AO', 'Angola', 'EMEA'),
  ('AQ', 'Antarctica', 'APAC'),
  ('AR', 'Argentina', 'LATAM'),
  ('AS', 'American Samoa', 'APAC'),
  ('AT', 'Austria', 'EMEA'),
  ('AU', 'Australia', 'APAC'),
  ('AW', 'Aruba', 'LATAM'),
  ('AX', 'Åland Islands', 'EMEA'),
  ('AZ', 'Azerbaijan', 'EMEA'),
  ('BA', 'Bosnia and Herzegovina', 'EMEA'),
  ('BB', 'Barbados', 'LATAM'),
  ('BD', 'Bangladesh', 'APAC'),
  ('BE', 'Belgium', 'EMEA'),
  ('BF', 'Burkina Faso', 'EMEA'),
  ('BG', 'Bulgaria', 'EMEA'),
  ('BH', 'Bahrain', 'EMEA'),
  ('BI', 'Burundi', 'EMEA'),
  ('BJ', 'Benin', 'EMEA'),
  ('BL', 'Saint Barthélemy', 'LATAM'),
  ('BM', 'Bermuda', 'NA'),
  ('BN', 'Brunei Darussalam', 'APAC'),
  ('BO', 'Bolivia', 'LATAM'),
  ('BQ', 'Bonaire, Sint Eustatius and Saba', 'LATAM'),
  ('BR', 'Brazil', 'LATAM'),
  ('BS', 'Bahamas', 'LATAM'),
  ('BT', 'Bhutan', 'APAC'),
  ('BV', 'Bouvet Island', 'EMEA'),
  ('BW', 'Botswana', 'EMEA'),
  ('BY', 'Belarus', 'EMEA'),
  ('BZ', 'Belize', 'LATAM'),
  ('CA', 'Canada', 'NA'),
  ('CC', 'Cocos (Keeling) Islands', 'APAC'),
  ('CD', 'Congo, The Democratic Republic of the', 'EMEA'),
  ('CF', 'Central African Republic', 'EMEA'),
  ('CG', 'Congo', 'EMEA'),
  ('CH', 'Switzerland', 'EMEA'),
  ('CI', 'Côte d''Ivoire', 'EMEA'),
  ('CK', 'Cook Islands', 'APAC'),
  ('CL', 'Chile', 'LATAM'),
  ('CM', 'Cameroon', 'EMEA'),
  ('CN', 'China', 'APAC'),
  ('CO', 'Colombia', 'LATAM'),
  ('CR', 'Costa Rica', 'LATAM'),
  ('CU', 'Cuba', 'LATAM'),
  ('CV', 'Cabo Verde', 'EMEA'),
  ('CW', 'Curaçao', 'LATAM'),
  ('CX', 'Christmas Island', 'APAC'),
  ('CY', 'Cyprus', 'EMEA'),
  ('CZ', 'Czechia', 'EMEA'),
  ('DE', 'Germany', 'EMEA'),
  ('DJ', 'Djibouti', 'EMEA'),
  ('DK', 'Denmark', 'EMEA'),
  ('DM', 'Dominica', 'LATAM'),
  ('DO', 'Dominican Republic', 'LATAM'),
  ('DZ', 'Algeria', 'EMEA'),
  ('EC', 'Ecuador', 'LATAM'),
  ('EE', 'Estonia', 'EMEA'),
  ('EG', 'Egypt', 'EMEA'),
  ('EH', 'Western Sahara', 'EMEA'),
  ('ER', 'Eritrea', 'EMEA'),
  ('ES', 'Spain', 'EMEA'),
  ('ET', 'Ethiopia', 'EMEA'),
  ('FI', 'Finland', 'EMEA'),
  ('FJ', 'Fiji', 'APAC'),
  ('FK', 'Falkland Islands (Malvinas)', 'LATAM'),
  ('FM', 'Micronesia, Federated States of', 'APAC'),
  ('FO', 'Faroe Islands', 'EMEA'),
  ('FR', 'France', 'EMEA'),
  ('GA', 'Gabon', 'EMEA'),
  ('GB', 'United Kingdom', 'EMEA'),
  ('GD', 'Grenada', 'LATAM'),
  ('GE', 'Georgia', 'EMEA'),
  ('GF', 'French Guiana', 'LATAM'),
  ('GG', 'Guernsey', 'EMEA'),
  ('GH', 'Ghana', 'EMEA'),
  ('GI', 'Gibraltar', 'EMEA'),
  ('GL', 'Greenland', 'NA'),
  ('GM', 'Gambia', 'EMEA'),
  ('GN', 'Guinea', 'EMEA'),
  ('GP', 'Guadeloupe', 'LATAM'),
  ('GQ', 'Equatorial Guinea', 'EMEA'),
  ('GR', 'Greece', 'EMEA'),
  ('GS', 'South Georgia and the South Sandwich Islands', 'LATAM'),
  ('GT', 'Guatemala', 'LATAM'),
  ('GU', 'Guam', 'APAC'),
  ('GW', 'Guinea-Bissau', 'EMEA'),
  ('GY', 'Guyana', 'LATAM'),
  ('HK', 'Hong Kong', 'APAC'),
  ('HM', 'Heard Island and McDonald Islands', 'APAC'),
  ('HN', 'Honduras', 'LATAM'),
  ('HR', 'Croatia', 'EMEA'),
  ('HT', 'Haiti', 'LATAM'),
  ('HU', 'Hungary', 'EMEA'),
  ('ID', 'Indonesia', 'APAC'),
  ('IE', 'Ireland', 'EMEA'),
  ('IL', 'Israel', 'EMEA'),
  ('IM', 'Isle of Man', 'EMEA'),
  ('IN', 'India', 'APAC'),
  ('IO', 'British Indian Ocean Territory', 'APAC'),
  ('IQ', 'Iraq', 'EMEA'),
  ('IR', 'Iran', 'EMEA'),
  ('IS', 'Iceland', 'EMEA'),
  ('IT', 'Italy', 'EMEA'),
  ('JE', 'Jersey', 'EMEA'),
  ('JM', 'Jamaica', 'LATAM'),
  ('JO', 'Jordan', 'EMEA'),
  ('JP', 'Japan', 'APAC'),
  ('KE', 'Kenya', 'EMEA'),
  ('KG', 'Kyrgyzstan', 'APAC'),
  ('KH', 'Cambodia', 'APAC'),
  ('KI', 'Kiribati', 'APAC'),
  ('KM', 'Comoros', 'EMEA'),
  ('KN', 'Saint Kitts and Nevis', 'LATAM'),
  ('KP', 'North Korea', 'APAC'),
  ('KR', 'South Korea', 'APAC'),
  ('KW', 'Kuwait', 'EMEA'),
  ('KY', 'Cayman Islands', 'LATAM'),
  ('KZ', 'Kazakhstan', 'APAC'),
  ('LA', 'Laos', 'APAC'),
  ('LB', 'Lebanon', 'EMEA'),
  ('LC', 'Saint Lucia', 'LATAM'),
  ('LI', 'Liechtenstein', 'EMEA'),
  ('LK', 'Sri Lanka', 'APAC'),
  ('LR', 'Liberia', 'EMEA'),
  ('LS', 'Lesotho', 'EMEA'),
  ('LT', 'Lithuania', 'EMEA'),
  ('LU', 'Luxembourg', 'EMEA'),
  ('LV', 'Latvia', 'EMEA'),
  ('LY', 'Libya', 'EMEA'),
  ('MA', 'Morocco', 'EMEA'),
  ('MC', 'Monaco', 'EMEA'),
  ('MD', 'Moldova', 'EMEA'),
  ('ME', 'Montenegro', 'EMEA'),
  ('MF', 'Saint Martin (French part)', 'LATAM'),
  ('MG', 'Madagascar', 'EMEA'),
  ('MH', 'Marshall Islands', 'APAC'),
  ('MK', 'North Macedonia', 'EMEA'),
  ('ML', 'Mali', 'EMEA'),
  ('MM', 'Myanmar', 'APAC'),
  ('MN', 'Mongolia', 'APAC'),
  ('MO', 'Macao', 'APAC'),
  ('MP', 'Northern Mariana Islands', 'APAC'),
  ('MQ', 'Martinique', 'LATAM'),
  ('MR', 'Mauritania', 'EMEA'),
  ('MS', 'Montserrat', 'LATAM'),
  ('MT', 'Malta', 'EMEA'),
  ('MU', 'Mauritius', 'EMEA'),
  ('MV', 'Maldives', 'APAC'),
  ('MW', 'Malawi', 'EMEA'),
  ('MX', 'Mexico', 'LATAM'),
  ('MY', 'Malaysia', 'APAC'),
  ('MZ', 'Mozambique', 'EMEA'),
  ('NA', 'Namibia', 'EMEA'),
  ('NC', 'New Caledonia', 'APAC'),
  ('NE', 'Niger', 'EMEA'),
  ('NF', 'Norfolk Island', 'APAC'),
  ('NG', 'Nigeria', 'EMEA'),
  ('NI', 'Nicaragua', 'LATAM'),
  ('NL', 'Netherlands', 'EMEA'),
  ('NO', 'Norway', 'EMEA'),
  ('NP', 'Nepal', 'APAC'),
  ('NR', 'Nauru', 'APAC'),
  ('NU', 'Niue', 'APAC'),
  ('NZ', 'New Zealand', 'APAC'),
  ('OM', 'Oman', 'EMEA'),
  ('PA', 'Panama', 'LATAM'),
  ('PE', 'Peru', 'LATAM'),
  ('PF', 'French Polynesia', 'APAC'),
  ('PG', 'Papua New Guinea', 'APAC'),
  ('PH', 'Philippines', 'APAC'),
  ('PK', 'Pakistan', 'APAC'),
  ('PL', 'Poland', 'EMEA'),
  ('PM', 'Saint Pierre and Miquelon', 'NA'),
  ('PN', 'Pitcairn', 'APAC'),
  ('PR', 'Puerto Rico', 'LATAM'),
  ('PS', 'Palestine, State of', 'EMEA'),
  ('PT', 'Portugal', 'EMEA'),
  ('PW', 'Palau', 'APAC'),
  ('PY', 'Paraguay', 'LATAM'),
  ('QA', 'Qatar', 'EMEA'),
  ('RE', 'Réunion', 'EMEA'),
  ('RO', 'Romania', 'EMEA'),
  ('RS', 'Serbia', 'EMEA'),
  ('RU', 'Russian Federation', 'EMEA'),
  ('RW', 'Rwanda', 'EMEA'),
  ('SA', 'Saudi Arabia', 'EMEA'),
  ('SB', 'Solomon Islands', 'APAC'),
  ('SC', 'Seychelles', 'EMEA'),
  ('SD', 'Sudan', 'EMEA'),
  ('SE', 'Sweden', 'EMEA'),
  ('SG', 'Singapore', 'APAC'),
  ('SH', 'Saint Helena, Ascension and Tristan da Cunha', 'EMEA'),
  ('SI', 'Slovenia', 'EMEA'),
  ('SJ', 'Svalbard and Jan Mayen', 'EMEA'),
  ('SK', 'Slovakia', 'EMEA'),
  ('SL', 'Sierra Leone', 'EMEA'),
  ('SM', 'San Marino', 'EMEA'),
  ('SN', 'Senegal', 'EMEA'),
  ('SO', 'Somalia', 'EMEA'),
  ('SR', 'Suriname', 'LATAM'),
  ('SS', 'South Sudan', 'EMEA'),
  ('ST', 'Sao Tome and Principe', 'EMEA'),
  ('SV', 'El Salvador', 'LATAM'),
  ('SX', 'Sint Maarten (Dutch part)', 'LATAM'),
  ('SY', 'Syria', 'EMEA'),
  ('SZ', 'Eswatini', 'EMEA'),
  ('TC', 'Turks and Caicos Islands', 'LATAM'),
  ('TD', 'Chad', 'EMEA'),
  ('TF', 'French Southern Territories', 'EMEA'),
  ('TG', 'Togo', 'EMEA'),
  ('TH', 'Thailand', 'APAC'),
  ('TJ', 'Tajikistan', 'APAC'),
  ('TK', 'Tokelau', 'APAC'),
  ('TL', 'Timor-Leste', 'APAC'),
  ('TM', 'Turkmenistan', 'APAC'),
  ('TN', 'Tunisia', 'EMEA'),
  ('TO', 'Tonga', 'APAC'),
  ('TR', 'Türkiye', 'EMEA'),
  ('TT', 'Trinidad and Tobago', 'LATAM'),
  ('TV', 'Tuvalu', 'APAC'),
  ('TW', 'Taiwan', 'APAC'),
  ('TZ', 'Tanzania', 'EMEA'),
  ('UA', 'Ukraine', 'EMEA'),
  ('UG', 'Uganda', 'EMEA'),
  ('UM', 'United States Minor Outlying Islands', 'NA'),
  ('US', 'United States', 'NA'),
  ('UY', 'Uruguay', 'LATAM'),
  ('UZ', 'Uzbekistan', 'APAC'),
  ('VA', 'Holy See (Vatican City State)', 'EMEA'),
  ('VC', 'Saint Vincent and the Grenadines', 'LATAM'),
  ('VE', 'Venezuela', 'LATAM'),
  ('VG', 'Virgin Islands, British', 'LATAM'),
  ('VI', 'Virgin Islands, U.S.', 'LATAM'),
  ('VN', 'Vietnam', 'APAC'),
  ('VU', 'Vanuatu', 'APAC'),
  ('WF', 'Wallis and Futuna', 'APAC'),
  ('WS', 'Samoa', 'APAC'),
  ('YE', 'Yemen', 'EMEA'),
  ('YT', 'Mayotte', 'EMEA'),
  ('ZA', 'South Africa', 'EMEA'),
  ('ZM', 'Zambia', 'EMEA'),
  ('ZW', 'Zimbabwe', 'EMEA');

-- Region of a country, or a clear error for a code that is not ISO 3166-1:
-- the triggers that default a region call it before the foreign key is
-- checked, so without it a bad code would surface as a NULL region.
CREATE FUNCTION channel.country_region(code channel.country_code) RETURNS channel.region_code
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  found_region channel.region_code;
BEGIN
  SELECT c.region INTO found_region FROM channel.country c WHERE c.code = country_region.code;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown country code "%"', code
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = 'Country codes are ISO 3166-1 alpha-2 codes, listed in channel.country.',
            HINT = 'Use the two-letter ISO code, e.g. GB for the United Kingdom, DE for Germany.';
  END IF;
  RETURN found_region;
END
$$;
COMMENT ON FUNCTION channel.country_region(channel.country_code) IS
  'Sales region of an ISO 3166-1 alpha-2 country; raises foreign_key_violation for an unknown code.';

CREATE TABLE channel.product_line (
  code                   channel.product_code PRIMARY KEY,
  name                   text NOT NULL CHECK (btrim(name) <> ''),
  requires_certification boolean NOT NULL DEFAULT false,
  min_cert_level         channel.cert_level NOT NULL DEFAULT 'associate',
  protection_days        integer NOT NULL DEFAULT 90 CHECK (protection_days BETWEEN 1 AND 730),
  active                 boolean NOT NULL DEFAULT true,
  created_at             timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE channel.product_line IS
  'Product lines partners are authorized, certified and registered for. Filled by the vendor; kept by pg_dump.';
COMMENT ON COLUMN channel.product_line.code IS 'Short upper-case code, e.g. STORAGE.';
COMMENT ON COLUMN channel.product_line.name IS 'Display name.';
COMMENT ON COLUMN channel.product_line.requires_certification IS
  'When true, a partner needs a valid certification for this line (of at least min_cert_level) to receive its leads.';
COMMENT ON COLUMN channel.product_line.min_cert_level IS
  'Lowest certification level that qualifies when requires_certification is set.';
COMMENT ON COLUMN channel.product_line.protection_days IS
  'Days of protection an approved deal registration on this line gets (default 90).';
COMMENT ON COLUMN channel.product_line.active IS 'False for lines no longer sold; kept for history.';
COMMENT ON COLUMN channel.product_line.created_at IS 'When the line was defined.';
SELECT pg_catalog.pg_extension_config_dump('channel.product_line', '');

-- ===== src/sql/02_partners.sql =====
-- 02_partners.sql: partners, their contacts, authorizations, territories and
-- certifications.  Two-tier hierarchy: a reseller may sit under a distributor.

CREATE TABLE channel.partner (
  partner_id        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name              text NOT NULL
                    CONSTRAINT partner_name_not_blank CHECK (btrim(name) <> '' AND length(name) <= 200),
  kind              text NOT NULL DEFAULT 'reseller'
                    CONSTRAINT partner_kind_valid
                    CHECK (kind IN ('distributor', 'reseller', 'msp', 'integrator', 'referral')),
  tier              channel.partner_tier NOT NULL DEFAULT 'registered',
  status            channel.partner_status NOT NULL DEFAULT 'prospect',
  country           channel.country_code NOT NULL REFERENCES channel.country (code),
  region            channel.region_code NOT NULL,
  parent_id         bigint REFERENCES channel.partner (partner_id),
  max_open_leads    integer NOT NULL DEFAULT 25
                    CONSTRAINT partner_max_open_leads_range CHECK (max_open_leads BETWEEN 0 AND 100000),
  website           text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT partner_not_own_parent CHECK (parent_id <> partner_id)
);
COMMENT ON TABLE channel.partner IS
  'A company that resells, distributes or refers the vendor''s products. Two-tier: a reseller may have a distributor as parent.';
COMMENT ON COLUMN channel.partner.partner_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.partner.name IS 'Trading name as the partner writes it (any script).';
COMMENT ON COLUMN channel.partner.kind IS
  'Business model: distributor (sells to resellers), reseller, msp (managed service provider), integrator, referral.';
COMMENT ON COLUMN channel.partner.tier IS 'Program tier; recalculated from performance by the programs module.';
COMMENT ON COLUMN channel.partner.status IS 'Lifecycle status; only active partners receive leads.';
COMMENT ON COLUMN channel.partner.country IS 'Country of the partner''s head office (ISO 3166-1 alpha-2).';
COMMENT ON COLUMN channel.partner.region IS 'Sales region; defaults to the region of country when not given.';
COMMENT ON COLUMN channel.partner.parent_id IS
  'The distributor this reseller buys through (two-tier distribution); NULL for direct partners and distributors.';
COMMENT ON COLUMN channel.partner.max_open_leads IS
  'Capacity: the most leads routed or accepted but not yet closed that the partner may hold at once.';
COMMENT ON COLUMN channel.partner.website IS 'Public web site, informational.';
COMMENT ON COLUMN channel.partner.created_at IS 'When the partner was created.';
COMMENT ON COLUMN channel.partner.status_changed_at IS 'When status last changed (maintained by trigger).';

CREATE INDEX partner_parent_idx ON channel.partner (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX partner_status_region_idx ON channel.partner (status, region);
COMMENT ON INDEX channel.partner_parent_idx IS 'Finds the resellers of a distributor.';
COMMENT ON INDEX channel.partner_status_region_idx IS 'Finds active partners of a region.';

-- Fills region from country, keeps status_changed_at, and enforces the
-- two-tier shape (a parent must be a distributor; distributors have no
-- parent), which a CHECK cannot do because it involves another row.
CREATE FUNCTION channel.partner_before_write() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  parent_kind text;
BEGIN
  IF NEW.region IS NULL AND NEW.country IS NOT NULL THEN
    NEW.region := channel.country_region(NEW.country);
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
    NEW.status_changed_at := now();
  END IF;
  IF NEW.parent_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.parent_id IS DISTINCT FROM OLD.parent_id OR NEW.kind IS DISTINCT FROM OLD.kind) THEN
    -- FOR KEY SHARE keeps the parent from being turned into a non-distributor meanwhile
    SELECT p.kind INTO parent_kind FROM channel.partner p WHERE p.partner_id = NEW.parent_id FOR KEY SHARE;
    IF FOUND AND parent_kind <> 'distributor' THEN
      RAISE EXCEPTION 'partner % cannot be the parent of a partner', NEW.parent_id
        USING ERRCODE = 'check_violation',
              DETAIL = format('Only distributors can have resellers under them; partner %s is a %s.', NEW.parent_id, parent_kind),
              HINT = 'Set parent_id to a partner whose kind is distributor, or to NULL.';
    END IF;
    IF NEW.kind = 'distributor' THEN
      RAISE EXCEPTION 'a distributor cannot have a parent partner'
        USING ERRCODE = 'check_violation',
              DETAIL = 'The channel is two-tier: distributors sit at the top.',
              HINT = 'Set parent_id to NULL for distributors.';
    END IF;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.kind = 'distributor' AND NEW.kind <> 'distributor'
     AND EXISTS (SELECT 1 FROM channel.partner c WHERE c.parent_id = NEW.partner_id) THEN
    RAISE EXCEPTION 'partner % still has resellers under it', NEW.partner_id
      USING ERRCODE = 'check_violation',
            DETAIL = 'Only distributors can have resellers under them.',
            HINT = 'Move its resellers to another distributor first.';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION channel.partner_before_write() IS
  'Trigger: fills region from country, stamps status changes, enforces the two-tier distributor -> reseller shape.';

CREATE TRIGGER partner_before_write
  BEFORE INSERT OR UPDATE ON channel.partner
  FOR EACH ROW EXECUTE FUNCTION channel.partner_before_write();
COMMENT ON TRIGGER partner_before_write ON channel.partner IS
  'Defaults and two-tier hierarchy rules; see channel.partner_before_write().';

SELECT pg_catalog.pg_extension_config_dump('channel.partner', '');
SELECT pg_catalog.pg_extension_config_dump('channel.partner_partner_id_seq', '');

CREATE TABLE channel.partner_contact (
  contact_id  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  partner_id  bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  full_name   text NOT NULL CONSTRAINT partner_contact_name_not_blank CHECK (btrim(full_name) <> ''),
  email       text NOT NULL CONSTRAINT partner_contact_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  phone       text,
  role        text NOT NULL DEFAULT 'sales'
              CONSTRAINT partner_contact_role_valid CHECK (role IN ('owner', 'sales', 'presales', 'marketing', 'finance', 'support')),
  is_primary  boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE channel.partner_contact IS 'People at a partner the vendor works with.';
COMMENT ON COLUMN channel.partner_contact.contact_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.partner_contact.partner_id IS 'The partner the person works for.';
COMMENT ON COLUMN channel.partner_contact.full_name IS 'Name as the person writes it.';
COMMENT ON COLUMN channel.partner_contact.email IS 'Work e-mail address.';
COMMENT ON COLUMN channel.partner_contact.phone IS 'Phone number, free form.';
COMMENT ON COLUMN channel.partner_contact.role IS 'owner, sales, presales, marketing, finance or support.';
COMMENT ON COLUMN channel.partner_contact.is_primary IS 'The main contact; at most one per partner.';
COMMENT ON COLUMN channel.partner_contact.created_at IS 'When the contact was added.';
CREATE INDEX partner_contact_partner_idx ON channel.partner_contact (partner_id);
CREATE UNIQUE INDEX partner_contact_one_primary ON channel.partner_contact (partner_id) WHERE is_primary;
CREATE UNIQUE INDEX partner_contact_email_unique ON channel.partner_contact (partner_id, lower(email));
COMMENT ON INDEX channel.partner_contact_partner_idx IS 'Contacts of a partner.';
COMMENT ON INDEX channel.partner_contact_one_primary IS 'At most one primary contact per partner.';
COMMENT ON INDEX channel.partner_contact_email_unique IS 'An e-mail address appears once per partner, whatever its case.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_contact', '');
SELECT pg_catalog.pg_extension_config_dump('channel.partner_contact_contact_id_seq', '');

CREATE TABLE channel.partner_product (
  partner_id    bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  product_line  channel.product_code NOT NULL REFERENCES channel.product_line (code),
  authorized_on date NOT NULL DEFAULT current_date,
  PRIMARY KEY (partner_id, product_line)
);
COMMENT ON TABLE channel.partner_product IS 'Product lines a partner is authorized to sell.';
COMMENT ON COLUMN channel.partner_product.partner_id IS 'The authorized partner.';
COMMENT ON COLUMN channel.partner_product.product_line IS 'The product line it may sell.';
COMMENT ON COLUMN channel.partner_product.authorized_on IS 'Date the authorization was granted.';
CREATE INDEX partner_product_line_idx ON channel.partner_product (product_line, partner_id);
COMMENT ON INDEX channel.partner_product_line_idx IS 'Partners authorized for a product line.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_product', '');

CREATE TABLE channel.partner_territory (
  territory_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  partner_id   bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  country      channel.country_code REFERENCES channel.country (code),
  region       channel.region_code,
  CONSTRAINT partner_territory_country_or_region CHECK (num_nonnulls(country, region) = 1)
);
COMMENT ON TABLE channel.partner_territory IS
  'Where a partner may sell: each row covers one country, or one whole region.';
COMMENT ON COLUMN channel.partner_territory.territory_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.partner_territory.partner_id IS 'The partner covering the territory.';
COMMENT ON COLUMN channel.partner_territory.country IS 'A covered country; NULL when the row covers a region.';
COMMENT ON COLUMN channel.partner_territory.region IS 'A covered region (all its countries); NULL when the row covers a country.';
CREATE UNIQUE INDEX partner_territory_unique
  ON channel.partner_territory (partner_id, coalesce(country, ''), coalesce(region, ''));
CREATE INDEX partner_territory_country_idx ON channel.partner_territory (country, partner_id) WHERE country IS NOT NULL;
CREATE INDEX partner_territory_region_idx ON channel.partner_territory (region, partner_id) WHERE region IS NOT NULL;
COMMENT ON INDEX channel.partner_territory_unique IS 'A territory is listed once per partner.';
COMMENT ON INDEX channel.partner_territory_country_idx IS 'Partners covering a country.';
COMMENT ON INDEX channel.partner_territory_region_idx IS 'Partners covering a whole region.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_territory', '');
SELECT pg_catalog.pg_extension_config_dump('channel.partner_territory_territory_id_seq', '');

CREATE TABLE channel.certification (
  certification_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  partner_id       bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  product_line     channel.product_code NOT NULL REFERENCES channel.product_line (code),
  level            channel.cert_level NOT NULL,
  earned_on        date NOT NULL,
  expires_on       date NOT NULL,
  CONSTRAINT certification_expires_after_earned CHECK (expires_on > earned_on)
);
COMMENT ON TABLE channel.certification IS
  'A partner''s certification on a product line; valid from earned_on up to (not including) expires_on.';
COMMENT ON COLUMN channel.certification.certification_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.certification.partner_id IS 'The certified partner.';
COMMENT ON COLUMN channel.certification.product_line IS 'The product line certified on.';
COMMENT ON COLUMN channel.certification.level IS 'associate, professional or expert.';
COMMENT ON COLUMN channel.certification.earned_on IS 'First day the certification is valid.';
COMMENT ON COLUMN channel.certification.expires_on IS 'First day the certification is no longer valid.';
CREATE INDEX certification_partner_line_idx ON channel.certification (partner_id, product_line, expires_on);
COMMENT ON INDEX channel.certification_partner_line_idx IS 'Valid certifications of a partner for a product line.';
SELECT pg_catalog.pg_extension_config_dump('channel.certification', '');
SELECT pg_catalog.pg_extension_config_dump('channel.certification_certification_id_seq', '');

-- ===== src/sql/03_leads.sql =====
-- 03_leads.sql: leads handed to the channel, and their append-only history.

CREATE TABLE channel.lead (
  lead_id        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  company        text NOT NULL CONSTRAINT lead_company_not_blank CHECK (btrim(company) <> '' AND length(company) <= 300),
  contact_name   text,
  contact_email  text CONSTRAINT lead_contact_email_format CHECK (contact_email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  country        channel.country_code NOT NULL REFERENCES channel.country (code),
  region         channel.region_code NOT NULL,
  product_line   channel.product_code NOT NULL REFERENCES channel.product_line (code),
  source         text NOT NULL DEFAULT 'web'
                 CONSTRAINT lead_source_valid CHECK (source IN ('web', 'campaign', 'event', 'referral', 'partner', 'inbound_call', 'purchased_list')),
  campaign       text,
  industry       text,
  employees      integer CONSTRAINT lead_employees_positive CHECK (employees > 0),
  budget         numeric(16,2) CONSTRAINT lead_budget_not_negative CHECK (budget >= 0),
  authority      text CONSTRAINT lead_authority_valid CHECK (authority IN ('none', 'influencer', 'decision_maker')),
  need           text CONSTRAINT lead_need_valid CHECK (need IN ('low', 'medium', 'high')),
  timeline_days  integer CONSTRAINT lead_timeline_not_negative CHECK (timeline_days >= 0),
  score          integer CONSTRAINT lead_score_range CHECK (score BETWEEN 0 AND 100),
  status         channel.lead_status NOT NULL DEFAULT 'new',
  partner_id     bigint REFERENCES channel.partner (partner_id),
  routed_at      timestamptz,
  accept_by      timestamptz,
  accepted_at    timestamptz,
  closed_at      timestamptz,
  reject_reason  text,
  status_reason  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT lead_unassigned_has_no_partner
    CHECK (status NOT IN ('new', 'pooled') OR partner_id IS NULL),
  CONSTRAINT lead_assigned_has_partner
    CHECK (status NOT IN ('routed', 'accepted', 'converted') OR partner_id IS NOT NULL),
  CONSTRAINT lead_routed_has_sla
    CHECK (status <> 'routed' OR (routed_at IS NOT NULL AND accept_by IS NOT NULL)),
  CONSTRAINT lead_accepted_has_time
    CHECK (status NOT IN ('accepted', 'converted') OR accepted_at IS NOT NULL),
  CONSTRAINT lead_rejected_has_reason
    CHECK (status <> 'rejected' OR reject_reason IS NOT NULL),
  CONSTRAINT lead_closed_has_time
    CHECK ((status IN ('converted', 'lost')) = (closed_at IS NOT NULL)),
  CONSTRAINT lead_sla_after_routing CHECK (accept_by >= routed_at),
  CONSTRAINT lead_accepted_after_routing CHECK (accepted_at >= routed_at)
);
COMMENT ON TABLE channel.lead IS
  'A sales lead handed to the channel: who, where, what product, how qualified (BANT), and where it is in its journey.';
COMMENT ON COLUMN channel.lead.lead_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.lead.company IS 'End-customer company name as captured (any script).';
COMMENT ON COLUMN channel.lead.contact_name IS 'Person to contact at the company.';
COMMENT ON COLUMN channel.lead.contact_email IS 'E-mail address of the contact.';
COMMENT ON COLUMN channel.lead.country IS 'Country of the end customer (ISO 3166-1 alpha-2).';
COMMENT ON COLUMN channel.lead.region IS 'Sales region; defaults to the region of country.';
COMMENT ON COLUMN channel.lead.product_line IS 'Product line the customer is interested in.';
COMMENT ON COLUMN channel.lead.source IS 'Where the lead came from: web, campaign, event, referral, partner, inbound_call, purchased_list.';
COMMENT ON COLUMN channel.lead.campaign IS 'Marketing campaign code, when the lead came from one.';
COMMENT ON COLUMN channel.lead.industry IS 'Industry of the end customer, free text.';
COMMENT ON COLUMN channel.lead.employees IS 'Head count of the end customer.';
COMMENT ON COLUMN channel.lead.budget IS 'BANT Budget: stated budget, in the vendor''s reporting currency.';
COMMENT ON COLUMN channel.lead.authority IS 'BANT Authority: none, influencer or decision_maker.';
COMMENT ON COLUMN channel.lead.need IS 'BANT Need: low, medium or high.';
COMMENT ON COLUMN channel.lead.timeline_days IS 'BANT Timeline: days until the intended purchase.';
COMMENT ON COLUMN channel.lead.score IS 'Lead score 0-100 from the scoring rules; NULL until scored.';
COMMENT ON COLUMN channel.lead.status IS 'Where the lead is in its journey (see channel.lead_status).';
COMMENT ON COLUMN channel.lead.partner_id IS 'Partner currently holding (or last holding) the lead; NULL when new or pooled.';
COMMENT ON COLUMN channel.lead.routed_at IS 'When the lead was last routed to partner_id.';
COMMENT ON COLUMN channel.lead.accept_by IS 'SLA deadline: the lead is recalled if not accepted by then.';
COMMENT ON COLUMN channel.lead.accepted_at IS 'When partner_id accepted the lead.';
COMMENT ON COLUMN channel.lead.closed_at IS 'When the lead was converted or lost.';
COMMENT ON COLUMN channel.lead.reject_reason IS 'Reason code given by the partner that rejected the lead.';
COMMENT ON COLUMN channel.lead.status_reason IS 'Why the lead entered its current status; copied into channel.lead_event.';
COMMENT ON COLUMN channel.lead.created_at IS 'When the lead was created.';

CREATE INDEX lead_status_idx ON channel.lead (status) WHERE status IN ('new', 'pooled');
CREATE INDEX lead_partner_status_idx ON channel.lead (partner_id, status) WHERE partner_id IS NOT NULL;
CREATE INDEX lead_overdue_idx ON channel.lead (accept_by) WHERE status = 'routed';
CREATE INDEX lead_created_idx ON channel.lead (created_at);
COMMENT ON INDEX channel.lead_status_idx IS 'Leads waiting for routing or in the shared pool.';
COMMENT ON INDEX channel.lead_partner_status_idx IS 'Leads held by a partner (capacity checks, partner views).';
COMMENT ON INDEX channel.lead_overdue_idx IS 'Routed leads by SLA deadline, for the recall job.';
COMMENT ON INDEX channel.lead_created_idx IS 'Leads by creation time, for reports.';
SELECT pg_catalog.pg_extension_config_dump('channel.lead', '');
SELECT pg_catalog.pg_extension_config_dump('channel.lead_lead_id_seq', '');

CREATE TABLE channel.lead_event (
  event_id    bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  lead_id     bigint NOT NULL REFERENCES channel.lead (lead_id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL DEFAULT session_user,
  from_status channel.lead_status,
  to_status   channel.lead_status NOT NULL,
  partner_id  bigint REFERENCES channel.partner (partner_id),
  reason      text
);
COMMENT ON TABLE channel.lead_event IS
  'Append-only history of every lead status transition, written by trigger: who, when, from, to, which partner, why.';
COMMENT ON COLUMN channel.lead_event.event_id IS 'Surrogate key; orders events of one transaction.';
COMMENT ON COLUMN channel.lead_event.lead_id IS 'The lead that moved.';
COMMENT ON COLUMN channel.lead_event.at IS 'Transaction time of the transition.';
COMMENT ON COLUMN channel.lead_event.actor IS 'Database role (session user) that caused the transition.';
COMMENT ON COLUMN channel.lead_event.from_status IS 'Status before; NULL for the creation event.';
COMMENT ON COLUMN channel.lead_event.to_status IS 'Status after.';
COMMENT ON COLUMN channel.lead_event.partner_id IS
  'Partner concerned: the new holder, or for rejected/recalled the partner that lost the lead.';
COMMENT ON COLUMN channel.lead_event.reason IS 'Why: the lead''s status_reason, or its reject_reason for a rejection.';
CREATE INDEX lead_event_lead_idx ON channel.lead_event (lead_id, event_id);
CREATE INDEX lead_event_partner_idx ON channel.lead_event (partner_id, to_status) WHERE partner_id IS NOT NULL;
COMMENT ON INDEX channel.lead_event_lead_idx IS 'History of one lead, in order.';
COMMENT ON INDEX channel.lead_event_partner_idx IS 'Transitions involving a partner (e.g. its rejections and lapses).';
SELECT pg_catalog.pg_extension_config_dump('channel.lead_event', '');
SELECT pg_catalog.pg_extension_config_dump('channel.lead_event_event_id_seq', '');

-- Region defaults to the country's; history is append-only: UPDATE and
-- DELETE on lead_event are refused by a trigger rather than by privileges
-- alone, so even the owner cannot quietly rewrite a lead's journey.
CREATE FUNCTION channel.lead_before_write() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NEW.region IS NULL AND NEW.country IS NOT NULL THEN
    NEW.region := channel.country_region(NEW.country);
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION channel.lead_before_write() IS 'Trigger: fills a lead''s region from its country.';
CREATE TRIGGER lead_before_write
  BEFORE INSERT OR UPDATE OF country, region ON channel.lead
  FOR EACH ROW EXECUTE FUNCTION channel.lead_before_write();
COMMENT ON TRIGGER lead_before_write ON channel.lead IS 'Region default; see channel.lead_before_write().';

CREATE FUNCTION channel.lead_log_transition() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO channel.lead_event (lead_id, from_status, to_status, partner_id, reason)
  VALUES (NEW.lead_id,
          CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
          NEW.status,
          CASE WHEN TG_OP = 'UPDATE' AND NEW.status IN ('rejected', 'recalled') THEN OLD.partner_id
               ELSE NEW.partner_id END,
          CASE WHEN NEW.status = 'rejected' THEN coalesce(NEW.status_reason, NEW.reject_reason)
               ELSE NEW.status_reason END);
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.lead_log_transition() IS
  'Trigger: appends the creation and every status change of a lead to channel.lead_event.';
CREATE TRIGGER lead_log_insert
  AFTER INSERT ON channel.lead
  FOR EACH ROW EXECUTE FUNCTION channel.lead_log_transition();
CREATE TRIGGER lead_log_status_change
  AFTER UPDATE OF status ON channel.lead
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION channel.lead_log_transition();
COMMENT ON TRIGGER lead_log_insert ON channel.lead IS 'Records the creation of a lead in channel.lead_event.';
COMMENT ON TRIGGER lead_log_status_change ON channel.lead IS 'Records every status change of a lead in channel.lead_event.';

CREATE FUNCTION channel.history_is_append_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = format('%s of history rows is not allowed.', TG_OP),
          HINT = 'History is removed only with the lead or deal it belongs to.';
END
$$;
COMMENT ON FUNCTION channel.history_is_append_only() IS
  'Trigger: refuses UPDATE and DELETE on history tables (cascaded deletes from the parent row are allowed).';
-- pg_trigger_depth() = 1 for a cascaded delete from channel.lead, so the
-- history of a deleted lead goes with it while direct deletes are refused.
CREATE TRIGGER lead_event_append_only
  BEFORE UPDATE OR DELETE ON channel.lead_event
  FOR EACH ROW WHEN (pg_catalog.pg_trigger_depth() < 1)
  EXECUTE FUNCTION channel.history_is_append_only();
COMMENT ON TRIGGER lead_event_append_only ON channel.lead_event IS 'Keeps lead history append-only.';

-- ===== src/sql/04_deals.sql =====
-- 04_deals.sql: deal registrations and their append-only history.

CREATE TABLE channel.deal (
  deal_id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  partner_id       bigint REFERENCES channel.partner (partner_id),
  lead_id          bigint REFERENCES channel.lead (lead_id),
  customer_name    text NOT NULL CONSTRAINT deal_customer_not_blank CHECK (btrim(customer_name) <> '' AND length(customer_name) <= 300),
  customer_country channel.country_code NOT NULL REFERENCES channel.country (code),
  product_line     channel.product_code NOT NULL REFERENCES channel.product_line (code),
  amount           numeric(16,2) NOT NULL CONSTRAINT deal_amount_not_negative CHECK (amount >= 0),
  currency         channel.currency_code NOT NULL DEFAULT 'USD',
  expected_close   date NOT NULL,
  status           channel.deal_status NOT NULL DEFAULT 'submitted',
  protected_until  timestamptz,
  extension_count  smallint NOT NULL DEFAULT 0 CONSTRAINT deal_extension_count_not_negative CHECK (extension_count >= 0),
  submitted_at     timestamptz NOT NULL DEFAULT now(),
  decided_at       timestamptz,
  closed_at        timestamptz,
  status_reason    text,
  CONSTRAINT deal_approved_is_protected
    CHECK (status <> 'approved' OR protected_until IS NOT NULL),
  CONSTRAINT deal_decision_has_time
    CHECK (status NOT IN ('approved', 'rejected') OR decided_at IS NOT NULL),
  CONSTRAINT deal_closed_has_time
    CHECK ((status IN ('won', 'lost')) = (closed_at IS NOT NULL)),
  CONSTRAINT deal_rejected_has_reason
    CHECK (status <> 'rejected' OR status_reason IS NOT NULL),
  CONSTRAINT deal_protection_after_submission CHECK (protected_until > submitted_at),
  CONSTRAINT deal_decided_after_submission CHECK (decided_at >= submitted_at),
  CONSTRAINT deal_closed_after_submission CHECK (closed_at >= submitted_at)
);
COMMENT ON TABLE channel.deal IS
  'A deal registration: a partner (or, with partner_id NULL, the direct sales force) claims an opportunity and, once approved, is protected until protected_until.';
COMMENT ON COLUMN channel.deal.deal_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.deal.partner_id IS 'Registering partner; NULL for the vendor''s direct sales force.';
COMMENT ON COLUMN channel.deal.lead_id IS 'The lead this opportunity came from, if any.';
COMMENT ON COLUMN channel.deal.customer_name IS 'End customer as the registrant wrote it (any script, any spelling).';
COMMENT ON COLUMN channel.deal.customer_country IS 'Country of the end customer (ISO 3166-1 alpha-2).';
COMMENT ON COLUMN channel.deal.product_line IS 'Product line of the opportunity.';
COMMENT ON COLUMN channel.deal.amount IS 'Expected deal value, or the final value once won; never negative.';
COMMENT ON COLUMN channel.deal.currency IS 'ISO 4217 currency of amount.';
COMMENT ON COLUMN channel.deal.expected_close IS 'Date the registrant expects to close.';
COMMENT ON COLUMN channel.deal.status IS 'Where the registration is in its lifecycle (see channel.deal_status).';
COMMENT ON COLUMN channel.deal.protected_until IS 'End of the protection window; set on submission or approval, moved by extensions.';
COMMENT ON COLUMN channel.deal.extension_count IS 'How many times protection has been extended.';
COMMENT ON COLUMN channel.deal.submitted_at IS 'When the registration was submitted.';
COMMENT ON COLUMN channel.deal.decided_at IS 'When it was approved or rejected.';
COMMENT ON COLUMN channel.deal.closed_at IS 'When it was won or lost.';
COMMENT ON COLUMN channel.deal.status_reason IS 'Why the deal entered its current status (rejection reason, conflict, ...); copied into channel.deal_event.';

CREATE INDEX deal_partner_status_idx ON channel.deal (partner_id, status);
CREATE INDEX deal_status_protected_idx ON channel.deal (protected_until) WHERE status IN ('submitted', 'approved', 'conflict');
CREATE INDEX deal_lead_idx ON channel.deal (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX deal_expected_close_idx ON channel.deal (expected_close);
COMMENT ON INDEX channel.deal_partner_status_idx IS 'Deals of a partner by status.';
COMMENT ON INDEX channel.deal_status_protected_idx IS 'Live registrations by end of protection, for the expiry job.';
COMMENT ON INDEX channel.deal_lead_idx IS 'The deal a lead became.';
COMMENT ON INDEX channel.deal_expected_close_idx IS 'Pipeline by expected close date.';
SELECT pg_catalog.pg_extension_config_dump('channel.deal', '');
SELECT pg_catalog.pg_extension_config_dump('channel.deal_deal_id_seq', '');

CREATE TABLE channel.deal_event (
  event_id    bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  deal_id     bigint NOT NULL REFERENCES channel.deal (deal_id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL DEFAULT session_user,
  from_status channel.deal_status,
  to_status   channel.deal_status NOT NULL,
  reason      text
);
COMMENT ON TABLE channel.deal_event IS
  'Append-only history of every deal registration transition, written by trigger: who, when, from, to, why.';
COMMENT ON COLUMN channel.deal_event.event_id IS 'Surrogate key; orders events of one transaction.';
COMMENT ON COLUMN channel.deal_event.deal_id IS 'The deal that moved.';
COMMENT ON COLUMN channel.deal_event.at IS 'Transaction time of the transition.';
COMMENT ON COLUMN channel.deal_event.actor IS 'Database role (session user) that caused the transition.';
COMMENT ON COLUMN channel.deal_event.from_status IS 'Status before; NULL for the submission event.';
COMMENT ON COLUMN channel.deal_event.to_status IS 'Status after.';
COMMENT ON COLUMN channel.deal_event.reason IS 'Why: the deal''s status_reason at the time.';
CREATE INDEX deal_event_deal_idx ON channel.deal_event (deal_id, event_id);
COMMENT ON INDEX channel.deal_event_deal_idx IS 'History of one deal, in order.';
SELECT pg_catalog.pg_extension_config_dump('channel.deal_event', '');
SELECT pg_catalog.pg_extension_config_dump('channel.deal_event_event_id_seq', '');

CREATE FUNCTION channel.deal_log_transition() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO channel.deal_event (deal_id, from_status, to_status, reason)
  VALUES (NEW.deal_id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status, NEW.status_reason);
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.deal_log_transition() IS
  'Trigger: appends the submission and every status change of a deal to channel.deal_event.';
CREATE TRIGGER deal_log_insert
  AFTER INSERT ON channel.deal
  FOR EACH ROW EXECUTE FUNCTION channel.deal_log_transition();
CREATE TRIGGER deal_log_status_change
  AFTER UPDATE OF status ON channel.deal
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION channel.deal_log_transition();
COMMENT ON TRIGGER deal_log_insert ON channel.deal IS 'Records the submission of a deal in channel.deal_event.';
COMMENT ON TRIGGER deal_log_status_change ON channel.deal IS 'Records every status change of a deal in channel.deal_event.';

CREATE TRIGGER deal_event_append_only
  BEFORE UPDATE OR DELETE ON channel.deal_event
  FOR EACH ROW WHEN (pg_catalog.pg_trigger_depth() < 1)
  EXECUTE FUNCTION channel.history_is_append_only();
COMMENT ON TRIGGER deal_event_append_only ON channel.deal_event IS 'Keeps deal history append-only.';

-- ===== src/sql/05_identity.sql =====
-- 05_identity.sql: which partner the caller acts for.
--
-- Every partner-facing function asks channel.current_partner(): NULL means
-- the caller acts for the vendor (channel managers, jobs); a partner id means
-- the caller may only touch that partner's rows.

CREATE TABLE channel.partner_user (
  role_name  name PRIMARY KEY,
  partner_id bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE channel.partner_user IS
  'Maps a database login role to the partner it works for (one partner per role).';
COMMENT ON COLUMN channel.partner_user.role_name IS 'Database role (as in pg_roles.rolname).';
COMMENT ON COLUMN channel.partner_user.partner_id IS 'The partner the role acts for.';
COMMENT ON COLUMN channel.partner_user.created_at IS 'When the mapping was made.';
CREATE INDEX partner_user_partner_idx ON channel.partner_user (partner_id);
COMMENT ON INDEX channel.partner_user_partner_idx IS 'Roles of a partner.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_user', '');

-- C (src/identity.c): reads channel.partner_user through its primary key
-- without privilege or row-level security checks (it is what those checks
-- call), once per transaction.  PARALLEL RESTRICTED because the partner set
-- by channel.set_portal_partner() lives in the leader's memory only.
CREATE FUNCTION channel.current_partner() RETURNS bigint
AS 'MODULE_PATHNAME', 'channel_current_partner'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION channel.current_partner() IS
  'The partner the caller acts for: the one set by channel.set_portal_partner() for this transaction, else the one channel.partner_user maps session_user to; NULL when the caller acts for the vendor. Raises insufficient_privilege for a member of channel_partner or channel_portal that has neither.';

CREATE FUNCTION channel.set_portal_partner(partner_id bigint) RETURNS void
AS 'MODULE_PATHNAME', 'channel_set_portal_partner'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION channel.set_portal_partner(bigint) IS
  'For the portal application (EXECUTE granted to channel_portal only): act for partner_id until the end of the current transaction block. Once per transaction; undone by ROLLBACK TO a savepoint taken before it.';

-- ===== src/sql/10_company.sql =====
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
  'Blocking keys of a company name (k: the normalized name without spaces; w: and r: each distinctive word of 5+ letters and the word reversed; d: shorter distinctive words; p: and s: first and last four letters for two typos; a: short words that may be acronyms; i: initials of 3 to 5 words): names that reach the matching threshold have keys that meet (operator &&~), so a GIN index over them finds every candidate match.';

-- Keys meet when equal, word keys also within one typo (src/core/company_keys.c).
CREATE FUNCTION channel.company_keys_meet(keys text[], other text[]) RETURNS boolean
AS 'MODULE_PATHNAME', 'channel_company_keys_meet'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_keys_meet(text[], text[]) IS
  'True when a key of one array meets a key of the other: equal keys, word keys (w:, r:) of the same head and kind within one typo (a letter replaced, inserted or dropped, or two neighbours swapped), an acronym (a:) and the same letters as initials (i:) -- but never two initials. Symmetric. The function of the operator &&~.';

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
  'GIN support of channel.company_keys_ops: the index entries of a key array (its non-null keys).';
CREATE FUNCTION channel.company_keys_extract_query(text[], internal, int2, internal, internal, internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'channel_company_keys_extract_query'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.company_keys_extract_query(text[], internal, int2, internal, internal, internal, internal) IS
  'GIN support of channel.company_keys_ops: the entries a query key array looks up (word keys as partial matches from their first half).';
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

-- ===== src/sql/11_registration.sql =====
-- 11_registration.sql: deal registration, conflict detection and the
-- registration lifecycle (doc/deals.md).  The trigger is C
-- (src/deal_trigger.c); the lifecycle functions are SQL that authorize
-- themselves against channel.current_partner().

-- customer_key is ASCII by construction, so it is compared byte by byte
-- (COLLATE "C"): the same order as any locale gives such keys, without
-- the locale's comparison at every descent of deal_customer_key_idx.
ALTER TABLE channel.deal
  ADD COLUMN customer_key text COLLATE "C",
  ADD COLUMN customer_match_keys text[];
COMMENT ON COLUMN channel.deal.customer_key IS
  'channel.normalize_company(customer_name), kept by trigger: the customer as matching sees it.';
COMMENT ON COLUMN channel.deal.customer_match_keys IS
  'Blocking keys of the customer (channel.company_match_keys), each prefixed with country and product line, kept by trigger; the GIN index over them finds candidate conflicts.';

-- Only live registrations can conflict, so only they are indexed: the
-- lookup costs a GIN probe per key whatever the history holds.
-- fastupdate off: the pending list of a GIN index is scanned in full by
-- every search, which would make each registration's lookup cost grow with
-- the registrations made since the last vacuum.
-- channel.company_keys_ops: the keys in byte order, and &&~, which also
-- meets a word's one-typo neighbours, in two short range scans per word.
CREATE INDEX deal_match_keys_idx ON channel.deal USING gin (customer_match_keys channel.company_keys_ops)
  WITH (fastupdate = off)
  WHERE status IN ('submitted', 'approved', 'conflict');
COMMENT ON INDEX channel.deal_match_keys_idx IS
  'Live registrations by blocking key (country|product line|key), for customer_match_keys &&~ keys: the conflict lookup of channel.deal_register().';
CREATE INDEX deal_customer_key_idx ON channel.deal (customer_country, product_line, customer_key);
COMMENT ON INDEX channel.deal_customer_key_idx IS
  'Registrations of one end customer, country and product line (reports, history).';

CREATE TABLE channel.deal_conflict (
  conflict_id    bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  deal_id        bigint NOT NULL REFERENCES channel.deal (deal_id) ON DELETE CASCADE,
  other_deal_id  bigint NOT NULL REFERENCES channel.deal (deal_id) ON DELETE CASCADE,
  match_kind     text NOT NULL CONSTRAINT deal_conflict_match_kind CHECK (match_kind IN ('exact', 'fuzzy', 'acronym')),
  score          real NOT NULL CONSTRAINT deal_conflict_score_range CHECK (score > 0 AND score <= 1),
  detected_at    timestamptz NOT NULL DEFAULT now(),
  resolved_at    timestamptz,
  winner_deal_id bigint REFERENCES channel.deal (deal_id) ON DELETE SET NULL,
  CONSTRAINT deal_conflict_pair_once UNIQUE (deal_id, other_deal_id),
  CONSTRAINT deal_conflict_not_self CHECK (deal_id <> other_deal_id),
  CONSTRAINT deal_conflict_winner_is_party
    CHECK (winner_deal_id IS NULL OR winner_deal_id IN (deal_id, other_deal_id)),
  CONSTRAINT deal_conflict_winner_when_resolved CHECK (winner_deal_id IS NULL OR resolved_at IS NOT NULL)
);
COMMENT ON TABLE channel.deal_conflict IS
  'A registration (deal_id) found to claim the same end customer and product line as another registrant''s live one (other_deal_id) in an overlapping window. Written by the registration trigger; closed by resolve_conflict, reject_deal or expiry. Partners never read it: each row names another registration.';
COMMENT ON COLUMN channel.deal_conflict.conflict_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.deal_conflict.deal_id IS 'The later registration, flagged conflict.';
COMMENT ON COLUMN channel.deal_conflict.other_deal_id IS 'The live registration it collides with.';
COMMENT ON COLUMN channel.deal_conflict.match_kind IS 'exact (equal normalized names), acronym (an acronym against its expansion) or fuzzy.';
COMMENT ON COLUMN channel.deal_conflict.score IS 'channel.company_similarity of the two customer names when detected.';
COMMENT ON COLUMN channel.deal_conflict.detected_at IS 'When the later registration was submitted.';
COMMENT ON COLUMN channel.deal_conflict.resolved_at IS 'When a channel manager settled it (NULL: open).';
COMMENT ON COLUMN channel.deal_conflict.winner_deal_id IS 'The registration that kept the customer, when settled by resolve_conflict.';
CREATE INDEX deal_conflict_other_idx ON channel.deal_conflict (other_deal_id);
COMMENT ON INDEX channel.deal_conflict_other_idx IS 'Conflicts a registration is the earlier party of.';
CREATE INDEX deal_conflict_open_idx ON channel.deal_conflict (detected_at) WHERE resolved_at IS NULL;
COMMENT ON INDEX channel.deal_conflict_open_idx IS 'Open conflicts, oldest first: the channel manager''s queue.';
SELECT pg_catalog.pg_extension_config_dump('channel.deal_conflict', '');
SELECT pg_catalog.pg_extension_config_dump('channel.deal_conflict_conflict_id_seq', '');

CREATE FUNCTION channel.deal_register() RETURNS trigger
AS 'MODULE_PATHNAME', 'channel_deal_register_trigger'
LANGUAGE C;
COMMENT ON FUNCTION channel.deal_register() IS
  'Trigger (C): stores the normalized customer and its blocking keys, sets the protection window, and checks a new registration against other registrants'' live ones (channel.conflict_policy, channel.match_threshold).';
CREATE TRIGGER deal_register
  BEFORE INSERT OR UPDATE OF customer_name, customer_country, product_line ON channel.deal
  FOR EACH ROW EXECUTE FUNCTION channel.deal_register();
COMMENT ON TRIGGER deal_register ON channel.deal IS
  'Normalizes the customer, sets protection and detects conflicting registrations.';

CREATE FUNCTION channel.deal_record_conflicts() RETURNS trigger
AS 'MODULE_PATHNAME', 'channel_deal_record_conflicts_trigger'
LANGUAGE C;
COMMENT ON FUNCTION channel.deal_record_conflicts() IS
  'Trigger (C): stores in channel.deal_conflict the pairs channel.deal_register() found for a registration flagged conflict, once the row exists.';
CREATE TRIGGER deal_record_conflicts
  AFTER INSERT ON channel.deal
  FOR EACH ROW WHEN (NEW.status = 'conflict')
  EXECUTE FUNCTION channel.deal_record_conflicts();
COMMENT ON TRIGGER deal_record_conflicts ON channel.deal IS
  'Records the conflicts a new registration was flagged for.';

CREATE FUNCTION channel.product_line_changed() RETURNS trigger
AS 'MODULE_PATHNAME', 'channel_product_line_changed'
LANGUAGE C;
COMMENT ON FUNCTION channel.product_line_changed() IS
  'Trigger (C): tells every backend to reload the product lines'' protection days channel.deal_register() keeps in memory (a relcache invalidation of channel.product_line, sent at commit).';
CREATE TRIGGER product_line_changed
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON channel.product_line
  FOR EACH STATEMENT EXECUTE FUNCTION channel.product_line_changed();
COMMENT ON TRIGGER product_line_changed ON channel.product_line IS
  'Invalidates the cached protection days; see channel.product_line_changed().';

CREATE FUNCTION channel.deal_lock_customer(country text, product_line text) RETURNS void
AS 'MODULE_PATHNAME', 'channel_deal_lock_customer'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION channel.deal_lock_customer(text, text) IS
  'Takes, until the end of the transaction, the advisory lock every registration in this country and product line takes before its conflict lookup.';

-- ---------------------------------------------------------------------------
-- The deal a lifecycle function acts on, authorized for the caller.
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.deal_for_action(deal_id bigint, action text, vendor_only boolean)
RETURNS channel.deal
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
  owner bigint;
  d channel.deal;
BEGIN
  IF deal_for_action.deal_id IS NULL THEN
    RAISE EXCEPTION 'deal_id must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = pg_catalog.format('Pass the deal_id of the registration (to %s).', action);
  END IF;
  IF vendor_only AND me IS NOT NULL THEN
    RAISE EXCEPTION 'only channel managers can %', action
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The caller acts for a partner.',
            HINT = 'Ask your channel manager.';
  END IF;
  -- ownership before the row lock: a partner must not be able to make
  -- another partner's deal wait, or learn it exists by waiting on it
  SELECT dl.partner_id INTO owner FROM channel.deal dl WHERE dl.deal_id = deal_for_action.deal_id;
  IF NOT FOUND OR (me IS NOT NULL AND owner IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'deal % does not exist', deal_for_action.deal_id
      USING ERRCODE = 'no_data_found',
            HINT = CASE WHEN me IS NULL THEN 'Pass the deal_id of a row of channel.deal.'
                        ELSE 'Pass the deal_id of one of your own registrations.' END;
  END IF;
  SELECT * INTO d FROM channel.deal dl WHERE dl.deal_id = deal_for_action.deal_id FOR UPDATE;
  RETURN d;
END
$$;
COMMENT ON FUNCTION channel.deal_for_action(bigint, text, boolean) IS
  'Internal: the deal row, locked, after checking the caller may act on it (the same "does not exist" for a missing deal and another partner''s).';

CREATE FUNCTION channel.deal_illegal_transition(d channel.deal, action text, hint text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION 'cannot % deal %: it is %', action, d.deal_id, d.status
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = pg_catalog.format('Deal %s has status %s.', d.deal_id, d.status),
          HINT = hint;
END
$$;
COMMENT ON FUNCTION channel.deal_illegal_transition(channel.deal, text, text) IS
  'Internal: raises the error for a lifecycle action the deal''s status does not allow.';

-- ---------------------------------------------------------------------------
-- Registering
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.register_deal(partner_id bigint, customer_name text, customer_country text,
                                      product_line text, amount numeric, expected_close date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
  registrant bigint := coalesce(register_deal.partner_id, me);
  p record;
  new_id bigint;
BEGIN
  IF me IS NOT NULL AND register_deal.partner_id IS DISTINCT FROM me AND register_deal.partner_id IS NOT NULL THEN
    RAISE EXCEPTION 'a partner registers deals for itself only'
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Pass your own partner_id, or NULL.';
  END IF;
  IF customer_name IS NULL OR expected_close IS NULL OR amount IS NULL
     OR customer_country IS NULL OR register_deal.product_line IS NULL THEN
    RAISE EXCEPTION 'customer_name, customer_country, product_line, amount and expected_close are required'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'A registration names the end customer, its country, the product line, the expected value and close date.';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.country c WHERE c.code = customer_country) THEN
    RAISE EXCEPTION 'unknown country code "%"', customer_country
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use an ISO 3166-1 alpha-2 code in upper case, e.g. FR.';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.product_line pl WHERE pl.code = register_deal.product_line AND pl.active) THEN
    RAISE EXCEPTION 'unknown or retired product line "%"', register_deal.product_line
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use the code of an active row of channel.product_line.';
  END IF;
  IF amount < 0 THEN
    RAISE EXCEPTION 'amount must not be negative'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('amount was %s.', amount),
            HINT = 'Register the expected deal value, 0 or more.';
  END IF;
  IF expected_close < current_date THEN
    RAISE EXCEPTION 'expected close date is in the past'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Register opportunities that are still open.';
  END IF;
  IF registrant IS NOT NULL THEN
    SELECT pt.status, EXISTS (SELECT 1 FROM channel.partner_product pp
                              WHERE pp.partner_id = pt.partner_id AND pp.product_line = register_deal.product_line) AS authorized
      INTO p FROM channel.partner pt WHERE pt.partner_id = registrant;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'partner % does not exist', registrant
        USING ERRCODE = 'no_data_found', HINT = 'Pass the partner_id of a row of channel.partner, or NULL for direct sales.';
    END IF;
    IF p.status <> 'active' THEN
      RAISE EXCEPTION 'partner % cannot register deals: it is %', registrant, p.status
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Only active partners register deals.';
    END IF;
    IF NOT p.authorized THEN
      RAISE EXCEPTION 'partner % is not authorized for product line %', registrant, register_deal.product_line
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Register opportunities of your authorized product lines, or ask for the authorization.';
    END IF;
  END IF;

  INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
  VALUES (registrant, customer_name, customer_country, register_deal.product_line, amount, expected_close)
  RETURNING deal_id INTO new_id;
  RETURN new_id;
END
$$;
COMMENT ON FUNCTION channel.register_deal(bigint, text, text, text, numeric, date) IS
  'Registers an opportunity for an active partner authorized for the product line (a partner passes its own id or NULL; the vendor NULL for direct sales). Returns the deal_id; the deal is submitted, or conflict when it collides with another registrant''s live registration (policy flag), or the call fails with CH001 (policy reject).';

-- ---------------------------------------------------------------------------
-- Lifecycle
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.approve_deal(deal_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  d channel.deal := channel.deal_for_action(approve_deal.deal_id, 'approve deals', true);
BEGIN
  IF d.status = 'conflict' THEN
    PERFORM channel.deal_illegal_transition(d, 'approve', 'Settle the conflict with channel.resolve_conflict() first.');
  ELSIF d.status <> 'submitted' THEN
    PERFORM channel.deal_illegal_transition(d, 'approve', 'Only submitted registrations are approved.');
  END IF;
  IF d.protected_until <= now() THEN
    RAISE EXCEPTION 'cannot approve deal %: its protection window ended at %', d.deal_id, d.protected_until
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Run channel.expire_deals(); the partner may register the opportunity again.';
  END IF;
  UPDATE channel.deal dl SET status = 'approved', decided_at = now(), status_reason = 'approved'
  WHERE dl.deal_id = d.deal_id;
END
$$;
COMMENT ON FUNCTION channel.approve_deal(bigint) IS
  'Channel managers: approves a submitted registration still in its protection window (a conflict is settled with resolve_conflict instead).';

CREATE FUNCTION channel.reject_deal(deal_id bigint, reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  d channel.deal := channel.deal_for_action(reject_deal.deal_id, 'reject deals', true);
BEGIN
  IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
    RAISE EXCEPTION 'a rejection needs a reason'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Say why, e.g. ''duplicate'' or ''direct account''.';
  END IF;
  IF d.status NOT IN ('submitted', 'conflict', 'approved') THEN
    PERFORM channel.deal_illegal_transition(d, 'reject', 'Only live registrations (submitted, conflict, approved) are rejected.');
  END IF;
  UPDATE channel.deal dl SET status = 'rejected', decided_at = now(), status_reason = reason
  WHERE dl.deal_id = d.deal_id;
  UPDATE channel.deal_conflict c SET resolved_at = now()
  WHERE (c.deal_id = d.deal_id OR c.other_deal_id = d.deal_id) AND c.resolved_at IS NULL;
END
$$;
COMMENT ON FUNCTION channel.reject_deal(bigint, text) IS
  'Channel managers: rejects a live registration with a reason (closing its open conflicts).';

CREATE FUNCTION channel.extend_deal(deal_id bigint, days integer DEFAULT NULL) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  d channel.deal := channel.deal_for_action(extend_deal.deal_id, 'extend deals', false);
  max_extensions integer := pg_catalog.current_setting('channel.deal_max_extensions')::integer;
  step integer := coalesce(days, pg_catalog.current_setting('channel.deal_extension_days')::integer);
  new_end timestamptz;
BEGIN
  IF step < 1 OR step > 365 THEN
    RAISE EXCEPTION 'an extension is 1 to 365 days, not %', step
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass days between 1 and 365, or NULL for the default.';
  END IF;
  IF d.status <> 'approved' THEN
    PERFORM channel.deal_illegal_transition(d, 'extend', 'Only approved registrations are extended.');
  END IF;
  IF d.protected_until <= now() THEN
    RAISE EXCEPTION 'cannot extend deal %: its protection ended at %', d.deal_id, d.protected_until
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Register the opportunity again.';
  END IF;
  IF d.extension_count >= max_extensions THEN
    RAISE EXCEPTION 'deal % has been extended % times already', d.deal_id, d.extension_count
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('At most %s extensions are allowed (channel.deal_max_extensions).', max_extensions),
            HINT = 'Close the deal, or ask your channel manager.';
  END IF;
  UPDATE channel.deal dl
  SET protected_until = dl.protected_until + pg_catalog.make_interval(days => step),
      extension_count = dl.extension_count + 1
  WHERE dl.deal_id = d.deal_id
  RETURNING dl.protected_until INTO new_end;
  -- not a status change, so the history trigger does not see it
  INSERT INTO channel.deal_event (deal_id, from_status, to_status, reason)
  VALUES (d.deal_id, d.status, d.status,
          pg_catalog.format('protection extended by %s days (extension %s of %s)', step, d.extension_count + 1, max_extensions));
  RETURN new_end;
END
$$;
COMMENT ON FUNCTION channel.extend_deal(bigint, integer) IS
  'Extends an approved registration''s protection by days (default channel.deal_extension_days), at most channel.deal_max_extensions times; returns the new end. Partners extend their own.';

CREATE FUNCTION channel.close_deal(deal_id bigint, won boolean, amount numeric DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  d channel.deal := channel.deal_for_action(close_deal.deal_id, 'close deals', false);
BEGIN
  IF won IS NULL THEN
    RAISE EXCEPTION 'won must be true or false'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Say whether the deal was won.';
  END IF;
  IF amount < 0 THEN
    RAISE EXCEPTION 'amount must not be negative'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the final deal value, or NULL to keep the registered one.';
  END IF;
  IF d.status <> 'approved' THEN
    PERFORM channel.deal_illegal_transition(d, 'close', 'Only approved registrations are closed as won or lost.');
  END IF;
  UPDATE channel.deal dl
  SET status = CASE WHEN won THEN 'won' ELSE 'lost' END::channel.deal_status,
      closed_at = now(), amount = coalesce(close_deal.amount, dl.amount),
      status_reason = CASE WHEN won THEN 'won' ELSE 'lost' END
  WHERE dl.deal_id = d.deal_id;
END
$$;
COMMENT ON FUNCTION channel.close_deal(bigint, boolean, numeric) IS
  'Closes an approved registration as won or lost, optionally with its final amount. Partners close their own.';

CREATE FUNCTION channel.resolve_conflict(winner_deal_id bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  w channel.deal := channel.deal_for_action(winner_deal_id, 'resolve conflicts', true);
  losers bigint[];
  n integer;
BEGIN
  SELECT array_agg(DISTINCT CASE WHEN c.deal_id = w.deal_id THEN c.other_deal_id ELSE c.deal_id END)
    INTO losers
  FROM channel.deal_conflict c
  WHERE (c.deal_id = w.deal_id OR c.other_deal_id = w.deal_id) AND c.resolved_at IS NULL;
  IF losers IS NULL THEN
    RAISE EXCEPTION 'deal % has no open conflict', w.deal_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Open conflicts are listed in channel.deal_conflict where resolved_at IS NULL.';
  END IF;
  IF w.status NOT IN ('submitted', 'approved', 'conflict') THEN
    PERFORM channel.deal_illegal_transition(w, 'make the winner of a conflict', 'The winner must be a live registration.');
  END IF;
  IF w.protected_until <= now() THEN
    RAISE EXCEPTION 'cannot make deal % the winner: its protection window ended at %', w.deal_id, w.protected_until
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Choose a registration still in its window, or reject both.';
  END IF;

  -- lock the other registrations in a fixed order, then settle
  PERFORM 1 FROM channel.deal dl WHERE dl.deal_id = ANY (losers) ORDER BY dl.deal_id FOR UPDATE;
  UPDATE channel.deal dl
  SET status = 'rejected', decided_at = now(), status_reason = 'conflict resolved in favour of another registration'
  WHERE dl.deal_id = ANY (losers) AND dl.status IN ('submitted', 'approved', 'conflict');
  GET DIAGNOSTICS n = ROW_COUNT;
  IF w.status <> 'approved' THEN
    UPDATE channel.deal dl SET status = 'approved', decided_at = now(), status_reason = 'won the conflict'
    WHERE dl.deal_id = w.deal_id;
  END IF;
  UPDATE channel.deal_conflict c SET resolved_at = now(), winner_deal_id = w.deal_id
  WHERE (c.deal_id = w.deal_id OR c.other_deal_id = w.deal_id) AND c.resolved_at IS NULL;
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.resolve_conflict(bigint) IS
  'Channel managers: settles every open conflict of a registration in its favour -- it becomes approved, the live registrations it collided with are rejected. Returns how many were rejected.';

CREATE FUNCTION channel.expire_deals() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  n integer;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only channel managers can expire deals'
      USING ERRCODE = 'insufficient_privilege', DETAIL = 'The caller acts for a partner.',
            HINT = 'Schedule channel.expire_deals() as the vendor (pg_cron).';
  END IF;
  -- registrations in these countries and lines wait until this commits, so
  -- none is checked against a deal that is about to stop being live
  PERFORM channel.deal_lock_customer(s.customer_country, s.product_line)
  FROM (SELECT DISTINCT dl.customer_country, dl.product_line FROM channel.deal dl
        WHERE dl.status IN ('submitted', 'approved', 'conflict') AND dl.protected_until <= now()
        ORDER BY 1, 2) s;
  UPDATE channel.deal dl SET status = 'expired', status_reason = 'protection ended'
  WHERE dl.status IN ('submitted', 'approved', 'conflict') AND dl.protected_until <= now();
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.expire_deals() IS
  'Vendor / pg_cron: every live registration whose protection has ended becomes expired. Returns how many.';

-- ===== src/sql/20_scoring.sql =====
-- 20_scoring.sql: rule-based lead scoring (doc/leads.md).
--
-- Rules are data: channel.scoring_rule says which attribute of a lead to
-- test, how, against what, and how many points a match is worth.  The score
-- is the sum of the points of the matching active rules, clamped to 0..100,
-- computed in C (src/scoring_sql.c over src/core/scoring.c) from rules cached
-- per backend and reloaded whenever the table changes.

CREATE TABLE channel.scoring_rule (
  rule_id     bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  attribute   text NOT NULL
              CONSTRAINT scoring_rule_attribute_valid
              CHECK (attribute IN ('source', 'campaign', 'industry', 'country', 'region', 'product_line',
                                   'authority', 'need', 'employees', 'budget', 'timeline_days')),
  operator    text NOT NULL
              CONSTRAINT scoring_rule_operator_valid
              CHECK (operator IN ('=', '<>', '<', '<=', '>', '>=', 'in', 'is_null')),
  value       text,
  points      integer NOT NULL
              CONSTRAINT scoring_rule_points_range CHECK (points BETWEEN -100 AND 100),
  active      boolean NOT NULL DEFAULT true,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT scoring_rule_value_given
    CHECK ((operator = 'is_null') = (value IS NULL)),
  CONSTRAINT scoring_rule_order_needs_number
    CHECK (operator NOT IN ('<', '<=', '>', '>=') OR attribute IN ('employees', 'budget', 'timeline_days')),
  CONSTRAINT scoring_rule_list_needs_text
    CHECK (operator <> 'in' OR attribute NOT IN ('employees', 'budget', 'timeline_days')),
  CONSTRAINT scoring_rule_number_value
    CHECK (attribute NOT IN ('employees', 'budget', 'timeline_days') OR value IS NULL
           OR value ~ '^-?[0-9]{1,15}(\.[0-9]{1,6})?$'),
  CONSTRAINT scoring_rule_list_value
    CHECK (operator <> 'in' OR value ~ '^\s*[^,\s][^,]*(,\s*[^,\s][^,]*)*$'),
  CONSTRAINT scoring_rule_value_not_blank
    CHECK (value IS NULL OR btrim(value) <> '')
);
COMMENT ON TABLE channel.scoring_rule IS
  'Lead scoring rules, kept as data a channel manager edits: a lead scores the sum of the points of the active rules it matches, clamped to 0..100. Rules with a negative rule_id ship with the extension (switch them off with channel.shipped_scoring_rules = off).';
COMMENT ON COLUMN channel.scoring_rule.rule_id IS
  'Surrogate key; negative for the rules shipped with the extension (read-only, restored by CREATE EXTENSION), positive for yours.';
COMMENT ON COLUMN channel.scoring_rule.attribute IS
  'Lead column tested: source, campaign, industry, country, region, product_line, authority, need (text) or employees, budget, timeline_days (numbers).';
COMMENT ON COLUMN channel.scoring_rule.operator IS
  '=, <> (any attribute); <, <=, >, >= (numbers only); in (text, value is a comma-separated list); is_null (value NULL). A NULL attribute matches only is_null.';
COMMENT ON COLUMN channel.scoring_rule.value IS 'What the attribute is compared with: text, a decimal number, or a comma-separated list for in; NULL for is_null.';
COMMENT ON COLUMN channel.scoring_rule.points IS 'Points added when the rule matches, -100 to 100.';
COMMENT ON COLUMN channel.scoring_rule.active IS 'Only active rules count.';
COMMENT ON COLUMN channel.scoring_rule.description IS 'Why the rule exists, for the people who maintain the rules.';
COMMENT ON COLUMN channel.scoring_rule.created_at IS 'When the rule was added.';

-- The shipped rules: a BANT-style baseline (authority, need, budget,
-- timeline) plus the lead source.  A fully qualified lead reaches 100.
INSERT INTO channel.scoring_rule (rule_id, attribute, operator, value, points, description) VALUES
  (-1,  'authority',     '=',  'decision_maker', 25, 'BANT Authority: the contact decides.'),
  (-2,  'authority',     '=',  'influencer',     10, 'BANT Authority: the contact influences the decision.'),
  (-3,  'need',          '=',  'high',           25, 'BANT Need: urgent.'),
  (-4,  'need',          '=',  'medium',         10, 'BANT Need: real but not urgent.'),
  (-5,  'budget',        '>=', '50000',          15, 'BANT Budget: a stated budget of 50k or more.'),
  (-6,  'budget',        '>=', '200000',         10, 'BANT Budget: 200k or more (adds to the 50k rule).'),
  (-7,  'timeline_days', '<=', '90',             15, 'BANT Timeline: buying within a quarter.'),
  (-8,  'source',        'in', 'referral, partner, inbound_call', 10, 'Warm sources convert best.'),
  (-9,  'source',        '=',  'purchased_list', -10, 'Cold purchased lists convert worst.'),
  (-10, 'employees',     '>=', '1000',            5, 'Enterprise accounts.');

-- Only your rules are dumped: the shipped ones come back with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('channel.scoring_rule', 'WHERE rule_id > 0');
SELECT pg_catalog.pg_extension_config_dump('channel.scoring_rule_rule_id_seq', '');

CREATE FUNCTION channel.scoring_rule_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    RAISE EXCEPTION 'rule_id % is reserved for shipped scoring rules', NEW.rule_id
      USING ERRCODE = 'check_violation',
            DETAIL = 'Negative rule ids belong to the rules the extension ships.',
            HINT = 'Leave rule_id out: it is generated.';
  END IF;
  RAISE EXCEPTION 'scoring rule % ships with the extension and is read-only', OLD.rule_id
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = 'Shipped rules are restored by CREATE EXTENSION, so changes to them would not survive pg_dump.',
          HINT = 'Add rules of your own, and SET channel.shipped_scoring_rules = off (e.g. ALTER DATABASE ... SET) to score without the shipped ones.';
END
$$;
COMMENT ON FUNCTION channel.scoring_rule_guard() IS
  'Trigger: keeps the shipped scoring rules (negative rule_id) read-only and their ids reserved.';
CREATE TRIGGER scoring_rule_guard_insert
  BEFORE INSERT ON channel.scoring_rule
  FOR EACH ROW WHEN (NEW.rule_id < 0)
  EXECUTE FUNCTION channel.scoring_rule_guard();
CREATE TRIGGER scoring_rule_guard_change
  BEFORE UPDATE OR DELETE ON channel.scoring_rule
  FOR EACH ROW WHEN (OLD.rule_id < 0)
  EXECUTE FUNCTION channel.scoring_rule_guard();
COMMENT ON TRIGGER scoring_rule_guard_insert ON channel.scoring_rule IS 'Reserves negative rule ids for shipped rules.';
COMMENT ON TRIGGER scoring_rule_guard_change ON channel.scoring_rule IS 'Keeps shipped rules read-only.';

CREATE FUNCTION channel.scoring_rule_changed() RETURNS trigger
AS 'MODULE_PATHNAME', 'channel_scoring_rule_changed'
LANGUAGE C;
COMMENT ON FUNCTION channel.scoring_rule_changed() IS
  'Trigger: tells every backend to reload its cached scoring rules (a relcache invalidation of channel.scoring_rule, sent at commit).';
CREATE TRIGGER scoring_rule_changed
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON channel.scoring_rule
  FOR EACH STATEMENT EXECUTE FUNCTION channel.scoring_rule_changed();
COMMENT ON TRIGGER scoring_rule_changed ON channel.scoring_rule IS
  'Invalidates the scoring rule caches; see channel.scoring_rule_changed().';

CREATE FUNCTION channel.score_lead(l channel.lead) RETURNS integer
AS 'MODULE_PATHNAME', 'channel_score_lead'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.score_lead(channel.lead) IS
  'Score of a lead, 0..100: the sum of the points of the active channel.scoring_rule rules it matches (the shipped ones only while channel.shipped_scoring_rules is on), clamped. C, rules cached per backend.';

CREATE FUNCTION channel.lead_score_on_insert() RETURNS trigger
AS 'MODULE_PATHNAME', 'channel_lead_score_on_insert'
LANGUAGE C;
COMMENT ON FUNCTION channel.lead_score_on_insert() IS
  'Trigger: scores a new lead inserted without a score (channel.score_lead).';
CREATE TRIGGER lead_score_on_insert
  BEFORE INSERT ON channel.lead
  FOR EACH ROW WHEN (NEW.score IS NULL)
  EXECUTE FUNCTION channel.lead_score_on_insert();
COMMENT ON TRIGGER lead_score_on_insert ON channel.lead IS
  'Scores new leads that come without a score; see channel.lead_score_on_insert().';

CREATE FUNCTION channel.rescore_leads() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  n integer;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'permission denied for function rescore_leads'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Rescoring leads is a vendor action.',
            HINT = 'Ask a channel manager.';
  END IF;
  UPDATE channel.lead ld SET score = channel.score_lead(ld)
  WHERE ld.score IS DISTINCT FROM channel.score_lead(ld);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.rescore_leads() IS
  'Vendor: rescores every lead with the current rules (after rules change); returns how many scores changed.';

-- ---------------------------------------------------------------------------
-- Learned scoring: a naive Bayes model of converted vs lost leads, per
-- product line, trained from the leads' own history by train_scoring().
-- ---------------------------------------------------------------------------

-- The attributes the model looks at, as (attribute, value) pairs: the
-- categorical ones as they are ('(none)' for NULL), the numbers in bands.
CREATE FUNCTION channel.lead_features(l channel.lead)
RETURNS TABLE (attribute text, value text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT f.attribute, coalesce(f.value, '(none)')
  FROM (VALUES
    ('source', l.source),
    ('industry', l.industry),
    ('authority', l.authority),
    ('need', l.need),
    ('region', l.region::text),
    ('employees', CASE WHEN l.employees < 50 THEN '<50' WHEN l.employees < 250 THEN '50-249'
                       WHEN l.employees < 1000 THEN '250-999' WHEN l.employees >= 1000 THEN '1000+' END),
    ('budget', CASE WHEN l.budget < 10000 THEN '<10k' WHEN l.budget < 50000 THEN '10k-50k'
                    WHEN l.budget < 200000 THEN '50k-200k' WHEN l.budget >= 200000 THEN '200k+' END),
    ('timeline', CASE WHEN l.timeline_days <= 30 THEN '<=30d' WHEN l.timeline_days <= 90 THEN '31-90d'
                      WHEN l.timeline_days <= 180 THEN '91-180d' WHEN l.timeline_days > 180 THEN '>180d' END)
  ) AS f(attribute, value)
$$;
COMMENT ON FUNCTION channel.lead_features(channel.lead) IS
  'The (attribute, value) pairs the win-probability model uses: source, industry, authority, need, region, and employees, budget and timeline in bands; NULL is ''(none)''.';

CREATE TABLE channel.win_model_line (
  product_line channel.product_code PRIMARY KEY REFERENCES channel.product_line (code) ON DELETE CASCADE,
  wins         integer NOT NULL CHECK (wins >= 0),
  losses       integer NOT NULL CHECK (losses >= 0),
  trained_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE channel.win_model_line IS
  'Win-probability model, per product line: how many converted (wins) and lost (losses) leads it was trained on. Written by channel.train_scoring().';
COMMENT ON COLUMN channel.win_model_line.product_line IS 'The product line.';
COMMENT ON COLUMN channel.win_model_line.wins IS 'Converted leads of the line in the training set.';
COMMENT ON COLUMN channel.win_model_line.losses IS 'Lost leads of the line in the training set.';
COMMENT ON COLUMN channel.win_model_line.trained_at IS 'When the model was trained.';
SELECT pg_catalog.pg_extension_config_dump('channel.win_model_line', '');

CREATE TABLE channel.win_model (
  product_line channel.product_code NOT NULL REFERENCES channel.win_model_line (product_line) ON DELETE CASCADE,
  attribute    text NOT NULL,
  value        text NOT NULL,
  wins         integer NOT NULL CHECK (wins >= 0),
  losses       integer NOT NULL CHECK (losses >= 0),
  PRIMARY KEY (product_line, attribute, value)
);
COMMENT ON TABLE channel.win_model IS
  'Win-probability model: per product line, attribute and value, how many of the training leads with that value were converted (wins) and lost (losses).';
COMMENT ON COLUMN channel.win_model.product_line IS 'The product line.';
COMMENT ON COLUMN channel.win_model.attribute IS 'Attribute, as named by channel.lead_features().';
COMMENT ON COLUMN channel.win_model.value IS 'Value or band of the attribute.';
COMMENT ON COLUMN channel.win_model.wins IS 'Converted training leads with this value.';
COMMENT ON COLUMN channel.win_model.losses IS 'Lost training leads with this value.';
SELECT pg_catalog.pg_extension_config_dump('channel.win_model', '');

-- The model holds counts over every partner's leads, none of one partner's
-- rows: it is written by train_scoring() and read through
-- lead_win_probability() (both SECURITY DEFINER); channel managers and
-- analysts may read the tables too (40_security.sql), partners may not.  Row-level security is on and forced like on every other
-- non-reference table, with one policy letting through whoever holds the
-- table privileges.
ALTER TABLE channel.win_model_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.win_model_line FORCE ROW LEVEL SECURITY;
ALTER TABLE channel.win_model ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.win_model FORCE ROW LEVEL SECURITY;
CREATE POLICY win_model_line_privileged ON channel.win_model_line FOR ALL USING (true) WITH CHECK (true);
CREATE POLICY win_model_privileged ON channel.win_model FOR ALL USING (true) WITH CHECK (true);
COMMENT ON POLICY win_model_line_privileged ON channel.win_model_line IS
  'No partner rows here: table privileges decide access (SELECT for channel_admin and channel_analyst); use channel.lead_win_probability() and channel.train_scoring().';
COMMENT ON POLICY win_model_privileged ON channel.win_model IS
  'No partner rows here: table privileges decide access (SELECT for channel_admin and channel_analyst); use channel.lead_win_probability() and channel.train_scoring().';

-- P(converted | features) by naive Bayes with Laplace smoothing (+1 on every
-- count; an attribute with k values seen in training has k + 1 slots, one
-- for values never seen).  Fallbacks when history is thin: a line trained on
-- fewer than 30 closed leads gives its smoothed base rate (wins + 1) /
-- (wins + losses + 2); a line without a model gives the base rate over all
-- lines; no model at all gives 0.5.
CREATE FUNCTION channel.lead_win_probability(l channel.lead) RETURNS float8
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, channel, pg_temp
AS $$
  WITH m AS (
    SELECT ml.wins::float8 AS w, ml.losses::float8 AS n FROM channel.win_model_line ml
    WHERE ml.product_line = l.product_line
  ), terms AS (
    SELECT ln((coalesce(f.wins, 0) + 1.0) / (m.w + k.k)) - ln((coalesce(f.losses, 0) + 1.0) / (m.n + k.k)) AS t
    FROM m
    CROSS JOIN channel.lead_features(l) lf
    CROSS JOIN LATERAL (SELECT count(*) + 1.0 AS k FROM channel.win_model x
                        WHERE x.product_line = l.product_line AND x.attribute = lf.attribute) k
    LEFT JOIN channel.win_model f
           ON f.product_line = l.product_line AND f.attribute = lf.attribute AND f.value = lf.value
  )
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM m) THEN
      coalesce((SELECT (sum(ml.wins) + 1.0) / (sum(ml.wins) + sum(ml.losses) + 2.0) FROM channel.win_model_line ml
                HAVING count(*) > 0), 0.5)
    WHEN (SELECT m.w + m.n FROM m) < 30 THEN
      (SELECT (m.w + 1.0) / (m.w + m.n + 2.0) FROM m)
    ELSE
      (SELECT 1.0 / (1.0 + exp(-(ln((m.w + 1.0) / (m.n + 1.0)) + (SELECT sum(terms.t) FROM terms)))) FROM m)
    END
$$;
COMMENT ON FUNCTION channel.lead_win_probability(channel.lead) IS
  'Probability that a lead converts, 0..1, from the naive Bayes model trained by channel.train_scoring() for its product line (Laplace-smoothed); falls back to the line''s base rate under 30 closed training leads, to the base rate over all lines for an untrained line, and to 0.5 with no model.';

CREATE FUNCTION channel.train_scoring(holdout_share float8 DEFAULT 0.2, seed bigint DEFAULT 1)
RETURNS TABLE (product_line text, trained_on bigint, held_back bigint, base_rate float8, auc float8)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'permission denied for function train_scoring'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Training the win-probability model is a vendor action.',
            HINT = 'Ask a channel manager.';
  END IF;
  IF holdout_share IS NULL OR holdout_share < 0 OR holdout_share >= 1 THEN
    RAISE EXCEPTION 'holdout_share must be at least 0 and below 1'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = pg_catalog.format('Got %s.', coalesce(holdout_share::text, 'NULL')),
            HINT = 'Hold back e.g. 0.2 to measure the model, then train on everything with 0.';
  END IF;
  IF seed IS NULL THEN
    RAISE EXCEPTION 'seed must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Any integer picks a repeatable hold-back set.';
  END IF;

  CREATE TEMP TABLE train_scoring_split ON COMMIT DROP AS
  SELECT ld.lead_id, ld.product_line::text AS line, ld.status = 'converted' AS won,
         channel.det_random(seed, 4242, ld.lead_id) < holdout_share AS held
  FROM channel.lead ld WHERE ld.status IN ('converted', 'lost');

  DELETE FROM channel.win_model_line;
  INSERT INTO channel.win_model_line (product_line, wins, losses)
  SELECT s.line, count(*) FILTER (WHERE s.won), count(*) FILTER (WHERE NOT s.won)
  FROM train_scoring_split s WHERE NOT s.held GROUP BY s.line;
  INSERT INTO channel.win_model (product_line, attribute, value, wins, losses)
  SELECT s.line, f.attribute, f.value, count(*) FILTER (WHERE s.won), count(*) FILTER (WHERE NOT s.won)
  FROM train_scoring_split s
  JOIN channel.lead ld ON ld.lead_id = s.lead_id
  CROSS JOIN LATERAL channel.lead_features(ld) f
  WHERE NOT s.held
  GROUP BY s.line, f.attribute, f.value;

  -- AUC on the held-back leads: the chance that a converted lead ranks
  -- above a lost one (ties count half), from the Mann-Whitney rank sum
  RETURN QUERY
  WITH scored AS (
    SELECT s.line, s.won, channel.lead_win_probability(ld) AS p
    FROM train_scoring_split s JOIN channel.lead ld ON ld.lead_id = s.lead_id
    WHERE s.held
  ), ranked AS (
    SELECT sc.line, sc.won, rank() OVER w + (count(*) OVER (PARTITION BY sc.line, sc.p) - 1) / 2.0 AS r
    FROM scored sc WINDOW w AS (PARTITION BY sc.line ORDER BY sc.p)
  ), auc AS (
    SELECT rk.line,
           (sum(rk.r) FILTER (WHERE rk.won) - count(*) FILTER (WHERE rk.won) * (count(*) FILTER (WHERE rk.won) + 1) / 2.0)
           / nullif(count(*) FILTER (WHERE rk.won) * count(*) FILTER (WHERE NOT rk.won), 0) AS auc
    FROM ranked rk GROUP BY rk.line
  )
  SELECT ml.product_line::text,
         (ml.wins + ml.losses)::bigint,
         (SELECT count(*) FROM train_scoring_split s WHERE s.held AND s.line = ml.product_line),
         ((ml.wins + 1.0) / (ml.wins + ml.losses + 2.0))::float8,
         round(a.auc::numeric, 3)::float8
  FROM channel.win_model_line ml LEFT JOIN auc a ON a.line = ml.product_line
  ORDER BY 1;
  DROP TABLE train_scoring_split;
END
$$;
COMMENT ON FUNCTION channel.train_scoring(float8, bigint) IS
  'Vendor: retrains the win-probability model from converted vs lost leads, holding back holdout_share of them (chosen by seed, repeatable); returns per product line the training size, the held-back size, the smoothed base rate and the AUC of lead_win_probability() on the held-back leads (NULL when they are not both won and lost). Train with holdout_share = 0 to use all history.';

-- ===== src/sql/21_routing.sql =====
-- 21_routing.sql: lead routing, partner actions on leads, SLA recall
-- (doc/leads.md).
--
-- Routing is C (src/routing_sql.c over src/core/routing.c); the partner
-- actions are PL/pgSQL.  Every status change is recorded in
-- channel.lead_event by the history trigger of 03_leads.sql, which copies
-- the lead's status_reason: each action below sets status_reason to what the
-- event should say.
--
-- Settings (GUCs, set per database with ALTER DATABASE ... SET):
--   channel.routing_policy      round_robin | lottery
--   channel.routing_seed        seed of the lottery
--   channel.sla_hours           'registered=24, silver=36, gold=48, platinum=72'
--   channel.lottery_weights     'registered=1, silver=2, gold=4, platinum=8'
--   channel.min_tier_by_score   '60=silver, 85=gold'

CREATE TABLE channel.reject_reason (
  code        text PRIMARY KEY
              CONSTRAINT reject_reason_code_format CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  description text NOT NULL CONSTRAINT reject_reason_description_not_blank CHECK (btrim(description) <> ''),
  active      boolean NOT NULL DEFAULT true,
  shipped     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE channel.reject_reason IS
  'Codes a partner gives when it rejects a lead (channel.reject_lead). Shipped codes are read-only; add your own.';
COMMENT ON COLUMN channel.reject_reason.code IS 'Short lower-case code, e.g. no_capacity.';
COMMENT ON COLUMN channel.reject_reason.description IS 'What the code means, for partners choosing one.';
COMMENT ON COLUMN channel.reject_reason.active IS 'Only active codes may be given.';
COMMENT ON COLUMN channel.reject_reason.shipped IS 'True for the codes the extension ships (restored by CREATE EXTENSION, not dumped).';
INSERT INTO channel.reject_reason (code, description, shipped) VALUES
  ('no_capacity', 'We cannot take on another lead now.', true),
  ('out_of_territory', 'The customer is outside the territory we serve.', true),
  ('not_qualified', 'The lead is not a real opportunity (no need, wrong contact, student, ...).', true),
  ('duplicate', 'We already work this customer or received this lead before.', true),
  ('no_budget', 'The customer has no budget for the product.', true);
SELECT pg_catalog.pg_extension_config_dump('channel.reject_reason', 'WHERE NOT shipped');

CREATE FUNCTION channel.reject_reason_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    RAISE EXCEPTION 'reject reason "%" cannot be marked shipped', NEW.code
      USING ERRCODE = 'check_violation',
            DETAIL = 'Only the codes the extension installs are shipped.',
            HINT = 'Leave shipped out (false).';
  END IF;
  RAISE EXCEPTION 'reject reason "%" ships with the extension and is read-only', OLD.code
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = 'Shipped codes are restored by CREATE EXTENSION, so changes to them would not survive pg_dump.',
          HINT = 'Add a code of your own.';
END
$$;
COMMENT ON FUNCTION channel.reject_reason_guard() IS
  'Trigger: keeps the shipped reject reason codes read-only.';
CREATE TRIGGER reject_reason_guard_insert
  BEFORE INSERT ON channel.reject_reason
  FOR EACH ROW WHEN (NEW.shipped)
  EXECUTE FUNCTION channel.reject_reason_guard();
CREATE TRIGGER reject_reason_guard_change
  BEFORE UPDATE OR DELETE ON channel.reject_reason
  FOR EACH ROW WHEN (OLD.shipped)
  EXECUTE FUNCTION channel.reject_reason_guard();
COMMENT ON TRIGGER reject_reason_guard_insert ON channel.reject_reason IS 'Only the extension installs shipped codes.';
COMMENT ON TRIGGER reject_reason_guard_change ON channel.reject_reason IS 'Keeps shipped codes read-only.';

-- ---------------------------------------------------------------- routing

CREATE FUNCTION channel.partner_fit(l channel.lead, p channel.partner) RETURNS float4
AS 'MODULE_PATHNAME', 'channel_partner_fit'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.partner_fit(channel.lead, channel.partner) IS
  'How well partner p fits lead l, 0..1 (0 when p is not eligible): 0.30 territory (country 1, region 0.6) + 0.15 best valid certification on the line + 0.15 tier + 0.15 smoothed conversion rate + 0.10 smoothed acceptance rate + 0.15 free capacity; rounded to 0.001.';

CREATE FUNCTION channel.partner_ineligibility(l channel.lead, p channel.partner) RETURNS text
AS 'MODULE_PATHNAME', 'channel_partner_ineligibility'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.partner_ineligibility(channel.lead, channel.partner) IS
  'Why partner p may not receive lead l (the first hard rule it fails), or NULL when it is eligible.';

CREATE FUNCTION channel.route_leads(max_leads integer DEFAULT NULL)
RETURNS TABLE (lead_id bigint, partner_id bigint)
AS 'MODULE_PATHNAME', 'channel_route_leads'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp;
COMMENT ON FUNCTION channel.route_leads(integer) IS
  'Vendor: routes the new leads (up to max_leads, oldest id first; leads locked by another transaction are skipped) to the best-fitting eligible partner, or to the pool; returns each lead with its partner (NULL = pooled).';

CREATE FUNCTION channel.route_lead(lead_id bigint) RETURNS bigint
AS 'MODULE_PATHNAME', 'channel_route_lead'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp;
COMMENT ON FUNCTION channel.route_lead(bigint) IS
  'Vendor: routes one new, rejected, recalled or pooled lead; returns the partner, or NULL when the lead went to the pool.';

CREATE FUNCTION channel.reroute_leads(lead_ids bigint[])
RETURNS TABLE (lead_id bigint, partner_id bigint)
AS 'MODULE_PATHNAME', 'channel_reroute_leads'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp;
COMMENT ON FUNCTION channel.reroute_leads(bigint[]) IS
  'Internal (reject_lead, recall_overdue_leads): routes again the listed leads that are new, rejected, recalled or pooled, never to a partner that rejected them or let them lapse.';

-- ---------------------------------------------------------------- actions

-- The lead a partner-facing action works on, locked; "does not exist" for
-- a lead the caller does not hold, exactly as for a missing id.
CREATE FUNCTION channel.lead_for_action(lead_id bigint, hint text) RETURNS channel.lead
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
  l channel.lead;
BEGIN
  IF lead_for_action.lead_id IS NULL THEN
    RAISE EXCEPTION 'lead_id must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', HINT = hint;
  END IF;
  SELECT * INTO l FROM channel.lead ld WHERE ld.lead_id = lead_for_action.lead_id FOR UPDATE;
  IF NOT FOUND OR (me IS NOT NULL AND l.partner_id IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'lead % does not exist', lead_for_action.lead_id
      USING ERRCODE = 'no_data_found', HINT = hint;
  END IF;
  RETURN l;
END
$$;
COMMENT ON FUNCTION channel.lead_for_action(bigint, text) IS
  'Internal: locks and returns a lead for a lead action; raises no_data_found ("lead N does not exist") for a missing lead or, for a partner, a lead it does not hold.';

CREATE FUNCTION channel.lead_transition_error(l channel.lead, action text, allowed text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION 'cannot % lead %: it is %', action, l.lead_id, l.status
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = pg_catalog.format('Only %s lead can be %s.', allowed,
                     CASE action WHEN 'accept' THEN 'accepted' WHEN 'reject' THEN 'rejected'
                                 WHEN 'claim' THEN 'claimed' WHEN 'convert' THEN 'converted'
                                 WHEN 'lose' THEN 'marked lost' ELSE action END),
          HINT = 'See the lead''s history in channel.lead_event.';
END
$$;
COMMENT ON FUNCTION channel.lead_transition_error(channel.lead, text, text) IS
  'Internal: raises object_not_in_prerequisite_state for an illegal lead transition.';

CREATE FUNCTION channel.accept_lead(lead_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  l channel.lead := channel.lead_for_action(accept_lead.lead_id, 'Accept the leads routed to you.');
BEGIN
  IF l.status <> 'routed' THEN
    PERFORM channel.lead_transition_error(l, 'accept', 'a routed');
  END IF;
  UPDATE channel.lead ld SET status = 'accepted', accepted_at = now(), status_reason = NULL
  WHERE ld.lead_id = l.lead_id;
END
$$;
COMMENT ON FUNCTION channel.accept_lead(bigint) IS
  'Partner: accepts a lead routed to it. The SLA (accept_by) is enforced by channel.recall_overdue_leads(): until it recalls the lead, the partner may still accept it.';

CREATE FUNCTION channel.reject_lead(lead_id bigint, reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  l channel.lead := channel.lead_for_action(reject_lead.lead_id, 'Reject the leads routed to you.');
BEGIN
  IF reason IS NULL OR NOT EXISTS (SELECT 1 FROM channel.reject_reason r WHERE r.code = reason AND r.active) THEN
    RAISE EXCEPTION 'invalid reject reason "%"', coalesce(reason, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A rejection gives one of the active codes of channel.reject_reason.',
            HINT = pg_catalog.format('Use one of: %s.',
                     (SELECT pg_catalog.string_agg(r.code, ', ' ORDER BY r.code) FROM channel.reject_reason r WHERE r.active));
  END IF;
  IF l.status NOT IN ('routed', 'accepted') THEN
    PERFORM channel.lead_transition_error(l, 'reject', 'a routed or accepted');
  END IF;
  UPDATE channel.lead ld SET status = 'rejected', reject_reason = reason, accepted_at = NULL, status_reason = NULL
  WHERE ld.lead_id = l.lead_id;
  PERFORM count(*) FROM channel.reroute_leads(ARRAY[l.lead_id]);
END
$$;
COMMENT ON FUNCTION channel.reject_lead(bigint, text) IS
  'Partner: rejects a lead it holds (routed or accepted) with a code from channel.reject_reason; the lead is routed at once to another partner (never back to this one) or pooled.';

CREATE FUNCTION channel.claim_lead(lead_id bigint, partner_id bigint DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
  who bigint := coalesce(claim_lead.partner_id, me);
  l channel.lead;
  p channel.partner;
  why text;
BEGIN
  IF claim_lead.lead_id IS NULL THEN
    RAISE EXCEPTION 'lead_id must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Claim a lead of the pool.';
  END IF;
  IF me IS NOT NULL AND who <> me THEN
    RAISE EXCEPTION 'a partner can claim leads only for itself'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = pg_catalog.format('You act for partner %s, not %s.', me, who),
            HINT = 'Leave partner_id out.';
  END IF;
  IF who IS NULL THEN
    RAISE EXCEPTION 'partner_id must not be NULL when the vendor claims a lead'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Name the partner the lead goes to.';
  END IF;
  SELECT * INTO p FROM channel.partner x WHERE x.partner_id = who;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'partner % does not exist', who
      USING ERRCODE = 'no_data_found', HINT = 'Name a partner of channel.partner.';
  END IF;
  -- serialize the partner's capacity with the routers (same lock key)
  PERFORM pg_catalog.pg_advisory_xact_lock(17224, (who % 2147483647)::integer);
  SELECT * INTO l FROM channel.lead ld WHERE ld.lead_id = claim_lead.lead_id FOR UPDATE;
  why := CASE WHEN FOUND THEN channel.partner_ineligibility(l, p) END;
  -- a partner learns nothing of leads it could not see in the pool
  IF NOT FOUND OR (me IS NOT NULL AND (l.status <> 'pooled' OR why IN (
        'territory does not cover the lead''s country or region', 'not authorized for the product line'))) THEN
    RAISE EXCEPTION 'lead % does not exist', claim_lead.lead_id
      USING ERRCODE = 'no_data_found', HINT = 'Claim a lead of the pool in your territory and product lines.';
  END IF;
  IF l.status <> 'pooled' THEN
    PERFORM channel.lead_transition_error(l, 'claim', 'a pooled');
  END IF;
  IF why IS NOT NULL THEN
    RAISE EXCEPTION 'partner % cannot claim lead %', who, l.lead_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('Partner %s is not eligible: %s.', who, why),
            HINT = 'Eligibility is the same as for routing; see doc/leads.md.';
  END IF;
  UPDATE channel.lead ld
  SET status = 'accepted', partner_id = who, routed_at = now(), accept_by = now(), accepted_at = now(),
      status_reason = 'claimed from the pool'
  WHERE ld.lead_id = l.lead_id;
END
$$;
COMMENT ON FUNCTION channel.claim_lead(bigint, bigint) IS
  'Partner (for itself) or vendor (naming the partner): takes a pooled lead for an eligible partner, which holds it as accepted.';

CREATE FUNCTION channel.convert_lead(lead_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  l channel.lead := channel.lead_for_action(convert_lead.lead_id, 'Convert the leads you accepted.');
  new_deal bigint;
BEGIN
  IF l.status <> 'accepted' THEN
    PERFORM channel.lead_transition_error(l, 'convert', 'an accepted');
  END IF;
  INSERT INTO channel.deal (partner_id, lead_id, customer_name, customer_country, product_line, amount, expected_close)
  VALUES (l.partner_id, l.lead_id, l.company, l.country, l.product_line, coalesce(l.budget, 0),
          current_date + coalesce(l.timeline_days, 90))
  RETURNING deal_id INTO new_deal;
  UPDATE channel.lead ld SET status = 'converted', closed_at = now(),
         status_reason = pg_catalog.format('deal %s', new_deal)
  WHERE ld.lead_id = l.lead_id;
  RETURN new_deal;
END
$$;
COMMENT ON FUNCTION channel.convert_lead(bigint) IS
  'Partner: turns an accepted lead into a deal registration (amount = budget, expected close = today + timeline) and marks it converted; returns the deal_id.';

CREATE FUNCTION channel.lose_lead(lead_id bigint, reason text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  l channel.lead := channel.lead_for_action(lose_lead.lead_id, 'Close the leads you accepted.');
BEGIN
  IF l.status <> 'accepted' THEN
    PERFORM channel.lead_transition_error(l, 'lose', 'an accepted');
  END IF;
  IF length(reason) > 500 THEN
    RAISE EXCEPTION 'reason is too long'
      USING ERRCODE = 'string_data_right_truncation',
            DETAIL = pg_catalog.format('%s characters; at most 500.', length(reason)),
            HINT = 'Summarize why the lead was lost.';
  END IF;
  UPDATE channel.lead ld SET status = 'lost', closed_at = now(), status_reason = reason
  WHERE ld.lead_id = l.lead_id;
END
$$;
COMMENT ON FUNCTION channel.lose_lead(bigint, text) IS
  'Partner: closes an accepted lead as lost, with an optional free-text reason.';

CREATE FUNCTION channel.recall_overdue_leads() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  ids bigint[];
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'permission denied for function recall_overdue_leads'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Recalling leads is a vendor action.',
            HINT = 'It runs as a scheduled job.';
  END IF;
  -- leads being accepted right now are skipped (locked); the next run sees
  -- them accepted or still overdue
  WITH due AS (
    SELECT ld.lead_id FROM channel.lead ld
    WHERE ld.status = 'routed' AND ld.accept_by < now()
    ORDER BY ld.lead_id
    FOR UPDATE SKIP LOCKED
  ), recalled AS (
    UPDATE channel.lead ld SET status = 'recalled', status_reason = 'sla_expired'
    FROM due WHERE ld.lead_id = due.lead_id
    RETURNING ld.lead_id
  )
  SELECT pg_catalog.array_agg(recalled.lead_id ORDER BY recalled.lead_id) INTO ids FROM recalled;
  IF ids IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM count(*) FROM channel.reroute_leads(ids);
  RETURN pg_catalog.cardinality(ids);
END
$$;
COMMENT ON FUNCTION channel.recall_overdue_leads() IS
  'Vendor / pg_cron: recalls every routed lead not accepted by its accept_by time (logged as recalled against the partner, reason sla_expired) and routes it again, never back to that partner; returns how many were recalled.';

-- ===== src/sql/30_rollups.sql =====
-- 30_rollups.sql: channel.partner_month, one row per partner per month,
-- maintained incrementally.
--
-- How it stays right:
--   * channel.partner_month_computed is THE definition of every figure (a
--     plain view over leads, deals and their history).  The full rebuild
--     copies the whole view; the incremental refresh reads the same view for
--     the dirty (partner, month) pairs only (the planner pushes the pair into
--     every branch of the view, where expression indexes find the rows), so
--     the two can never disagree.
--   * Statement-level triggers with transition tables on channel.lead and
--     channel.deal (and on deletes of their history) append the pairs a
--     statement may have changed to channel.partner_month_dirty.  The queue
--     has no unique key on purpose: each writer appends its own rows in its
--     own transaction, and a refresh deletes only the rows its snapshot sees,
--     so a mark committed during a refresh is never lost (it waits for the
--     next run) -- an upsert would let a concurrent refresh swallow the mark
--     of a writer that has not committed yet.
--   * Months are calendar months in UTC, whatever the session's TimeZone.

CREATE FUNCTION channel.month_of(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.date_trunc('month', ts AT TIME ZONE 'UTC')::date;
COMMENT ON FUNCTION channel.month_of(timestamptz) IS
  'First day of the UTC calendar month of a timestamp: the month bucket of every rollup.';

CREATE FUNCTION channel.month_of(d date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.date_trunc('month', d::timestamp)::date;
COMMENT ON FUNCTION channel.month_of(date) IS
  'First day of the calendar month of a date (e.g. expected close dates).';

-- The SET clause above would keep these from being inlined into queries and
-- index expressions; they only call pg_catalog functions on their argument,
-- so the search_path cannot change what they do.
ALTER FUNCTION channel.month_of(timestamptz) RESET search_path;
ALTER FUNCTION channel.month_of(date) RESET search_path;

CREATE TABLE channel.partner_month (
  partner_id          bigint NOT NULL,
  month               date NOT NULL CONSTRAINT partner_month_first_day CHECK (extract(day FROM month) = 1),
  leads_routed        integer NOT NULL DEFAULT 0,
  leads_accepted      integer NOT NULL DEFAULT 0,
  leads_rejected      integer NOT NULL DEFAULT 0,
  leads_recalled      integer NOT NULL DEFAULT 0,
  leads_converted     integer NOT NULL DEFAULT 0,
  leads_lost          integer NOT NULL DEFAULT 0,
  accept_hours_median float8,
  accept_hours_p90    float8,
  accept_hours_sum    numeric(20,6) NOT NULL DEFAULT 0,
  accept_hours_n      integer NOT NULL DEFAULT 0,
  deals_registered    integer NOT NULL DEFAULT 0,
  deals_approved      integer NOT NULL DEFAULT 0,
  deals_conflict      integer NOT NULL DEFAULT 0,
  deals_won           integer NOT NULL DEFAULT 0,
  deals_lost          integer NOT NULL DEFAULT 0,
  won_revenue         numeric(18,2) NOT NULL DEFAULT 0,
  close_days_median   float8,
  open_pipeline       numeric(18,2) NOT NULL DEFAULT 0,
  PRIMARY KEY (partner_id, month)
);
COMMENT ON TABLE channel.partner_month IS
  'Rollup: one row per partner and UTC calendar month in which something happened. Kept by CALL channel.refresh_rollups() (dirty months only) and channel.rebuild_rollups(); always equal to channel.partner_month_computed once refreshed.';
COMMENT ON COLUMN channel.partner_month.partner_id IS
  'The partner (no foreign key: the rollup is derived data, refreshed in bulk; a partner can only be deleted once no lead or deal names it, and the refresh then drops its rows).';
COMMENT ON COLUMN channel.partner_month.month IS 'First day of the UTC calendar month.';
COMMENT ON COLUMN channel.partner_month.leads_routed IS
  'Leads routed to the partner in the month (count; every routing, so a lead re-routed to it twice counts twice).';
COMMENT ON COLUMN channel.partner_month.leads_accepted IS 'Leads the partner accepted in the month (count, by accepted_at).';
COMMENT ON COLUMN channel.partner_month.leads_rejected IS 'Leads the partner rejected in the month (count).';
COMMENT ON COLUMN channel.partner_month.leads_recalled IS 'Leads taken back from the partner in the month because it missed the acceptance SLA (count).';
COMMENT ON COLUMN channel.partner_month.leads_converted IS 'Leads of the partner converted into a deal in the month (count, by closed_at).';
COMMENT ON COLUMN channel.partner_month.leads_lost IS 'Leads of the partner closed as lost in the month (count, by closed_at).';
COMMENT ON COLUMN channel.partner_month.accept_hours_median IS
  'Median time from routing to acceptance of the leads accepted in the month, in hours; NULL when none.';
COMMENT ON COLUMN channel.partner_month.accept_hours_p90 IS
  '90th percentile (continuous) of the same, in hours; NULL when none.';
COMMENT ON COLUMN channel.partner_month.accept_hours_sum IS
  'Sum of the routing-to-acceptance times of the month, in hours (numeric, 6 decimals; with accept_hours_n, for means over several months).';
COMMENT ON COLUMN channel.partner_month.accept_hours_n IS
  'How many accepted leads had a routing time (the sample behind the accept_hours_* columns).';
COMMENT ON COLUMN channel.partner_month.deals_registered IS 'Deal registrations the partner submitted in the month (count, by submitted_at).';
COMMENT ON COLUMN channel.partner_month.deals_approved IS
  'Registrations of the partner approved in the month (count, by decided_at; includes those since won, lost or expired).';
COMMENT ON COLUMN channel.partner_month.deals_conflict IS
  'Registrations submitted in the month that were flagged as conflicting at any time (count, by submitted_at).';
COMMENT ON COLUMN channel.partner_month.deals_won IS 'Deals of the partner won in the month (count, by closed_at).';
COMMENT ON COLUMN channel.partner_month.deals_lost IS 'Deals of the partner lost in the month (count, by closed_at).';
COMMENT ON COLUMN channel.partner_month.won_revenue IS
  'Sum of the amounts of the deals won in the month, in the reporting currency (deal amounts as stored).';
COMMENT ON COLUMN channel.partner_month.close_days_median IS
  'Median time from registration to win of the deals won in the month, in days (fractional); NULL when none.';
COMMENT ON COLUMN channel.partner_month.open_pipeline IS
  'Current value of the partner''s open registrations (submitted, approved, conflict) expected to close in the month, in the reporting currency.';
CREATE INDEX partner_month_month_idx ON channel.partner_month (month, partner_id);
COMMENT ON INDEX channel.partner_month_month_idx IS 'Rollup rows of a period across partners (scorecards, funnels).';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_month', '');

CREATE TABLE channel.partner_month_dirty (
  partner_id bigint NOT NULL,
  month      date NOT NULL,
  marked_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE channel.partner_month_dirty IS
  'Queue of (partner, month) pairs whose rollup may be stale, appended by triggers and consumed by channel.refresh_rollups(). Duplicates are expected and harmless.';
COMMENT ON COLUMN channel.partner_month_dirty.partner_id IS 'Partner whose figures may have changed.';
COMMENT ON COLUMN channel.partner_month_dirty.month IS 'First day of the UTC month that may have changed.';
COMMENT ON COLUMN channel.partner_month_dirty.marked_at IS 'Transaction time of the change that marked it.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_month_dirty', '');
-- The queue names partners, so like every table holding partner data it has
-- row-level security, enabled and forced.  Nobody is granted any privilege
-- on it: only the extension's owner -- through the SECURITY DEFINER trigger
-- and refresh functions -- reads or writes it, hence its single policy.
ALTER TABLE channel.partner_month_dirty ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.partner_month_dirty FORCE ROW LEVEL SECURITY;
CREATE POLICY partner_month_dirty_owner ON channel.partner_month_dirty FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY partner_month_dirty_owner ON channel.partner_month_dirty IS
  'Only the extension''s owner (the role that ran CREATE EXTENSION), whose trigger and refresh functions fill and drain the queue.';

-- Indexes that let the refresh find the rows of a month for a set of
-- partners in every branch of channel.partner_month_fact (month first: one
-- index scan per branch and month serves all the month's queued partners).
-- Each INCLUDEs every column its branch reads, so the refresh reads them by
-- index-only scans: the heap is visited only for pages changed since the
-- last vacuum, not once per fact (a busy partner-month's facts lie on as
-- many heap pages as it has facts).  The included columns are already
-- indexed elsewhere (status, product_line, the timestamps in the
-- expressions) except deal.amount, so they cost no HOT updates but those
-- changing a deal's amount.  They spell out what
-- channel.month_of() inlines to rather than calling it: an index expression
-- runs with the privileges of whoever writes the row (a partner inserting a
-- deal), who may not execute channel's functions; the planner matches the
-- inlined channel.month_of() calls of the view to these expressions.
CREATE INDEX lead_partner_routed_month_idx
  ON channel.lead ((pg_catalog.date_trunc('month', routed_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (routed_at, lead_id, status, product_line)
  WHERE partner_id IS NOT NULL AND routed_at IS NOT NULL;
CREATE INDEX lead_partner_accepted_month_idx
  ON channel.lead ((pg_catalog.date_trunc('month', accepted_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (accepted_at, routed_at, product_line)
  WHERE partner_id IS NOT NULL AND accepted_at IS NOT NULL;
CREATE INDEX lead_partner_closed_month_idx
  ON channel.lead ((pg_catalog.date_trunc('month', closed_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (closed_at, status, product_line)
  WHERE partner_id IS NOT NULL AND closed_at IS NOT NULL;
CREATE INDEX lead_event_partner_month_idx
  ON channel.lead_event ((pg_catalog.date_trunc('month', at AT TIME ZONE 'UTC')::date), partner_id)
  WHERE partner_id IS NOT NULL AND from_status IS NOT NULL AND to_status IN ('routed', 'rejected', 'recalled');
CREATE INDEX deal_partner_submitted_month_idx
  ON channel.deal ((pg_catalog.date_trunc('month', submitted_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (submitted_at, deal_id, status, product_line)
  WHERE partner_id IS NOT NULL;
CREATE INDEX deal_partner_decided_month_idx
  ON channel.deal ((pg_catalog.date_trunc('month', decided_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (decided_at, status, product_line)
  WHERE partner_id IS NOT NULL AND decided_at IS NOT NULL;
CREATE INDEX deal_partner_closed_month_idx
  ON channel.deal ((pg_catalog.date_trunc('month', closed_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (closed_at, status, amount, submitted_at, product_line)
  WHERE partner_id IS NOT NULL AND closed_at IS NOT NULL;
CREATE INDEX deal_partner_open_close_month_idx
  ON channel.deal ((pg_catalog.date_trunc('month', expected_close::timestamp)::date), partner_id)
  INCLUDE (expected_close, amount, product_line)
  WHERE partner_id IS NOT NULL AND status IN ('submitted', 'approved', 'conflict');
-- The routing branch asks, per lead, whether a live routing, rejection or
-- recall of it exists; the registration branch whether a deal was ever in
-- conflict.  These partial indexes hold only those (rare) history rows, so
-- the answer is a small index read whether the planner probes per row or
-- hashes the whole set (it does the latter for a whole month), instead of a
-- scan of the whole history.
CREATE INDEX lead_event_live_lead_idx ON channel.lead_event (lead_id, to_status)
  WHERE from_status IS NOT NULL AND to_status IN ('routed', 'rejected', 'recalled');
CREATE INDEX deal_event_conflict_deal_idx ON channel.deal_event (deal_id)
  WHERE to_status = 'conflict';
COMMENT ON INDEX channel.lead_event_live_lead_idx IS 'Rollups: leads with a live routing, rejection or recall in their history.';
COMMENT ON INDEX channel.deal_event_conflict_deal_idx IS 'Rollups: registrations that were ever flagged as conflicting.';
COMMENT ON INDEX channel.lead_partner_routed_month_idx IS 'Rollups: leads by holder and UTC month of routing.';
COMMENT ON INDEX channel.lead_partner_accepted_month_idx IS 'Rollups: leads by holder and UTC month of acceptance.';
COMMENT ON INDEX channel.lead_partner_closed_month_idx IS 'Rollups: leads by holder and UTC month of conversion or loss.';
COMMENT ON INDEX channel.lead_event_partner_month_idx IS 'Rollups: live routings, rejections and recalls by partner and UTC month.';
COMMENT ON INDEX channel.deal_partner_submitted_month_idx IS 'Rollups: registrations by partner and UTC month of submission.';
COMMENT ON INDEX channel.deal_partner_decided_month_idx IS 'Rollups: registrations by partner and UTC month of decision.';
COMMENT ON INDEX channel.deal_partner_closed_month_idx IS 'Rollups: deals by partner and UTC month of win or loss.';
COMMENT ON INDEX channel.deal_partner_open_close_month_idx IS 'Rollups and pipeline: open registrations by partner and month of expected close.';

-- Every fact the rollup counts, one row each, dated to its month.
--
-- Leads: the lead row is the truth for its current (or last) holder --
-- acceptance, conversion and loss, with their timestamps.  Routings,
-- rejections and recalls can repeat over a lead's life, so they come from
-- the history (channel.lead_event) when the transition happened live
-- (from_status IS NOT NULL).  A lead loaded already in its state (a demo or
-- an import, whose only event is its creation) has no live transitions: its
-- routing, and its rejection or recall, are read from the row and dated to
-- its routed_at.
CREATE VIEW channel.partner_month_fact AS
  -- routing (and loaded rejection/recall) of the lead row's holder
  SELECT l.partner_id, channel.month_of(l.routed_at) AS month, l.routed_at AS at, l.product_line,
         (NOT EXISTS (SELECT 1 FROM channel.lead_event e
                      WHERE e.lead_id = l.lead_id AND e.from_status IS NOT NULL AND e.to_status = 'routed'))::int AS routed,
         0 AS accepted,
         (l.status = 'rejected'
          AND NOT EXISTS (SELECT 1 FROM channel.lead_event e
                          WHERE e.lead_id = l.lead_id AND e.from_status IS NOT NULL AND e.to_status = 'rejected'))::int AS rejected,
         (l.status = 'recalled'
          AND NOT EXISTS (SELECT 1 FROM channel.lead_event e
                          WHERE e.lead_id = l.lead_id AND e.from_status IS NOT NULL AND e.to_status = 'recalled'))::int AS recalled,
         0 AS converted, 0 AS lost, NULL::numeric AS accept_hours,
         0 AS registered, 0 AS approved, 0 AS conflict, 0 AS won, 0 AS deal_lost,
         0::numeric AS won_amount, NULL::float8 AS close_days, 0::numeric AS open_amount
  FROM channel.lead l
  WHERE l.partner_id IS NOT NULL AND l.routed_at IS NOT NULL
  UNION ALL
  -- live routings, rejections and recalls from the history
  SELECT e.partner_id, channel.month_of(e.at), e.at, l.product_line,
         (e.to_status = 'routed')::int, 0, (e.to_status = 'rejected')::int, (e.to_status = 'recalled')::int,
         0, 0, NULL, 0, 0, 0, 0, 0, 0, NULL, 0
  FROM channel.lead_event e
  JOIN channel.lead l ON l.lead_id = e.lead_id
  WHERE e.partner_id IS NOT NULL AND e.from_status IS NOT NULL AND e.to_status IN ('routed', 'rejected', 'recalled')
  UNION ALL
  -- acceptance
  SELECT l.partner_id, channel.month_of(l.accepted_at), l.accepted_at, l.product_line, 0, 1, 0, 0, 0, 0,
         extract(epoch FROM l.accepted_at - l.routed_at) / 3600,
         0, 0, 0, 0, 0, 0, NULL, 0
  FROM channel.lead l
  WHERE l.partner_id IS NOT NULL AND l.accepted_at IS NOT NULL
  UNION ALL
  -- conversion or loss
  SELECT l.partner_id, channel.month_of(l.closed_at), l.closed_at, l.product_line, 0, 0, 0, 0,
         (l.status = 'converted')::int, (l.status = 'lost')::int, NULL,
         0, 0, 0, 0, 0, 0, NULL, 0
  FROM channel.lead l
  WHERE l.partner_id IS NOT NULL AND l.closed_at IS NOT NULL
  UNION ALL
  -- registration, and whether it was ever flagged as a conflict
  SELECT d.partner_id, channel.month_of(d.submitted_at), d.submitted_at, d.product_line, 0, 0, 0, 0, 0, 0, NULL,
         1, 0,
         (d.status = 'conflict'
          OR EXISTS (SELECT 1 FROM channel.deal_event e WHERE e.deal_id = d.deal_id AND e.to_status = 'conflict'))::int,
         0, 0, 0, NULL, 0
  FROM channel.deal d
  WHERE d.partner_id IS NOT NULL
  UNION ALL
  -- approval (the decision of a registration that was not rejected)
  SELECT d.partner_id, channel.month_of(d.decided_at), d.decided_at, d.product_line, 0, 0, 0, 0, 0, 0, NULL,
         0, (d.status IN ('approved', 'won', 'lost', 'expired'))::int, 0, 0, 0, 0, NULL, 0
  FROM channel.deal d
  WHERE d.partner_id IS NOT NULL AND d.decided_at IS NOT NULL
  UNION ALL
  -- win or loss
  SELECT d.partner_id, channel.month_of(d.closed_at), d.closed_at, d.product_line, 0, 0, 0, 0, 0, 0, NULL,
         0, 0, 0, (d.status = 'won')::int, (d.status = 'lost')::int,
         CASE WHEN d.status = 'won' THEN d.amount ELSE 0 END,
         CASE WHEN d.status = 'won' THEN extract(epoch FROM d.closed_at - d.submitted_at)::float8 / 86400 END,
         0
  FROM channel.deal d
  WHERE d.partner_id IS NOT NULL AND d.closed_at IS NOT NULL
  UNION ALL
  -- open pipeline by month of expected close
  SELECT d.partner_id, channel.month_of(d.expected_close), d.expected_close::timestamp AT TIME ZONE 'UTC', d.product_line,
         0, 0, 0, 0, 0, 0, NULL,
         0, 0, 0, 0, 0, 0, NULL, d.amount
  FROM channel.deal d
  WHERE d.partner_id IS NOT NULL AND d.status IN ('submitted', 'approved', 'conflict');
COMMENT ON VIEW channel.partner_month_fact IS
  'Every fact channel.partner_month counts, one row each, dated to its UTC month (see the comments in 30_rollups.sql for which source each comes from).';
COMMENT ON COLUMN channel.partner_month_fact.partner_id IS 'Partner the fact belongs to.';
COMMENT ON COLUMN channel.partner_month_fact.month IS 'First day of the UTC month of the fact.';
COMMENT ON COLUMN channel.partner_month_fact.at IS
  'When the fact happened (for an open registration: midnight UTC of its expected close date).';
COMMENT ON COLUMN channel.partner_month_fact.product_line IS 'Product line of the lead or deal.';
COMMENT ON COLUMN channel.partner_month_fact.routed IS '1 for a routing of a lead to the partner.';
COMMENT ON COLUMN channel.partner_month_fact.accepted IS '1 for an acceptance.';
COMMENT ON COLUMN channel.partner_month_fact.rejected IS '1 for a rejection.';
COMMENT ON COLUMN channel.partner_month_fact.recalled IS '1 for a recall (missed SLA).';
COMMENT ON COLUMN channel.partner_month_fact.converted IS '1 for a lead converted into a deal.';
COMMENT ON COLUMN channel.partner_month_fact.lost IS '1 for a lead closed as lost.';
COMMENT ON COLUMN channel.partner_month_fact.accept_hours IS 'For an acceptance: hours from routing to acceptance (NULL without a routing time).';
COMMENT ON COLUMN channel.partner_month_fact.registered IS '1 for a deal registration.';
COMMENT ON COLUMN channel.partner_month_fact.approved IS '1 for an approval.';
COMMENT ON COLUMN channel.partner_month_fact.conflict IS '1 for a registration that was flagged as conflicting.';
COMMENT ON COLUMN channel.partner_month_fact.won IS '1 for a won deal.';
COMMENT ON COLUMN channel.partner_month_fact.deal_lost IS '1 for a lost deal.';
COMMENT ON COLUMN channel.partner_month_fact.won_amount IS 'Amount of a won deal (reporting currency), else 0.';
COMMENT ON COLUMN channel.partner_month_fact.close_days IS 'For a won deal: days from registration to win.';
COMMENT ON COLUMN channel.partner_month_fact.open_amount IS 'Amount of an open registration, in the month of its expected close.';

-- The rollup as it should be, computed from scratch: the single definition
-- both the full rebuild and the incremental refresh read.
CREATE VIEW channel.partner_month_computed AS
  SELECT f.partner_id, f.month,
         sum(f.routed)::int AS leads_routed,
         sum(f.accepted)::int AS leads_accepted,
         sum(f.rejected)::int AS leads_rejected,
         sum(f.recalled)::int AS leads_recalled,
         sum(f.converted)::int AS leads_converted,
         sum(f.lost)::int AS leads_lost,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY f.accept_hours::float8) AS accept_hours_median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY f.accept_hours::float8) AS accept_hours_p90,
         -- numeric: a float sum would depend on the order rows are read in,
         -- and the incremental and full computations read them differently
         coalesce(sum(f.accept_hours), 0)::numeric(20,6) AS accept_hours_sum,
         count(f.accept_hours)::int AS accept_hours_n,
         sum(f.registered)::int AS deals_registered,
         sum(f.approved)::int AS deals_approved,
         sum(f.conflict)::int AS deals_conflict,
         sum(f.won)::int AS deals_won,
         sum(f.deal_lost)::int AS deals_lost,
         sum(f.won_amount)::numeric(18,2) AS won_revenue,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY f.close_days) AS close_days_median,
         sum(f.open_amount)::numeric(18,2) AS open_pipeline
  FROM channel.partner_month_fact f
  GROUP BY f.partner_id, f.month;
COMMENT ON VIEW channel.partner_month_computed IS
  'channel.partner_month computed from the base tables now (slow on a large channel: read channel.partner_month instead). Columns as in channel.partner_month.';
COMMENT ON COLUMN channel.partner_month_computed.partner_id IS 'As channel.partner_month.partner_id.';
COMMENT ON COLUMN channel.partner_month_computed.month IS 'As channel.partner_month.month.';
COMMENT ON COLUMN channel.partner_month_computed.leads_routed IS 'As channel.partner_month.leads_routed.';
COMMENT ON COLUMN channel.partner_month_computed.leads_accepted IS 'As channel.partner_month.leads_accepted.';
COMMENT ON COLUMN channel.partner_month_computed.leads_rejected IS 'As channel.partner_month.leads_rejected.';
COMMENT ON COLUMN channel.partner_month_computed.leads_recalled IS 'As channel.partner_month.leads_recalled.';
COMMENT ON COLUMN channel.partner_month_computed.leads_converted IS 'As channel.partner_month.leads_converted.';
COMMENT ON COLUMN channel.partner_month_computed.leads_lost IS 'As channel.partner_month.leads_lost.';
COMMENT ON COLUMN channel.partner_month_computed.accept_hours_median IS 'As channel.partner_month.accept_hours_median (hours).';
COMMENT ON COLUMN channel.partner_month_computed.accept_hours_p90 IS 'As channel.partner_month.accept_hours_p90 (hours).';
COMMENT ON COLUMN channel.partner_month_computed.accept_hours_sum IS 'As channel.partner_month.accept_hours_sum (hours).';
COMMENT ON COLUMN channel.partner_month_computed.accept_hours_n IS 'As channel.partner_month.accept_hours_n.';
COMMENT ON COLUMN channel.partner_month_computed.deals_registered IS 'As channel.partner_month.deals_registered.';
COMMENT ON COLUMN channel.partner_month_computed.deals_approved IS 'As channel.partner_month.deals_approved.';
COMMENT ON COLUMN channel.partner_month_computed.deals_conflict IS 'As channel.partner_month.deals_conflict.';
COMMENT ON COLUMN channel.partner_month_computed.deals_won IS 'As channel.partner_month.deals_won.';
COMMENT ON COLUMN channel.partner_month_computed.deals_lost IS 'As channel.partner_month.deals_lost.';
COMMENT ON COLUMN channel.partner_month_computed.won_revenue IS 'As channel.partner_month.won_revenue (reporting currency).';
COMMENT ON COLUMN channel.partner_month_computed.close_days_median IS 'As channel.partner_month.close_days_median (days).';
COMMENT ON COLUMN channel.partner_month_computed.open_pipeline IS 'As channel.partner_month.open_pipeline (reporting currency).';

---------------------------------------------------------------- dirty marks
-- A statement on channel.lead marks, for every row before and after it, the
-- months of the facts that row feeds (routing, acceptance, close), and for a
-- status change the current month of the old and the new holder (the live
-- history event written by the same statement).  Updates that touch none of
-- those columns (rescoring, notes) mark nothing.
CREATE FUNCTION channel.lead_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT n.partner_id, m.month
    FROM new_rows n
    CROSS JOIN LATERAL (VALUES (channel.month_of(n.routed_at)), (channel.month_of(n.accepted_at)),
                               (channel.month_of(n.closed_at))) m(month)
    WHERE n.partner_id IS NOT NULL AND m.month IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT o.partner_id, m.month
    FROM old_rows o
    CROSS JOIN LATERAL (VALUES (channel.month_of(o.routed_at)), (channel.month_of(o.accepted_at)),
                               (channel.month_of(o.closed_at))) m(month)
    WHERE o.partner_id IS NOT NULL AND m.month IS NOT NULL;
  ELSE
    -- only the months whose figures the change can move: each condition
    -- mirrors what the matching branch of channel.partner_month_fact reads
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT x.partner_id, x.month
    FROM old_rows o
    JOIN new_rows n ON n.lead_id = o.lead_id
    CROSS JOIN LATERAL (SELECT o.partner_id IS DISTINCT FROM n.partner_id AS holder,
                               o.status IS DISTINCT FROM n.status AS status) c
    CROSS JOIN LATERAL (VALUES
        -- routing branch: the row's routing, its loaded rejection or recall,
        -- and whether a live routing event supersedes it
        (o.partner_id, CASE WHEN c.holder OR o.routed_at IS DISTINCT FROM n.routed_at
                                 OR (c.status AND (n.status IN ('routed', 'rejected', 'recalled')
                                                   OR o.status IN ('rejected', 'recalled')))
                            THEN channel.month_of(o.routed_at) END),
        (n.partner_id, CASE WHEN c.holder OR o.routed_at IS DISTINCT FROM n.routed_at
                                 OR (c.status AND (n.status IN ('routed', 'rejected', 'recalled')
                                                   OR o.status IN ('rejected', 'recalled')))
                            THEN channel.month_of(n.routed_at) END),
        -- acceptance branch (time to accept reads routed_at)
        (o.partner_id, CASE WHEN c.holder OR o.accepted_at IS DISTINCT FROM n.accepted_at
                                 OR o.routed_at IS DISTINCT FROM n.routed_at
                            THEN channel.month_of(o.accepted_at) END),
        (n.partner_id, CASE WHEN c.holder OR o.accepted_at IS DISTINCT FROM n.accepted_at
                                 OR o.routed_at IS DISTINCT FROM n.routed_at
                            THEN channel.month_of(n.accepted_at) END),
        -- conversion or loss branch
        (o.partner_id, CASE WHEN c.holder OR c.status OR o.closed_at IS DISTINCT FROM n.closed_at
                            THEN channel.month_of(o.closed_at) END),
        (n.partner_id, CASE WHEN c.holder OR c.status OR o.closed_at IS DISTINCT FROM n.closed_at
                            THEN channel.month_of(n.closed_at) END),
        -- the live history event this statement wrote (dated now): counted
        -- for a routing (new holder) and a rejection or recall (old holder)
        (n.partner_id, CASE WHEN c.status AND n.status = 'routed' THEN channel.month_of(now()) END),
        (o.partner_id, CASE WHEN c.status AND n.status IN ('rejected', 'recalled') THEN channel.month_of(now()) END)
      ) x(partner_id, month)
    WHERE x.partner_id IS NOT NULL AND x.month IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.lead_mark_dirty() IS
  'Statement trigger on channel.lead: queues the (partner, month) rollup pairs the statement may have changed in channel.partner_month_dirty.';

CREATE TRIGGER lead_mark_dirty_insert AFTER INSERT ON channel.lead
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.lead_mark_dirty();
CREATE TRIGGER lead_mark_dirty_update AFTER UPDATE ON channel.lead
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.lead_mark_dirty();
CREATE TRIGGER lead_mark_dirty_delete AFTER DELETE ON channel.lead
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.lead_mark_dirty();
COMMENT ON TRIGGER lead_mark_dirty_insert ON channel.lead IS 'Queues rollup months of new leads; see channel.lead_mark_dirty().';
COMMENT ON TRIGGER lead_mark_dirty_update ON channel.lead IS 'Queues rollup months of changed leads; see channel.lead_mark_dirty().';
COMMENT ON TRIGGER lead_mark_dirty_delete ON channel.lead IS 'Queues rollup months of deleted leads; see channel.lead_mark_dirty().';

CREATE FUNCTION channel.deal_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT n.partner_id, m.month
    FROM new_rows n
    CROSS JOIN LATERAL (VALUES (channel.month_of(n.submitted_at)), (channel.month_of(n.decided_at)),
                               (channel.month_of(n.closed_at)), (channel.month_of(n.expected_close))) m(month)
    WHERE n.partner_id IS NOT NULL AND m.month IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT o.partner_id, m.month
    FROM old_rows o
    CROSS JOIN LATERAL (VALUES (channel.month_of(o.submitted_at)), (channel.month_of(o.decided_at)),
                               (channel.month_of(o.closed_at)), (channel.month_of(o.expected_close))) m(month)
    WHERE o.partner_id IS NOT NULL AND m.month IS NOT NULL;
  ELSE
    -- only the months whose figures the change can move (see the branches
    -- of channel.partner_month_fact)
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT x.partner_id, x.month
    FROM old_rows o
    JOIN new_rows n ON n.deal_id = o.deal_id
    CROSS JOIN LATERAL (SELECT o.partner_id IS DISTINCT FROM n.partner_id AS holder,
                               o.submitted_at IS DISTINCT FROM n.submitted_at AS submitted,
                               (o.status = 'conflict') IS DISTINCT FROM (n.status = 'conflict') AS conflict,
                               (o.status IN ('approved', 'won', 'lost', 'expired'))
                                 IS DISTINCT FROM (n.status IN ('approved', 'won', 'lost', 'expired')) AS approved,
                               o.status IS DISTINCT FROM n.status OR o.amount IS DISTINCT FROM n.amount
                                 OR o.closed_at IS DISTINCT FROM n.closed_at AS closing,
                               (o.status IN ('submitted', 'approved', 'conflict'))
                                 IS DISTINCT FROM (n.status IN ('submitted', 'approved', 'conflict'))
                                 OR o.amount IS DISTINCT FROM n.amount
                                 OR o.expected_close IS DISTINCT FROM n.expected_close AS open) c
    CROSS JOIN LATERAL (VALUES
        -- registration and conflict flag, by submission month
        (o.partner_id, CASE WHEN c.holder OR c.submitted OR c.conflict THEN channel.month_of(o.submitted_at) END),
        (n.partner_id, CASE WHEN c.holder OR c.submitted OR c.conflict THEN channel.month_of(n.submitted_at) END),
        -- approval, by decision month
        (o.partner_id, CASE WHEN c.holder OR c.approved OR o.decided_at IS DISTINCT FROM n.decided_at
                            THEN channel.month_of(o.decided_at) END),
        (n.partner_id, CASE WHEN c.holder OR c.approved OR o.decided_at IS DISTINCT FROM n.decided_at
                            THEN channel.month_of(n.decided_at) END),
        -- win or loss, amount and days to close, by close month
        (o.partner_id, CASE WHEN c.holder OR c.closing OR c.submitted THEN channel.month_of(o.closed_at) END),
        (n.partner_id, CASE WHEN c.holder OR c.closing OR c.submitted THEN channel.month_of(n.closed_at) END),
        -- open pipeline, by expected close month
        (o.partner_id, CASE WHEN c.holder OR c.open THEN channel.month_of(o.expected_close) END),
        (n.partner_id, CASE WHEN c.holder OR c.open THEN channel.month_of(n.expected_close) END)
      ) x(partner_id, month)
    WHERE x.partner_id IS NOT NULL AND x.month IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.deal_mark_dirty() IS
  'Statement trigger on channel.deal: queues the (partner, month) rollup pairs the statement may have changed in channel.partner_month_dirty.';

CREATE TRIGGER deal_mark_dirty_insert AFTER INSERT ON channel.deal
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.deal_mark_dirty();
CREATE TRIGGER deal_mark_dirty_update AFTER UPDATE ON channel.deal
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.deal_mark_dirty();
CREATE TRIGGER deal_mark_dirty_delete AFTER DELETE ON channel.deal
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.deal_mark_dirty();
COMMENT ON TRIGGER deal_mark_dirty_insert ON channel.deal IS 'Queues rollup months of new registrations; see channel.deal_mark_dirty().';
COMMENT ON TRIGGER deal_mark_dirty_update ON channel.deal IS 'Queues rollup months of changed registrations; see channel.deal_mark_dirty().';
COMMENT ON TRIGGER deal_mark_dirty_delete ON channel.deal IS 'Queues rollup months of deleted registrations; see channel.deal_mark_dirty().';

-- History rows are only ever inserted by the lead and deal triggers above
-- (their months are marked there: a live event is dated now()) and are only
-- deleted with their lead or deal, whose row does not say when its past
-- routings, rejections and recalls happened: the history's own delete
-- trigger marks those.
CREATE FUNCTION channel.lead_event_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  INSERT INTO channel.partner_month_dirty (partner_id, month)
  SELECT DISTINCT o.partner_id, channel.month_of(o.at)
  FROM old_rows o
  WHERE o.partner_id IS NOT NULL AND o.from_status IS NOT NULL;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.lead_event_mark_dirty() IS
  'Statement trigger on channel.lead_event: queues the rollup months of deleted live transitions (a lead deleted with its history).';
CREATE TRIGGER lead_event_mark_dirty_delete AFTER DELETE ON channel.lead_event
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.lead_event_mark_dirty();
COMMENT ON TRIGGER lead_event_mark_dirty_delete ON channel.lead_event IS
  'Queues rollup months of deleted history; see channel.lead_event_mark_dirty().';

-- Deal facts are all dated by the deal row (the conflict flag by the
-- submission month), so deleting a deal's history marks the deal's months.
CREATE FUNCTION channel.deal_event_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  INSERT INTO channel.partner_month_dirty (partner_id, month)
  SELECT DISTINCT d.partner_id, channel.month_of(d.submitted_at)
  FROM (SELECT DISTINCT o.deal_id FROM old_rows o WHERE o.to_status = 'conflict') o
  JOIN channel.deal d ON d.deal_id = o.deal_id
  WHERE d.partner_id IS NOT NULL;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.deal_event_mark_dirty() IS
  'Statement trigger on channel.deal_event: queues the submission month of a deal whose conflict history is deleted.';
CREATE TRIGGER deal_event_mark_dirty_delete AFTER DELETE ON channel.deal_event
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.deal_event_mark_dirty();
COMMENT ON TRIGGER deal_event_mark_dirty_delete ON channel.deal_event IS
  'Queues rollup months of deleted deal history; see channel.deal_event_mark_dirty().';

-- TRUNCATE fires no row or transition-table triggers: every month the
-- rollup holds is queued instead, so the next refresh drops what went away.
CREATE FUNCTION channel.rollup_mark_all_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  INSERT INTO channel.partner_month_dirty (partner_id, month)
  SELECT pm.partner_id, pm.month FROM channel.partner_month pm;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.rollup_mark_all_dirty() IS
  'Trigger after TRUNCATE of channel.lead or channel.deal: queues every month the rollup holds.';
CREATE TRIGGER lead_mark_dirty_truncate AFTER TRUNCATE ON channel.lead
  FOR EACH STATEMENT EXECUTE FUNCTION channel.rollup_mark_all_dirty();
CREATE TRIGGER deal_mark_dirty_truncate AFTER TRUNCATE ON channel.deal
  FOR EACH STATEMENT EXECUTE FUNCTION channel.rollup_mark_all_dirty();
COMMENT ON TRIGGER lead_mark_dirty_truncate ON channel.lead IS 'Queues every rollup month; see channel.rollup_mark_all_dirty().';
COMMENT ON TRIGGER deal_mark_dirty_truncate ON channel.deal IS 'Queues every rollup month; see channel.rollup_mark_all_dirty().';

---------------------------------------------------------------- refresh
-- One advisory lock (per database) serializes refreshes and rebuilds; the
-- key is the rollup table's OID.
CREATE FUNCTION channel.rollup_lock_key() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN 'channel.partner_month'::pg_catalog.regclass::pg_catalog.oid::bigint;
COMMENT ON FUNCTION channel.rollup_lock_key() IS
  'Key of the transaction-level advisory lock that keeps two rollup refreshes or rebuilds from overlapping (the OID of channel.partner_month).';

-- Vendor-only guard shared by the refresh and the rebuild.
CREATE FUNCTION channel.rollup_require_vendor(action text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can % the rollups', action
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The calling role acts for a partner.',
            HINT = 'Run it as a channel administrator, or leave it to the scheduled job (channel.schedule_jobs()).';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.rollup_require_vendor(text) IS
  'Raises insufficient_privilege when the caller acts for a partner; used by the rollup refresh and rebuild.';

-- Recomputes the queued pairs the caller's snapshot sees and removes
-- exactly those queue rows; returns how many distinct pairs it recomputed.
-- When the queue covers more than a fifth of the rollup (after a bulk load),
-- recomputing everything in one pass is cheaper than pair by pair; both read
-- the same view, so the result is the same.
CREATE FUNCTION channel.refresh_dirty_rollups() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
-- the planner's costs for the fact view are far above jit_above_cost, and
-- compiling it takes longer than running it
SET jit = off
-- The month-by-month statements below take the month and its partner list
-- as parameters.  A custom plan would be planned again for every month with
-- the list as a constant, and estimating a condition on thousands of array
-- elements in each of the view's eight branches costs more than running it
-- (30 ms to plan a 2,600-partner month); the generic plan is the same index
-- scans, planned once per session.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  partners bigint[];
  months   date[];
  pairs    bigint;
  rows_now bigint;
  d        date;
  ids      bigint[];
  mcv      date[];
  mcf      real[];
  in_month float8;
BEGIN
  PERFORM channel.rollup_require_vendor('refresh');
  IF NOT pg_catalog.pg_try_advisory_xact_lock(channel.rollup_lock_key()) THEN
    RAISE NOTICE 'channel rollups are being refreshed by another session; nothing done'
      USING DETAIL = 'Only one refresh or rebuild runs at a time.',
            HINT = 'Nothing is lost: changes queued meanwhile wait for the next refresh.';
    RETURN NULL;
  END IF;
  WITH taken AS (DELETE FROM channel.partner_month_dirty RETURNING partner_id, month),
       scope AS (SELECT DISTINCT t.partner_id, t.month FROM taken t)
  SELECT pg_catalog.array_agg(s.partner_id), pg_catalog.array_agg(s.month), count(*)
  INTO partners, months, pairs
  FROM scope s;
  IF pairs = 0 THEN
    RETURN 0;
  END IF;
  IF pairs > 1000 THEN
    -- the planner's estimate when there is one (unset right after a rebuild)
    SELECT CASE WHEN c.reltuples > 0 THEN c.reltuples::bigint ELSE (SELECT count(*) FROM channel.partner_month) END
    INTO rows_now
    FROM pg_catalog.pg_class c WHERE c.oid = 'channel.partner_month'::regclass;
  END IF;
  IF pairs > 1000 AND pairs > rows_now / 5 THEN
    DELETE FROM channel.partner_month;
    INSERT INTO channel.partner_month SELECT * FROM channel.partner_month_computed;
    ANALYZE channel.partner_month;  -- replaced whole: as after a rebuild
    RETURN pairs;
  END IF;
  -- Month by month.  A month most of whose partners are queued (the
  -- current one, after a busy quarter of an hour) is recomputed whole, in
  -- one pass over each branch's index range for the month, keeping the
  -- queued partners; otherwise the month's queued partners are looked up
  -- in every branch's index.  Both read the same view for the same pairs.
  -- "Most": at least half the rows the planner's statistics expect in the
  -- month (counted when there are no statistics) -- past that, probing
  -- eight indexes per partner costs more than reading the month's facts.
  SELECT CASE WHEN c.reltuples > 0 THEN c.reltuples END INTO rows_now
  FROM pg_catalog.pg_class c WHERE c.oid = 'channel.partner_month'::regclass;
  SELECT st.most_common_vals::text::date[], st.most_common_freqs INTO mcv, mcf
  FROM pg_catalog.pg_stats st
  WHERE st.schemaname = 'channel' AND st.tablename = 'partner_month' AND st.attname = 'month';
  FOR d, ids IN
    SELECT s.month, pg_catalog.array_agg(s.partner_id ORDER BY s.partner_id)
    FROM ROWS FROM (pg_catalog.unnest(partners), pg_catalog.unnest(months)) AS s(partner_id, month)
    GROUP BY s.month ORDER BY s.month
  LOOP
    IF pg_catalog.cardinality(ids) >= 100 THEN
      IF rows_now IS NOT NULL AND mcv IS NOT NULL THEN
        -- a month absent from the most common values is a small one
        in_month := coalesce(rows_now * mcf[pg_catalog.array_position(mcv, d)], 0);
      ELSE
        SELECT count(*) INTO in_month FROM channel.partner_month pm WHERE pm.month = d;
      END IF;
    END IF;
    DELETE FROM channel.partner_month pm WHERE pm.month = d AND pm.partner_id = ANY (ids);
    IF pg_catalog.cardinality(ids) >= 100 AND pg_catalog.cardinality(ids) * 2 >= in_month THEN
      INSERT INTO channel.partner_month
      SELECT c.*
      FROM (SELECT * FROM channel.partner_month_computed c WHERE c.month = d OFFSET 0) c
      WHERE c.partner_id IN (SELECT pg_catalog.unnest(ids));
    ELSE
      -- OFFSET 0 keeps the month and the partner list pushed into every
      -- branch of the view as index conditions
      INSERT INTO channel.partner_month
      SELECT c.*
      FROM (SELECT * FROM channel.partner_month_computed c
            WHERE c.month = d AND c.partner_id = ANY (ids) OFFSET 0) c;
    END IF;
  END LOOP;
  RETURN pairs;
END
$$;
COMMENT ON FUNCTION channel.refresh_dirty_rollups() IS
  'Recomputes the queued (partner, month) pairs of channel.partner_month from channel.partner_month_computed and returns how many it did; NULL (with a NOTICE) when another refresh holds the lock. CALL channel.refresh_rollups() is the documented entry point.';

CREATE PROCEDURE channel.refresh_rollups()
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  PERFORM channel.refresh_dirty_rollups();
END
$$;
COMMENT ON PROCEDURE channel.refresh_rollups() IS
  'Brings channel.partner_month up to date by recomputing only the partner-months changed since the last refresh. Runs in the caller''s transaction; a second concurrent run returns at once with a NOTICE (it does not wait). Safe while the channel is in use.';

CREATE FUNCTION channel.rebuild_rollups() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM channel.rollup_require_vendor('rebuild');
  -- a rebuild waits for a running refresh rather than skipping: it is run
  -- by hand, and its caller expects a rebuilt table when it returns
  PERFORM pg_catalog.pg_advisory_xact_lock(channel.rollup_lock_key());
  DELETE FROM channel.partner_month_dirty;
  DELETE FROM channel.partner_month;
  INSERT INTO channel.partner_month SELECT * FROM channel.partner_month_computed;
  GET DIAGNOSTICS n = ROW_COUNT;
  -- the table was just replaced: the refresh sizes each queued month from
  -- its statistics (without them it counts the month's rows), and so do the
  -- BI queries' plans; autovacuum would get there, later
  ANALYZE channel.partner_month;
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.rebuild_rollups() IS
  'Recomputes all of channel.partner_month from the base tables and empties the queue; returns the number of rows. Waits for a running refresh. Vendor only.';

-- ===== src/sql/31_bi.sql =====
-- 31_bi.sql: set-returning functions BI tools query directly.
--
-- Every function is STABLE and SECURITY DEFINER: it reads every partner's
-- rows (a percentile among peers needs the peers), then returns only the
-- caller's own rows when channel.current_partner() is not NULL.  Figures
-- built on channel.partner_month are as fresh as the last
-- CALL channel.refresh_rollups(); lead_funnel, pipeline and
-- inactive_partners read the base tables and are always current.
-- Months are UTC calendar months; amounts are in the reporting currency
-- (deal amounts as stored).

-- The first day of the 12-month window ending with the month of as_of.
CREATE FUNCTION channel.bi_window_start(as_of date, months integer) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (channel.month_of(as_of) - pg_catalog.make_interval(months => months - 1))::date;
COMMENT ON FUNCTION channel.bi_window_start(date, integer) IS
  'First day of the window of the given number of whole calendar months that ends with the month of as_of.';

CREATE FUNCTION channel.bi_check(ok boolean, message text, detail text, hint text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION '%', message USING ERRCODE = 'invalid_parameter_value', DETAIL = detail, HINT = hint;
  END IF;
END
$$;
COMMENT ON FUNCTION channel.bi_check(boolean, text, text, text) IS
  'Raises invalid_parameter_value with the given message, detail and hint unless ok is true; argument checks of the BI functions.';

---------------------------------------------------------------- scorecard
CREATE FUNCTION channel.partner_scorecard(as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               status channel.partner_status, period_start date, period_end date,
               leads_routed integer, leads_accepted integer, acceptance_rate float8, conversion_rate float8,
               accept_hours_avg float8, deals_registered integer, deals_won integer, deals_lost integer,
               win_rate float8, revenue numeric, revenue_previous numeric, revenue_growth float8,
               peers integer, peer_percentile float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
BEGIN
  PERFORM channel.bi_check(as_of IS NOT NULL AND as_of BETWEEN '2000-01-01' AND '2999-12-31',
    format('as_of must be a date between 2000-01-01 and 2999-12-31, got %s', coalesce(as_of::text, 'NULL')),
    'The scorecard covers the 12 calendar months ending with the month of as_of.',
    'Omit it for today: SELECT * FROM channel.partner_scorecard();');
  RETURN QUERY
  WITH w AS (
    SELECT channel.bi_window_start(as_of, 12) AS cur_start,
           channel.bi_window_start(as_of, 24) AS prev_start,
           channel.month_of(as_of) AS cur_end
  ),
  sums AS (
    SELECT pm.partner_id,
           sum(pm.leads_routed) FILTER (WHERE pm.month >= w.cur_start)::int AS routed,
           sum(pm.leads_accepted) FILTER (WHERE pm.month >= w.cur_start)::int AS accepted,
           sum(pm.leads_rejected + pm.leads_recalled) FILTER (WHERE pm.month >= w.cur_start)::int AS declined,
           sum(pm.leads_converted) FILTER (WHERE pm.month >= w.cur_start)::int AS converted,
           sum(pm.leads_lost) FILTER (WHERE pm.month >= w.cur_start)::int AS lost,
           sum(pm.accept_hours_sum) FILTER (WHERE pm.month >= w.cur_start) AS hours,
           sum(pm.accept_hours_n) FILTER (WHERE pm.month >= w.cur_start)::int AS hours_n,
           sum(pm.deals_registered) FILTER (WHERE pm.month >= w.cur_start)::int AS registered,
           sum(pm.deals_won) FILTER (WHERE pm.month >= w.cur_start)::int AS won,
           sum(pm.deals_lost) FILTER (WHERE pm.month >= w.cur_start)::int AS dlost,
           sum(pm.won_revenue) FILTER (WHERE pm.month >= w.cur_start) AS rev,
           sum(pm.won_revenue) FILTER (WHERE pm.month < w.cur_start) AS rev_prev
    FROM channel.partner_month pm CROSS JOIN w
    WHERE pm.month >= w.prev_start AND pm.month <= w.cur_end
    GROUP BY pm.partner_id
  ),
  card AS (
    SELECT p.partner_id, p.name, p.tier, p.region, p.status,
           coalesce(s.routed, 0) AS routed, coalesce(s.accepted, 0) AS accepted,
           coalesce(s.accepted, 0)::float8 / nullif(coalesce(s.accepted, 0) + coalesce(s.declined, 0), 0) AS acc_rate,
           coalesce(s.converted, 0)::float8 / nullif(coalesce(s.converted, 0) + coalesce(s.lost, 0), 0) AS conv_rate,
           (s.hours / nullif(s.hours_n, 0))::float8 AS hours_avg,
           coalesce(s.registered, 0) AS registered, coalesce(s.won, 0) AS won, coalesce(s.dlost, 0) AS dlost,
           coalesce(s.won, 0)::float8 / nullif(coalesce(s.won, 0) + coalesce(s.dlost, 0), 0) AS win,
           coalesce(s.rev, 0)::numeric(18,2) AS rev, coalesce(s.rev_prev, 0)::numeric(18,2) AS rev_prev
    FROM channel.partner p
    LEFT JOIN sums s ON s.partner_id = p.partner_id
    WHERE p.status = 'active' OR s.partner_id IS NOT NULL
  ),
  ranked AS (
    -- percentiles are taken among all peers, before a partner caller's filter
    SELECT c.*, (count(*) OVER peer)::int AS n_peers,
           CASE WHEN count(*) OVER peer > 1 THEN 100 * percent_rank() OVER (peer ORDER BY c.rev) END AS pct
    FROM card c
    WINDOW peer AS (PARTITION BY c.tier, c.region)
  )
  SELECT r.partner_id, r.name, r.tier, r.region, r.status, w.cur_start, (w.cur_end + interval '1 month - 1 day')::date,
         r.routed, r.accepted, r.acc_rate, r.conv_rate, r.hours_avg, r.registered, r.won, r.dlost, r.win,
         r.rev, r.rev_prev, ((r.rev - r.rev_prev) / nullif(r.rev_prev, 0))::float8, r.n_peers, r.pct
  FROM ranked r CROSS JOIN w
  WHERE me IS NULL OR r.partner_id = me
  ORDER BY r.partner_id;
END
$$;
COMMENT ON FUNCTION channel.partner_scorecard(date) IS
  'Per partner (active ones, and any other with activity in the last 24 months), the 12 calendar months ending with the month of as_of, from channel.partner_month (as of the last refresh): lead acceptance and conversion rates, mean hours to accept, deals, win rate, revenue, growth vs the previous 12 months, percentile among partners of the same tier and region. A partner caller gets only its own row. See doc/rollups.md for every column.';

---------------------------------------------------------------- funnel
CREATE FUNCTION channel.lead_funnel(from_date date, to_date date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               product_line channel.product_code, leads_routed integer, leads_accepted integer,
               leads_rejected integer, leads_recalled integer, leads_converted integer, leads_lost integer,
               deals_registered integer, deals_won integer, won_revenue numeric,
               acceptance_rate float8, conversion_rate float8, win_rate float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
  lo timestamptz;
  hi timestamptz;
BEGIN
  PERFORM channel.bi_check(from_date IS NOT NULL AND to_date IS NOT NULL,
    'from_date and to_date must not be NULL',
    'The funnel counts what happened between the two dates, both included.',
    'For the last quarter: SELECT * FROM channel.lead_funnel(current_date - 90, current_date);');
  PERFORM channel.bi_check(from_date <= to_date,
    format('from_date %s is after to_date %s', from_date, to_date),
    'The window runs from from_date to to_date, both included.',
    'Swap the two dates.');
  PERFORM channel.bi_check(to_date - from_date <= 3660,
    format('the window from %s to %s is longer than ten years', from_date, to_date),
    'The funnel reads the base tables; windows are limited to 3660 days.',
    'Use channel.partner_month for long-range trends.');
  lo := from_date::timestamp AT TIME ZONE 'UTC';
  hi := (to_date + 1)::timestamp AT TIME ZONE 'UTC';
  RETURN QUERY
  SELECT f.partner_id, p.name, p.tier, p.region, f.product_line::channel.product_code,
         sum(f.routed)::int, sum(f.accepted)::int, sum(f.rejected)::int, sum(f.recalled)::int,
         sum(f.converted)::int, sum(f.lost)::int, sum(f.registered)::int, sum(f.won)::int,
         sum(f.won_amount)::numeric(18,2),
         sum(f.accepted)::float8 / nullif(sum(f.accepted + f.rejected + f.recalled), 0),
         sum(f.converted)::float8 / nullif(sum(f.converted + f.lost), 0),
         sum(f.won)::float8 / nullif(sum(f.won + f.deal_lost), 0)
  FROM channel.partner_month_fact f
  JOIN channel.partner p ON p.partner_id = f.partner_id
  WHERE f.at >= lo AND f.at < hi
    AND f.open_amount = 0     -- open registrations are pipeline, not funnel
    AND (me IS NULL OR f.partner_id = me)
  GROUP BY f.partner_id, p.name, p.tier, p.region, f.product_line
  ORDER BY f.partner_id, f.product_line;
END
$$;
COMMENT ON FUNCTION channel.lead_funnel(date, date) IS
  'Lead funnel per partner and product line (with tier and region) for what happened from from_date to to_date (UTC days, both included): routings, acceptances, rejections, recalls, conversions, losses, registrations and wins, with rates. Read from the base tables (always current). A partner caller gets only its own rows. See doc/rollups.md.';

---------------------------------------------------------------- pipeline
-- Stage weights: the chance an open registration in that stage is won.
CREATE FUNCTION channel.pipeline_stage_weight(status channel.deal_status) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE status WHEN 'approved' THEN 0.6 WHEN 'submitted' THEN 0.3 WHEN 'conflict' THEN 0.1 ELSE 0 END;
COMMENT ON FUNCTION channel.pipeline_stage_weight(channel.deal_status) IS
  'Probability of winning assumed for an open registration by stage: approved 0.6, submitted 0.3, conflict 0.1 (closed stages 0).';

CREATE FUNCTION channel.pipeline(quarter date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               product_line channel.product_code, expected_close_month date, open_deals integer,
               open_amount numeric, weighted_amount numeric, weighting text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
  q_start date;
  by_lead boolean := pg_catalog.to_regprocedure('channel.lead_win_probability(channel.lead)') IS NOT NULL;
BEGIN
  PERFORM channel.bi_check(quarter IS NOT NULL AND quarter BETWEEN '2000-01-01' AND '2999-12-31',
    format('quarter must be a date between 2000-01-01 and 2999-12-31, got %s', coalesce(quarter::text, 'NULL')),
    'Any date of the quarter selects it: 2026-08-15 means July to September 2026.',
    'Omit it for the current quarter: SELECT * FROM channel.pipeline();');
  q_start := pg_catalog.date_trunc('quarter', quarter::timestamp)::date;
  -- lead_win_probability comes from the lead-scoring module when it is
  -- installed; it is looked up at run time so this works without it
  RETURN QUERY EXECUTE format($q$
    SELECT d.partner_id, p.name, p.tier, p.region, d.product_line::channel.product_code,
           channel.month_of(d.expected_close), count(*)::int, sum(d.amount)::numeric,
           round(sum(d.amount * w.weight)::numeric, 2),
           CASE WHEN bool_or(w.by_lead) THEN 'lead_win_probability' ELSE 'stage' END
    FROM channel.deal d
    LEFT JOIN channel.partner p ON p.partner_id = d.partner_id
    LEFT JOIN channel.lead l ON l.lead_id = d.lead_id
    CROSS JOIN LATERAL (
      SELECT coalesce(%s, channel.pipeline_stage_weight(d.status)) AS weight, %s AS by_lead
    ) w
    WHERE d.status IN ('submitted', 'approved', 'conflict')
      AND d.expected_close >= $1 AND d.expected_close < ($1 + interval '3 months')::date
      AND ($2::bigint IS NULL OR d.partner_id = $2)
    GROUP BY d.partner_id, p.name, p.tier, p.region, d.product_line, channel.month_of(d.expected_close)
    ORDER BY d.partner_id NULLS LAST, d.product_line, channel.month_of(d.expected_close)$q$,
    CASE WHEN by_lead THEN 'CASE WHEN l.lead_id IS NOT NULL THEN least(greatest(channel.lead_win_probability(l), 0), 1) END'
         ELSE 'NULL::float8' END,
    CASE WHEN by_lead THEN 'l.lead_id IS NOT NULL' ELSE 'false' END)
  USING q_start, me;
END
$$;
COMMENT ON FUNCTION channel.pipeline(date) IS
  'Open registrations (submitted, approved, conflict) expected to close in the calendar quarter of the given date, per partner (NULL = direct sales), product line and month of expected close: count, value, and value weighted by channel.lead_win_probability(lead) for deals from a lead when that function is installed, else by stage (channel.pipeline_stage_weight). A partner caller gets only its own rows. See doc/rollups.md.';

---------------------------------------------------------------- inactive
CREATE FUNCTION channel.inactive_partners(days integer DEFAULT 180)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               status channel.partner_status, last_lead_accepted timestamptz, last_deal_registered timestamptz,
               last_sale timestamptz, last_activity timestamptz, inactive_days integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
BEGIN
  PERFORM channel.bi_check(days IS NOT NULL AND days BETWEEN 1 AND 36500,
    format('days must be between 1 and 36500, got %s', coalesce(days::text, 'NULL')),
    'A partner is inactive when it has not accepted a lead, registered a deal or won one in that many days.',
    'The default is 180 days: SELECT * FROM channel.inactive_partners();');
  RETURN QUERY
  WITH l AS (SELECT x.partner_id, max(x.accepted_at) AS at FROM channel.lead x
             WHERE x.partner_id IS NOT NULL AND x.accepted_at IS NOT NULL GROUP BY x.partner_id),
       r AS (SELECT x.partner_id, max(x.submitted_at) AS at FROM channel.deal x
             WHERE x.partner_id IS NOT NULL GROUP BY x.partner_id),
       s AS (SELECT x.partner_id, max(x.closed_at) AS at FROM channel.deal x
             WHERE x.partner_id IS NOT NULL AND x.status = 'won' GROUP BY x.partner_id),
       a AS (SELECT p.partner_id, p.name, p.tier, p.region, p.status, p.created_at,
                    l.at AS l_at, r.at AS r_at, s.at AS s_at,
                    greatest(l.at, r.at, s.at) AS last_at
             FROM channel.partner p
             LEFT JOIN l ON l.partner_id = p.partner_id
             LEFT JOIN r ON r.partner_id = p.partner_id
             LEFT JOIN s ON s.partner_id = p.partner_id
             WHERE p.status NOT IN ('prospect', 'terminated'))
  SELECT a.partner_id, a.name, a.tier, a.region, a.status, a.l_at, a.r_at, a.s_at, a.last_at,
         floor(extract(epoch FROM now() - coalesce(a.last_at, a.created_at)) / 86400)::int
  FROM a
  WHERE coalesce(a.last_at, '-infinity') < now() - make_interval(days => days)
    AND (me IS NULL OR a.partner_id = me)
  ORDER BY 10 DESC, a.partner_id;
END
$$;
COMMENT ON FUNCTION channel.inactive_partners(integer) IS
  'Partners (other than prospects and terminated ones) that have not accepted a lead, registered a deal or won one in the last days days, with the date of each last activity and how long they have been inactive (since the last activity, or since joining if never active). Read from the base tables. See doc/rollups.md.';

---------------------------------------------------------------- 80/20
CREATE FUNCTION channel.top_partners(share float8 DEFAULT 0.8, as_of date DEFAULT current_date)
RETURNS TABLE (rank integer, partner_id bigint, partner_name text, tier channel.partner_tier,
               region channel.region_code, revenue numeric, revenue_share float8, cumulative_share float8,
               partners_with_revenue integer, partners_share float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
BEGIN
  PERFORM channel.bi_check(share > 0 AND share <= 1,
    format('share must be greater than 0 and at most 1, got %s', coalesce(share::text, 'NULL')),
    'share is the fraction of revenue the smallest set of partners should make (0.8 for the 80/20 view).',
    'Pass a fraction, e.g. 0.8, not a percentage.');
  PERFORM channel.bi_check(as_of IS NOT NULL AND as_of BETWEEN '2000-01-01' AND '2999-12-31',
    format('as_of must be a date between 2000-01-01 and 2999-12-31, got %s', coalesce(as_of::text, 'NULL')),
    'Revenue is summed over the 12 calendar months ending with the month of as_of.',
    'Omit it for today: SELECT * FROM channel.top_partners(0.8);');
  RETURN QUERY
  WITH rev AS (
    SELECT pm.partner_id, sum(pm.won_revenue) AS revenue
    FROM channel.partner_month pm
    WHERE pm.month >= channel.bi_window_start(as_of, 12) AND pm.month <= channel.month_of(as_of)
    GROUP BY pm.partner_id
    HAVING sum(pm.won_revenue) > 0
  ),
  ranked AS (
    SELECT r.partner_id, r.revenue,
           row_number() OVER (ORDER BY r.revenue DESC, r.partner_id) AS rn,
           r.revenue / sum(r.revenue) OVER () AS part,
           sum(r.revenue) OVER (ORDER BY r.revenue DESC, r.partner_id) / sum(r.revenue) OVER () AS cum,
           count(*) OVER () AS n
    FROM rev r
  ),
  chosen AS (
    -- a partner belongs to the set when the partners before it make less than share
    SELECT x.* FROM ranked x WHERE x.cum - x.part < share
  )
  SELECT c.rn::int, c.partner_id, p.name, p.tier, p.region, c.revenue, c.part::float8, c.cum::float8,
         c.n::int, ((SELECT count(*) FROM chosen)::float8 / c.n)
  FROM chosen c JOIN channel.partner p ON p.partner_id = c.partner_id
  WHERE me IS NULL OR c.partner_id = me
  ORDER BY c.rn;
END
$$;
COMMENT ON FUNCTION channel.top_partners(double precision, date) IS
  'The 80/20 view: the smallest set of partners, largest first, whose won revenue over the 12 calendar months ending with the month of as_of (from channel.partner_month, as of the last refresh) makes at least share of the total, with each one''s share, the running share, how many partners had revenue and what fraction of them the set is. See doc/rollups.md.';

-- ===== src/sql/32_jobs.sql =====
-- 32_jobs.sql: the channel's periodic jobs, scheduled through pg_cron.
--
-- pg_cron is optional: it is reached with dynamic SQL only, so channel
-- installs without it.  Its jobs run in the database its extension lives in
-- (cron.database_name), so channel.schedule_jobs() works where both
-- extensions are installed in the same database; anywhere else it raises an
-- error whose hint gives the plain statements to schedule instead.
--
-- A job is registered only when the function it calls exists when
-- schedule_jobs() runs (recall_overdue_leads comes with the lead-routing
-- module, expire_deals with deal registration); the others are listed as
-- not scheduled, and calling schedule_jobs() again once they are installed
-- adds them.  This keeps pg_cron from failing every few minutes on a
-- function that is not there.  Registering is idempotent: pg_cron updates a
-- job of the same name, so calling it again changes the cadences.

-- The jobs: name, what they run, the function that must exist.
CREATE FUNCTION channel.job_catalog()
RETURNS TABLE (job_name text, command text, needs regprocedure, default_schedule text, purpose text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT j.job_name, j.command, pg_catalog.to_regprocedure(j.needs), j.default_schedule, j.purpose
  FROM (VALUES
    (1, 'channel-refresh-rollups', 'CALL channel.refresh_rollups()', 'channel.refresh_dirty_rollups()', '*/15 * * * *',
        'recompute the partner-months changed since the last run'),
    (2, 'channel-recall-leads', 'SELECT channel.recall_overdue_leads()', 'channel.recall_overdue_leads()', '*/5 * * * *',
        'take back routed leads whose acceptance deadline has passed'),
    (3, 'channel-expire-deals', 'SELECT channel.expire_deals()', 'channel.expire_deals()', '7 * * * *',
        'expire registrations whose protection has ended')
  ) AS j(ord, job_name, command, needs, default_schedule, purpose)
  ORDER BY j.ord
$$;
COMMENT ON FUNCTION channel.job_catalog() IS
  'The channel''s periodic jobs: pg_cron job name, the statement it runs, the function that must be installed (NULL when it is not), the default cron schedule and what it is for.';

-- Raises the "no pg_cron here" error, with the statements to run instead.
CREATE FUNCTION channel.jobs_require_pg_cron(schedules text[], unscheduling boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  cron_db text := pg_catalog.current_setting('cron.database_name', true);
  plain   text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    RETURN;
  END IF;
  IF unscheduling THEN
    RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = CASE WHEN cron_db IS NULL THEN 'pg_cron is not loaded in this cluster, so no job of channel''s is scheduled through it.'
                          ELSE pg_catalog.format('pg_cron runs its jobs from database %s (cron.database_name).', cron_db) END,
            HINT = CASE WHEN cron_db IS NULL THEN 'Remove the channel''s entries from whatever scheduler runs them.'
                        ELSE pg_catalog.format('Remove them from database %s: SELECT cron.unschedule(jobid) FROM cron.job WHERE database = %L AND jobname IN (%s);',
                                               cron_db, pg_catalog.current_database(),
                                               (SELECT string_agg(pg_catalog.quote_literal(c.job_name), ', ') FROM channel.job_catalog() c)) END;
  END IF;
  IF cron_db IS NOT NULL AND cron_db <> pg_catalog.current_database() THEN
    SELECT string_agg(pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                                        j.job_name, s.schedule, j.command, pg_catalog.current_database()), ' ')
    INTO plain
    FROM channel.job_catalog() WITH ORDINALITY AS j(job_name, command, needs, default_schedule, purpose, ord)
    JOIN LATERAL (SELECT coalesce(schedules[j.ord], j.default_schedule) AS schedule) s ON true;
    RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('pg_cron runs its jobs from database %s (cron.database_name); channel.schedule_jobs() only works in that database.', cron_db),
            HINT = 'Schedule the jobs from database ' || cron_db || ': ' || plain;
  END IF;
  SELECT string_agg(pg_catalog.format('"%s" %s', s.schedule, j.command), '; ')
  INTO plain
  FROM channel.job_catalog() WITH ORDINALITY AS j(job_name, command, needs, default_schedule, purpose, ord)
  JOIN LATERAL (SELECT coalesce(schedules[j.ord], j.default_schedule) AS schedule) s ON true;
  RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = 'channel.schedule_jobs() registers the channel''s jobs with the pg_cron extension.',
          HINT = 'Install pg_cron (shared_preload_libraries = ''pg_cron'', cron.database_name = '''
                 || pg_catalog.current_database() || ''', then CREATE EXTENSION pg_cron), or run these from any scheduler with psql -d '
                 || pg_catalog.current_database() || ' -c, at the cron schedules shown: ' || plain;
END
$$;
COMMENT ON FUNCTION channel.jobs_require_pg_cron(text[], boolean) IS
  'Raises object_not_in_prerequisite_state, with the statements to schedule (or, when unscheduling, to unschedule) by hand, unless pg_cron is installed in the current database.';

CREATE FUNCTION channel.schedule_jobs(refresh_schedule text DEFAULT '*/15 * * * *',
                                      recall_schedule text DEFAULT '*/5 * * * *',
                                      expire_schedule text DEFAULT '7 * * * *')
RETURNS TABLE (job_name text, schedule text, command text, jobid bigint, note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  schedules text[] := ARRAY[refresh_schedule, recall_schedule, expire_schedule];
  j record;
  id bigint;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can schedule the channel''s jobs'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The calling role acts for a partner.',
            HINT = 'Run it as a channel administrator.';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.unnest(schedules) s WHERE s IS NULL OR pg_catalog.btrim(s) = '') THEN
    RAISE EXCEPTION 'a job schedule must not be NULL or empty'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = pg_catalog.format('Got refresh_schedule %L, recall_schedule %L, expire_schedule %L.',
                                       refresh_schedule, recall_schedule, expire_schedule),
            HINT = 'Give a cron schedule such as ''*/15 * * * *'', or leave the argument out for the default; channel.unschedule_jobs() removes the jobs.';
  END IF;
  PERFORM channel.jobs_require_pg_cron(schedules);
  FOR j IN SELECT c.* FROM channel.job_catalog() WITH ORDINALITY AS c(job_name, command, needs, default_schedule, purpose, ord)
  LOOP
    job_name := j.job_name;
    schedule := schedules[j.ord];
    command := j.command;
    IF j.needs IS NULL THEN
      jobid := NULL;
      note := 'not scheduled: ' || split_part(j.command, ' ', 2) || ' is not installed; call channel.schedule_jobs() again once it is';
    ELSE
      BEGIN
        EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO id USING j.job_name, schedules[j.ord], j.command;
      EXCEPTION WHEN invalid_parameter_value OR internal_error THEN
        RAISE EXCEPTION 'invalid schedule % for job %', pg_catalog.quote_literal(schedules[j.ord]), j.job_name
          USING ERRCODE = 'invalid_parameter_value',
                DETAIL = 'pg_cron says: ' || SQLERRM,
                HINT = 'Use the five fields of cron (minute hour day-of-month month day-of-week), e.g. ''*/15 * * * *'', or @hourly, @daily.';
      END;
      jobid := id;
      note := 'scheduled: ' || j.purpose;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION channel.schedule_jobs(text, text, text) IS
  'Registers the channel''s periodic jobs with pg_cron (installed in this database): channel-refresh-rollups (default every 15 minutes), channel-recall-leads (every 5 minutes), channel-expire-deals (hourly at :07); arguments are cron schedules. A job whose function is not installed is listed as not scheduled. Idempotent. Without pg_cron raises object_not_in_prerequisite_state with the statements to schedule by hand. Vendor only.';

CREATE FUNCTION channel.unschedule_jobs()
RETURNS TABLE (job_name text, jobid bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  j record;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can unschedule the channel''s jobs'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The calling role acts for a partner.',
            HINT = 'Run it as a channel administrator.';
  END IF;
  PERFORM channel.jobs_require_pg_cron(NULL, true);
  FOR j IN EXECUTE 'SELECT k.jobname::text AS job_name, k.jobid FROM cron.job k
                    WHERE k.jobname = ANY ($1) AND k.database = pg_catalog.current_database() ORDER BY k.jobid'
           USING ARRAY(SELECT c.job_name FROM channel.job_catalog() c)
  LOOP
    EXECUTE 'SELECT cron.unschedule($1)' USING j.jobid;
    job_name := j.job_name;
    jobid := j.jobid;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION channel.unschedule_jobs() IS
  'Removes the channel''s pg_cron jobs of this database (those channel.schedule_jobs() registers) and lists what it removed. Without pg_cron raises object_not_in_prerequisite_state. Vendor only.';

-- ===== src/sql/40_security.sql =====
-- 40_security.sql: roles, privileges and row-level security (doc/security.md).
--
-- Runs after every other module's tables and functions exist (10_* .. 32_*),
-- so the blanket REVOKE/GRANT statements below cover them; the lists of
-- partner-facing and read-only functions and of per-partner tables name the
-- other modules' objects as the stream contracts (PLAN.md) fix them, and
-- each grant or policy applies to those that exist.
--
-- Roles are cluster-wide: they are created only when missing, shared by
-- every database that installs channel, and DROP EXTENSION leaves them.

DO $roles$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
      ('channel_admin', 'channel: channel managers -- every table and function of the channel extension, all rows.'),
      ('channel_analyst', 'channel: analysts -- read-only access to every row and the BI functions of the channel extension.'),
      ('channel_partner', 'channel: partner portal users -- their own partner''s rows only, through row-level security and the portal functions.'),
      ('channel_portal', 'channel: the portal application -- what channel_partner may do, for the partner it sets per transaction with channel.set_portal_partner().'))
      AS t(rolname, descr)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.rolname) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.rolname);
      EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.rolname, r.descr);
    END IF;
  END LOOP;
  -- the portal application acts as a partner: it gets exactly channel_partner's
  -- privileges and policies, plus set_portal_partner()
  IF NOT pg_catalog.pg_has_role('channel_portal', 'channel_partner', 'MEMBER') THEN
    GRANT channel_partner TO channel_portal;
  END IF;
END
$roles$;

-- ---------------------------------------------------------------------------
-- Schema and functions
-- ---------------------------------------------------------------------------
GRANT USAGE ON SCHEMA channel TO channel_admin, channel_analyst, channel_partner;

-- Nothing runs for PUBLIC: each role gets the functions it needs.
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA channel FROM PUBLIC;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA channel TO channel_admin;
-- acting for a partner is the portal application's business only
REVOKE EXECUTE ON FUNCTION channel.set_portal_partner(bigint) FROM channel_admin;
GRANT EXECUTE ON FUNCTION channel.set_portal_partner(bigint) TO channel_portal;

-- The functions each role may call, by name (every overload).  Partner-facing
-- ones authorize themselves against channel.current_partner(); the read-only
-- ones change nothing.  Functions called from row-level security policies
-- and from triggers that fire on a role's own writes are in its list too,
-- since they run with the caller's privileges.
CREATE FUNCTION channel.role_functions(role_name name) RETURNS SETOF name
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT f::name FROM unnest(CASE role_name
    WHEN 'channel_partner' THEN ARRAY[
      -- identity, reference data, and what triggers on a partner's writes call
      'current_partner', 'country_region',
      -- portal (41_portal.sql)
      'lead_contact',
      -- deals (issue 3)
      'register_deal', 'extend_deal', 'close_deal',
      -- leads (issue 4)
      'accept_lead', 'reject_lead', 'claim_lead', 'convert_lead', 'lose_lead',
      -- BI (issue 5): filter on current_partner()
      'partner_scorecard', 'lead_funnel']
    WHEN 'channel_analyst' THEN ARRAY[
      'current_partner', 'country_region', 'det_random', 'lead_contact',
      'normalize_company', 'company_similarity',
      'score_lead', 'lead_win_probability', 'partner_fit',
      'partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners']
    END) AS f
$$;
COMMENT ON FUNCTION channel.role_functions(name) IS
  'Names of the channel functions channel_partner or channel_analyst may execute (every overload); the install script grants exactly these, the security tests check it.';
REVOKE EXECUTE ON FUNCTION channel.role_functions(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.role_functions(name) TO channel_admin;

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------
-- Reference data: everyone reads it, admins maintain the product lines
-- (channel.country is the extension's own and comes back with it).
GRANT SELECT ON channel.country, channel.product_line TO channel_admin, channel_analyst, channel_partner;
GRANT INSERT, UPDATE, DELETE ON channel.product_line TO channel_admin;

-- Per-partner tables: admins write, analysts read, partners what follows.
-- No TRUNCATE for anyone: it skips row-level security and triggers.
DO $tables$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partner', 'partner_contact', 'partner_product', 'partner_territory',
                           'certification', 'partner_user', 'lead', 'lead_event', 'deal', 'deal_event',
                           -- other modules' tables, when installed
                           'deal_conflict', 'partner_month', 'scoring_rule', 'reject_reason']
  LOOP
    CONTINUE WHEN pg_catalog.to_regclass('channel.' || t) IS NULL;
    EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON channel.%I TO channel_admin', t);
    EXECUTE pg_catalog.format('GRANT SELECT ON channel.%I TO channel_analyst', t);
  END LOOP;
END
$tables$;

-- The win-probability model: counts over every partner's leads, no row of
-- one partner, so channel managers and analysts may read it (to explain a
-- probability); only train_scoring() writes it, partners only reach it
-- through lead_win_probability().
DO $model$
BEGIN
  IF pg_catalog.to_regclass('channel.win_model') IS NOT NULL THEN
    GRANT SELECT ON channel.win_model, channel.win_model_line TO channel_admin, channel_analyst;
  END IF;
END
$model$;

-- Partners' table privileges.  Column lists are the write rules: a partner
-- never sets status, partner_id (after insert), protection or decision dates
-- of a deal, nor anything of a lead; the policies below add which rows.
GRANT SELECT ON channel.partner, channel.partner_contact, channel.partner_product,
                channel.partner_territory, channel.certification, channel.partner_user,
                channel.lead_event, channel.deal, channel.deal_event
  TO channel_partner;
GRANT UPDATE (website) ON channel.partner TO channel_partner;
GRANT INSERT (partner_id, full_name, email, phone, role, is_primary),
      UPDATE (full_name, email, phone, role, is_primary),
      DELETE
  ON channel.partner_contact TO channel_partner;
-- a lead's contact person is not a column partners read: pool leads are
-- visible to every eligible partner, so contacts come through
-- channel.lead_contact() once the lead is the caller's
GRANT SELECT (lead_id, company, country, region, product_line, source, industry, employees,
              budget, authority, need, timeline_days, score, status, partner_id,
              routed_at, accept_by, accepted_at, closed_at, reject_reason, created_at)
  ON channel.lead TO channel_partner;
GRANT INSERT (partner_id, customer_name, customer_country, product_line, amount, currency, expected_close),
      UPDATE (amount, currency, expected_close)
  ON channel.deal TO channel_partner;

-- The partner a portal user inserts for defaults to itself.
ALTER TABLE channel.deal ALTER COLUMN partner_id SET DEFAULT channel.current_partner();
ALTER TABLE channel.partner_contact ALTER COLUMN partner_id SET DEFAULT channel.current_partner();

-- Reference tables of other modules that partners need to read.
DO $ref$
BEGIN
  IF pg_catalog.to_regclass('channel.reject_reason') IS NOT NULL THEN
    GRANT SELECT ON channel.reject_reason TO channel_partner;
  END IF;
END
$ref$;

-- Functions, by the lists above.
DO $functions$
DECLARE
  grantee name;
  f regprocedure;
BEGIN
  FOREACH grantee IN ARRAY ARRAY['channel_partner', 'channel_analyst']::name[]
  LOOP
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
             WHERE p.pronamespace = 'channel'::regnamespace
               AND p.proname IN (SELECT channel.role_functions(grantee))
    LOOP
      EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', f, grantee);
    END LOOP;
  END LOOP;
END
$functions$;

-- Trigger functions run as the extension's owner: they keep invariants
-- (history, normalized keys, conflict detection) that must see every row
-- and write tables the writer may not -- a partner's INSERT of a deal writes
-- its deal_event row, and a registration is checked against every other
-- partner's, not just the ones the partner can see.  Each gets a pinned
-- search_path if it had none.
DO $triggers$
DECLARE
  f record;
BEGIN
  FOR f IN SELECT DISTINCT p.oid::regprocedure AS fn,
                  NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%') AS needs_path
           FROM pg_catalog.pg_trigger tg
           JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
           JOIN pg_catalog.pg_proc p ON p.oid = tg.tgfoid
           WHERE c.relnamespace = 'channel'::regnamespace AND NOT tg.tgisinternal
             AND p.pronamespace = 'channel'::regnamespace AND NOT p.prosecdef
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SECURITY DEFINER', f.fn);
    IF f.needs_path THEN
      EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, channel, pg_temp', f.fn);
    END IF;
  END LOOP;
END
$triggers$;

-- ---------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------
-- Enabled and FORCED on every table holding partner data: FORCE subjects
-- the tables' owner too, so that should the extension ever be owned by a
-- role that is not a superuser, that role's queries (and the SECURITY
-- DEFINER functions it owns) see rows only through a policy -- such an
-- owner must then be a member of channel_admin.  Superusers and BYPASSRLS
-- roles skip row-level security whatever FORCE says (doc/security.md).
--
-- channel_admin: every row, every command.  channel_analyst: every row, read.
DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partner', 'partner_contact', 'partner_product', 'partner_territory',
                           'certification', 'partner_user', 'lead', 'lead_event', 'deal', 'deal_event',
                           'deal_conflict', 'partner_month']
  LOOP
    CONTINUE WHEN pg_catalog.to_regclass('channel.' || t) IS NULL;
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR ALL TO channel_admin USING (true) WITH CHECK (true)',
      t || '_admin', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_admin', t,
      'Channel managers (channel_admin) see and write every row.');
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR SELECT TO channel_analyst USING (true)',
      t || '_analyst', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_analyst', t,
      'Analysts (channel_analyst) read every row; their table privileges are SELECT only.');
  END LOOP;
END
$rls$;

-- channel_partner: its own rows.  Every policy compares with
-- channel.current_partner(), which is STABLE and cached per transaction, so
-- the planner can use it as an index key (partner_id indexes exist on every
-- table below).  For an unmapped member of channel_partner it raises
-- instead of returning NULL, and `partner_id = NULL` is never true anyway.

CREATE POLICY partner_own ON channel.partner FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY partner_own ON channel.partner IS
  'A partner sees its own partner row, not even its distributor''s or its resellers''.';
CREATE POLICY partner_own_update ON channel.partner FOR UPDATE TO channel_partner
  USING (partner_id = channel.current_partner())
  WITH CHECK (partner_id = channel.current_partner());
COMMENT ON POLICY partner_own_update ON channel.partner IS
  'A partner updates its own row (column privileges: website only).';

CREATE POLICY partner_contact_own ON channel.partner_contact FOR ALL TO channel_partner
  USING (partner_id = channel.current_partner())
  WITH CHECK (partner_id = channel.current_partner());
COMMENT ON POLICY partner_contact_own ON channel.partner_contact IS
  'A partner reads and maintains its own contacts, and cannot move one to another partner.';

CREATE POLICY partner_product_own ON channel.partner_product FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY partner_product_own ON channel.partner_product IS
  'A partner sees its own product authorizations.';

CREATE POLICY partner_territory_own ON channel.partner_territory FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY partner_territory_own ON channel.partner_territory IS
  'A partner sees its own territories.';

CREATE POLICY certification_own ON channel.certification FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY certification_own ON channel.certification IS
  'A partner sees its own certifications.';

CREATE POLICY partner_user_own ON channel.partner_user FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY partner_user_own ON channel.partner_user IS
  'A partner sees which database roles act for it (its own colleagues), nobody else''s.';

-- Leads: those the partner holds or last held (partner_id), and the pool
-- leads it could claim -- authorized for the product line and covering the
-- lead's country or region, like routing (the subqueries run under the
-- partner's own policies, so they only ever read its own rows).  A pool lead
-- shows what a partner needs to decide whether to claim it (company, place,
-- product, qualification, score), never its contact person: that column is
-- not granted, and channel.lead_contact() gives it for the partner's own
-- accepted leads.  A lead re-routed to another partner disappears.
CREATE POLICY lead_own_or_claimable ON channel.lead FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner()
         OR (status = 'pooled'
             AND EXISTS (SELECT 1 FROM channel.partner_product pp
                         WHERE pp.partner_id = channel.current_partner()
                           AND pp.product_line = lead.product_line)
             AND EXISTS (SELECT 1 FROM channel.partner_territory pt
                         WHERE pt.partner_id = channel.current_partner()
                           AND (pt.country = lead.country OR pt.region = lead.region))));
COMMENT ON POLICY lead_own_or_claimable ON channel.lead IS
  'A partner sees the leads it holds or last held, and pool leads of its product lines in its territory (without contact details).';

-- History: only the events that concern the partner, so a lead that another
-- partner rejected before it reached this one does not say who or why.
CREATE POLICY lead_event_own ON channel.lead_event FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY lead_event_own ON channel.lead_event IS
  'A partner sees the lead transitions that concern it (partner_id is its own), not the rest of a lead''s journey.';

CREATE POLICY deal_own ON channel.deal FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY deal_own ON channel.deal IS 'A partner sees its own deal registrations.';
CREATE POLICY deal_own_insert ON channel.deal FOR INSERT TO channel_partner
  WITH CHECK (partner_id = channel.current_partner());
COMMENT ON POLICY deal_own_insert ON channel.deal IS
  'A partner registers deals for itself only (column privileges keep status, protection and decision columns at their defaults).';
CREATE POLICY deal_own_update ON channel.deal FOR UPDATE TO channel_partner
  USING (partner_id = channel.current_partner() AND status = 'submitted')
  WITH CHECK (partner_id = channel.current_partner());
COMMENT ON POLICY deal_own_update ON channel.deal IS
  'A partner corrects amount, currency and expected close of its own deals while they await a decision; after approval only the deal functions change them.';

CREATE POLICY deal_event_own ON channel.deal_event FOR SELECT TO channel_partner
  USING (EXISTS (SELECT 1 FROM channel.deal d
                 WHERE d.deal_id = deal_event.deal_id AND d.partner_id = channel.current_partner()));
COMMENT ON POLICY deal_event_own ON channel.deal_event IS 'A partner sees the history of its own deals.';

-- Other modules' per-partner tables, when installed.  channel.deal_conflict
-- gets no partner policy and no partner privilege at all: each of its rows
-- names another registration, so a partner learns of a conflict only as its
-- own deal's status.
DO $partner_tables$
BEGIN
  IF pg_catalog.to_regclass('channel.partner_month') IS NOT NULL THEN
    GRANT SELECT ON channel.partner_month TO channel_partner;
    CREATE POLICY partner_month_own ON channel.partner_month FOR SELECT TO channel_partner
      USING (partner_id = channel.current_partner());
    COMMENT ON POLICY partner_month_own ON channel.partner_month IS
      'A partner sees its own monthly rollup rows.';
  END IF;
END
$partner_tables$;

-- ===== src/sql/41_portal.sql =====
-- 41_portal.sql: portal functions of the portal stream itself.
--
-- The partner-facing actions (register_deal, accept_lead, ...) belong to the
-- deals and leads modules; 40_security.sql grants them to channel_partner.
-- What is here fills the gaps row-level security leaves.

-- A lead's contact person, for the partner that accepted the lead (the
-- column is not granted to partners because pool leads are visible to every
-- eligible partner).  The vendor gets any lead's contact.
CREATE FUNCTION channel.lead_contact(lead_id bigint)
RETURNS TABLE (contact_name text, contact_email text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
  l record;
BEGIN
  IF lead_contact.lead_id IS NULL THEN
    RAISE EXCEPTION 'lead_id must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the id of one of your accepted leads.';
  END IF;
  SELECT ld.partner_id, ld.status, ld.contact_name, ld.contact_email INTO l
  FROM channel.lead ld WHERE ld.lead_id = lead_contact.lead_id;
  IF NOT FOUND OR (me IS NOT NULL AND l.partner_id IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'lead % does not exist', lead_contact.lead_id
      USING ERRCODE = 'no_data_found',
            HINT = 'Contact details are given for the leads you hold, once accepted.';
  END IF;
  IF me IS NOT NULL AND l.status NOT IN ('accepted', 'converted', 'lost') THEN
    RAISE EXCEPTION 'lead % is not accepted', lead_contact.lead_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('The lead is %s; its contact is given once you accept it.', l.status),
            HINT = 'Accept it first with channel.accept_lead().';
  END IF;
  RETURN QUERY SELECT l.contact_name, l.contact_email;
END
$$;
COMMENT ON FUNCTION channel.lead_contact(bigint) IS
  'Contact name and e-mail of a lead: for a partner, only a lead it holds and has accepted (else "lead N does not exist", as for a missing id); for the vendor, any lead.';
REVOKE EXECUTE ON FUNCTION channel.lead_contact(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.lead_contact(bigint) TO channel_admin, channel_partner, channel_analyst;

-- ===== src/sql/90_demo.sql =====
-- 90_demo.sql: channel.generate_demo(), a realistic channel for demos,
-- tests and benchmarks.
--
-- Everything random comes from channel.det_random(seed, stream, index), so
-- a seed (and as_of date) always yields the same channel, whatever plan
-- the server picks.  Streams: one number per independent decision.

CREATE TABLE channel.demo_language (
  lang       text PRIMARY KEY,
  stems      text[] NOT NULL,
  partner_words text[] NOT NULL,
  industries text[] NOT NULL,
  first_names text[] NOT NULL,
  last_names  text[] NOT NULL,
  joiner     text NOT NULL DEFAULT ' '
);
COMMENT ON TABLE channel.demo_language IS
  'Vocabulary generate_demo composes company and person names from, per language/script. Demo data only.';
COMMENT ON COLUMN channel.demo_language.lang IS 'Language key (en, de, fr, es, pt, it, nl, nordic, pl, tr, ru, el, ja, zh, ko).';
COMMENT ON COLUMN channel.demo_language.stems IS 'Distinctive name stems (place names, family names, brands).';
COMMENT ON COLUMN channel.demo_language.partner_words IS 'IT-trade words for partner names (Data Systems, Informatique, ...).';
COMMENT ON COLUMN channel.demo_language.industries IS 'Industry words for end-customer names (Bank, Logistik, ...).';
COMMENT ON COLUMN channel.demo_language.first_names IS 'Given names for contacts.';
COMMENT ON COLUMN channel.demo_language.last_names IS 'Family names for contacts.';
COMMENT ON COLUMN channel.demo_language.joiner IS 'What separates name parts: a space, or nothing for Chinese and Japanese.';

INSERT INTO channel.demo_language VALUES
 ('en', '{Apex,Summit,Bluewater,Redwood,Ironbridge,Northgate,Keystone,Pinnacle,Silverline,Harbor,Granite,Clearview,Brightpath,Evergreen,Frontier,Liberty,Lakeside,Meridian,Oakridge,Pioneer,Riverbend,Stonegate,Trident,Vanguard,Westfield,Crescent,Falcon,Horizon,Beacon,Cascade,Sterling,Atlas,Copperfield,Highland,Maple,Orchard,Prairie,Quantum,Sentinel,Union}',
  '{"Data Systems","IT Solutions",Networks,"Technology Group",Computing,"Cloud Services",Integration,Digital,Infotech,"Managed Services",Consulting,"Micro Systems","Tech Partners","Business Systems","Secure Networks"}',
  '{Manufacturing,Logistics,Foods,Healthcare,Energy,Insurance,Bank,Retail,Pharmaceuticals,Motors,Airlines,Hotels,Construction,Telecom,Textiles,Chemicals,Mining,Shipping,University,Holdings,Group,Industries}',
  '{James,Mary,John,Patricia,Robert,Jennifer,Michael,Linda,David,Elizabeth,Priya,Wei,Aisha,Carlos}',
  '{Smith,Johnson,Williams,Brown,Jones,Miller,Davis,Wilson,Taylor,Clark,Patel,Nguyen,O''Brien,Walsh}', ' '),
 ('de', '{Müller,Schäfer,Bäcker,Köhler,Schröder,Weiß,Groß,Krüger,Hoffmann,Becker,Wagner,Fischer,Zimmermann,Braun,Hartmann,Lübeck,München,Nürnberg,Rheinland,Elbe}',
  '{IT-Systeme,Datentechnik,Netzwerke,Informatik,Systemhaus,Rechenzentrum,IT-Service,Computertechnik,Kommunikationstechnik,Digitaltechnik}',
  '{Maschinenbau,Logistik,Lebensmittel,Versicherung,Stahlwerke,Brauerei,Elektrotechnik,Klinikum,Bau,Chemie,Werkzeugbau,Autohaus}',
  '{Jürgen,Anna,Klaus,Sabine,Stefan,Birgit,Thomas,Ute,Jörg,Käthe}',
  '{Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schäfer,Groß}', ' '),
 ('fr', '{Générale,Lumière,Étoile,Côte,Château,Forêt,Crédit,Réseau,Pélican,Vallée,Orée,Bréhat,Provençale,Nantaise,Lyonnaise,Alsacienne,Bretonne,Océane,Mistral,Aubépine}',
  '{Informatique,Réseaux,Systèmes,"Services Numériques",Télécom,"Solutions Cloud",Intégration,Conseil,Données,"Sécurité Informatique"}',
  '{Banque,Assurances,Énergie,Transports,Hôtellerie,Électricité,Télécommunications,Pharmacie,Industries,Distribution,Agroalimentaire,Aéronautique}',
  '{Jean,Marie,François,Hélène,Benoît,Cécile,Jérôme,Élodie,Gaël,Noémie}',
  '{Martin,Bernard,Dubois,Thomas,Robert,Petit,Lefèvre,Garnier,Fournier,Girard}', ' '),
 ('es', '{Ibérica,Andaluza,Cantábrica,Peñalara,Montaña,Ñandú,Castellana,Gallega,Levante,Solar,Águila,"Río Claro",Azteca,Andina,Pampa,Cóndor,Valle,Mediterránea,Atlántica,Sierra}',
  '{Informática,Sistemas,Redes,Tecnología,"Soluciones TI",Comunicaciones,Consultoría,Datos,"Servicios Digitales",Seguridad}',
  '{Banco,Seguros,Energía,Construcciones,Alimentación,Transportes,Telecomunicaciones,Farmacéutica,Minera,Hoteles,Textil,Industrias}',
  '{José,María,Javier,Lucía,Andrés,Sofía,Raúl,Inés,Íñigo,Begoña}',
  '{García,Fernández,López,Martínez,Sánchez,Pérez,Gómez,Muñoz,Núñez,Ibáñez}', ' '),
 ('pt', '{Atlântica,"São Jorge",Guaraná,Paulista,Carioca,Mineira,Lusitana,Ipê,Jacarandá,Tropical,Amazônia,Cabral,Estrela,"Boa Vista",Pinheiro}',
  '{Informática,Sistemas,Redes,Tecnologia,Soluções,Telecomunicações,Consultoria,Dados,"Serviços Digitais",Segurança}',
  '{Banco,Seguros,Energia,Construções,Alimentos,Transportes,Mineração,Farmacêutica,Têxtil,Siderúrgica}',
  '{João,Ana,Luís,Conceição,Sebastião,Márcia,Thiago,Fernanda}',
  '{Silva,Santos,Oliveira,Souza,Conceição,Gonçalves,Araújo,Magalhães}', ' '),
 ('it', '{Lombarda,Toscana,Veneta,Adriatica,Ligure,Padana,Sabauda,Etrusca,Partenope,Dolomiti,Vesuvio,Aurora,Fenice,Leonardo,Marconi}',
  '{Informatica,Sistemi,Reti,Tecnologie,"Soluzioni IT",Telecomunicazioni,Consulenza,Dati,"Servizi Digitali",Sicurezza}',
  '{Banca,Assicurazioni,Energia,Costruzioni,Alimentari,Trasporti,Farmaceutica,Acciaierie,Tessile,Industrie}',
  '{Giuseppe,Maria,Niccolò,Francesca,Luca,Chiara,Andrea,Giulia}',
  '{Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Colombo,Ricci}', ' '),
 ('nl', '{Oranje,Delta,Polder,Zeeland,Brabant,Hollandse,IJssel,Rijn,Noorder,Tulp,Molen,Duin}',
  '{Automatisering,ICT,Netwerken,Systemen,Dataservices,"IT Diensten",Techniek}',
  '{Bank,Verzekeringen,Energie,Bouw,Logistiek,Voeding,Havenbedrijf,Zorggroep}',
  '{Jan,Sanne,Pieter,Femke,Daan,Anouk}',
  '{"de Jong",Jansen,"de Vries","van den Berg","van Dijk",Bakker}', ' '),
 ('nordic', '{Nordström,Fjällvik,Skärgård,Ålesund,Øresund,Björkdal,Söderberg,Lindqvist,Kivimäki,Järvinen,Hämeen,Vänern,Fjord}',
  '{Data,IT-Konsult,Nätverk,Systemer,Teknik,Digital,Tietotekniikka,Datasystem}',
  '{Bank,Försäkring,Energi,Bygg,Logistik,Livsmedel,Skog,Rederi,Verkstäder}',
  '{Lars,Åsa,Björn,Sofie,Mikko,Päivi,Søren,Ingrid}',
  '{Andersson,Johansson,Nieminen,Hansen,Jørgensen,Lindström,Øberg,Virtanen}', ' '),
 ('pl', '{Wisła,Mazowsze,Kraków,Gdańsk,Łódź,Śląsk,Pomorze,Żuraw,Bałtyk,Tatry,Warta,Orzeł}',
  '{Informatyka,Systemy,Sieci,Technologie,"Usługi IT",Telekomunikacja,Dane}',
  '{Bank,Ubezpieczenia,Energetyka,Budownictwo,Logistyka,Żywność,Huta,Farmacja}',
  '{Piotr,Agnieszka,Łukasz,Małgorzata,Paweł,Zofia}',
  '{Nowak,Kowalski,Wiśniewski,Wójcik,Kamiński,Lewandowski}', ' '),
 ('tr', '{Anadolu,Boğaziçi,Karadeniz,Ege,Çukurova,İstanbul,Kapadokya,Marmara,Toros,Yıldız}',
  '{Bilişim,Sistemleri,Teknoloji,"Ağ Çözümleri",Yazılım,Veri,Dijital}',
  '{Bankası,Sigorta,Enerji,İnşaat,Lojistik,Gıda,Tekstil,Otomotiv}',
  '{Mehmet,Ayşe,Mustafa,Fatma,Emre,Zeynep}',
  '{Yılmaz,Kaya,Demir,Şahin,Çelik,Öztürk}', ' '),
 ('ru', '{Север,Волга,Урал,Сибирь,Байкал,Алмаз,Восток,Нева,Енисей,Кристалл,Звезда,Прогресс}',
  '{Информ,Системы,Телеком,Технологии,Софт,Сеть,Данные,Интеграция}',
  '{Банк,Страхование,Энергия,Строй,Логистика,Продукты,Сталь,Нефть}',
  '{Иван,Ольга,Сергей,Наталья,Дмитрий,Елена}',
  '{Иванов,Смирнов,Кузнецов,Попов,Васильев,Петров}', ' '),
 ('el', '{Όλυμπος,Αιγαίο,Ακρόπολις,Κρήτη,Ερμής,Αθηνά,Ποσειδών,Δήλος,Πήγασος,Ορίζων}',
  '{Πληροφορική,Συστήματα,Δίκτυα,Τεχνολογία,Λογισμικό,Ψηφιακή}',
  '{Τράπεζα,Ασφαλιστική,Ενέργεια,Κατασκευές,Τρόφιμα,Ναυτιλιακή}',
  '{Γιώργος,Μαρία,Νίκος,Ελένη,Κώστας,Σοφία}',
  '{Παπαδόπουλος,Παπαδάκης,Γεωργίου,Οικονόμου,Βασιλείου,Νικολάου}', ' '),
 ('ja', '{富士,日本,東京,大阪,北海,桜,山田,青葉,太陽,光,三和,中央}',
  '{情報システム,ネットワーク,データ,テクノロジー,ソリューションズ,電子,通信}',
  '{銀行,保険,電力,建設,物流,食品,製鉄,製薬,自動車,商事}',
  '{太郎,花子,健,美咲,大輔,陽子}',
  '{佐藤,鈴木,高橋,田中,伊藤,渡辺}', ''),
 ('zh', '{华夏,长城,东方,金桥,神州,中科,天河,浦东,长江,蓝海,新世纪,联合}',
  '{信息技术,网络科技,数据,软件,系统集成,通信,电子}',
  '{银行,保险,能源,建设,物流,食品,钢铁,制药,汽车,集团}',
  '{伟,芳,娜,敏,静,强}',
  '{王,李,张,刘,陈,杨}', ''),
 ('ko', '{한빛,대한,서울,미래,하나,태평양,동방,새한,우리,한강}',
  '{정보통신,네트웍스,데이터,시스템,테크,솔루션}',
  '{은행,보험,에너지,건설,물류,식품,제철,제약,자동차,전자}',
  '{민준,서연,지훈,하은,도윤,수빈}',
  '{김,이,박,최,정,강}', '');

CREATE TABLE channel.demo_country_profile (
  country   channel.country_code PRIMARY KEY REFERENCES channel.country (code),
  weight    float8 NOT NULL CHECK (weight > 0),
  lang      text NOT NULL REFERENCES channel.demo_language (lang),
  suffixes  text[] NOT NULL,
  suffix_first boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE channel.demo_country_profile IS
  'Countries generate_demo places partners and customers in: relative weight, naming language and local legal-form suffixes. Demo data only.';
COMMENT ON COLUMN channel.demo_country_profile.country IS 'The country.';
COMMENT ON COLUMN channel.demo_country_profile.weight IS 'Relative share of partners and leads.';
COMMENT ON COLUMN channel.demo_country_profile.lang IS 'Vocabulary used for names there.';
COMMENT ON COLUMN channel.demo_country_profile.suffixes IS 'Legal-form suffixes as written locally, most common first.';
COMMENT ON COLUMN channel.demo_country_profile.suffix_first IS 'Whether the legal form usually precedes the name (ООО «...», 株式会社...).';

INSERT INTO channel.demo_country_profile VALUES
 ('US', 20, 'en', '{Inc.,LLC,Corp.,Inc,"Co."}', false),
 ('GB', 6, 'en', '{Ltd,Limited,PLC,Ltd.}', false),
 ('CA', 3, 'en', '{Inc.,Ltd.,Corp.}', false),
 ('AU', 3, 'en', '{"Pty Ltd","Pty. Ltd.",Limited}', false),
 ('IN', 4, 'en', '{"Pvt. Ltd.","Private Limited",Ltd}', false),
 ('SG', 1, 'en', '{"Pte. Ltd.","Pte Ltd"}', false),
 ('IE', 1, 'en', '{Ltd,DAC,Limited}', false),
 ('NZ', 0.5, 'en', '{Limited,Ltd}', false),
 ('ZA', 1, 'en', '{"(Pty) Ltd","Pty Ltd"}', false),
 ('AE', 1, 'en', '{LLC,FZ-LLC,PJSC}', false),
 ('DE', 7, 'de', '{GmbH,AG,"GmbH & Co. KG",KGaA}', false),
 ('AT', 1, 'de', '{GmbH,AG}', false),
 ('CH', 1.5, 'de', '{AG,GmbH,SA}', false),
 ('FR', 6, 'fr', '{S.A.,SAS,SARL,S.A.S.}', false),
 ('BE', 1, 'fr', '{SA,SRL,NV}', false),
 ('ES', 3, 'es', '{S.A.,S.L.,S.L.U.}', false),
 ('MX', 2, 'es', '{"S.A. de C.V.","S. de R.L. de C.V."}', false),
 ('AR', 1, 'es', '{S.A.,S.R.L.}', false),
 ('CO', 1, 'es', '{S.A.S.,Ltda.}', false),
 ('CL', 1, 'es', '{SpA,S.A.,Ltda.}', false),
 ('BR', 3, 'pt', '{Ltda.,S.A.,S/A}', false),
 ('PT', 1, 'pt', '{Lda.,S.A.}', false),
 ('IT', 3, 'it', '{S.p.A.,S.r.l.,Srl}', false),
 ('NL', 2, 'nl', '{B.V.,N.V.,BV}', false),
 ('SE', 1.5, 'nordic', '{AB,"AB (publ)"}', false),
 ('NO', 1, 'nordic', '{AS,ASA}', false),
 ('DK', 1, 'nordic', '{A/S,ApS}', false),
 ('FI', 1, 'nordic', '{Oy,Oyj}', false),
 ('PL', 2, 'pl', '{"Sp. z o.o.",S.A.}', false),
 ('TR', 1, 'tr', '{A.Ş.,"Ltd. Şti."}', false),
 ('RU', 2, 'ru', '{ООО,АО,ПАО}', true),
 ('GR', 1, 'el', '{Α.Ε.,Ε.Π.Ε.,Ι.Κ.Ε.}', false),
 ('JP', 5, 'ja', '{株式会社,有限会社}', true),
 ('CN', 4, 'zh', '{有限公司,股份有限公司,有限责任公司}', false),
 ('TW', 1, 'zh', '{股份有限公司,有限公司}', false),
 ('KR', 2, 'ko', '{주식회사}', true);

-- A name from its parts the way it is written in that country.
CREATE FUNCTION channel.demo_compose_name(core text, suffix text, lang text, suffix_first boolean)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE
    WHEN suffix IS NULL OR suffix = '' THEN core
    WHEN lang = 'ru' THEN suffix || ' «' || core || '»'
    WHEN lang IN ('ja', 'zh') AND suffix_first THEN suffix || core
    WHEN lang IN ('ja', 'zh') THEN core || suffix
    WHEN suffix_first THEN suffix || ' ' || core
    ELSE core || ' ' || suffix
  END
$$;
COMMENT ON FUNCTION channel.demo_compose_name(text, text, text, boolean) IS
  'Demo helper: joins a company core name and legal form as written locally (ООО «X», 株式会社X, X GmbH).';

-- The spellings a real CRM ends up with for one company: upper case, no
-- legal form, accents stripped with the suffix written differently, a typo.
CREATE FUNCTION channel.demo_name_variant(core text, suffix text, lang text, suffix_first boolean, variant integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE variant
    WHEN 1 THEN upper(channel.demo_compose_name(core, suffix, lang, suffix_first))
    WHEN 2 THEN core
    WHEN 3 THEN translate(core,
                 'áàâäãåéèêëíìîïóòôöõøúùûüçñßÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕØÚÙÛÜÇÑłŁśŚżŻźŹąĄęĘńŃćĆğĞışŞİ',
                 'aaaaaaeeeeiiiioooooouuuucnsAAAAAAEEEEIIIIOOOOOOUUUUCNlLsSzZzZaAeEnNcCgGisSI')
                || CASE WHEN suffix IS NULL OR suffix = '' THEN '' ELSE ' ' || replace(suffix, '.', '') END
    WHEN 4 THEN  -- swap two neighbouring letters in the middle of the core
      CASE WHEN length(core) < 5 THEN core
           ELSE substr(core, 1, length(core) / 2 - 1)
                || substr(core, length(core) / 2 + 1, 1)
                || substr(core, length(core) / 2, 1)
                || substr(core, length(core) / 2 + 2)
                || CASE WHEN suffix IS NULL OR suffix = '' THEN '' ELSE ' ' || suffix END
      END
    ELSE channel.demo_compose_name(core, suffix, lang, suffix_first)
  END
$$;
COMMENT ON FUNCTION channel.demo_name_variant(text, text, text, boolean, integer) IS
  'Demo helper: spelling variant of a company name (0 canonical, 1 upper case, 2 no legal form, 3 accents stripped and suffix without dots, 4 a typo).';

-- Well-known end customers, with the variants that cause missed conflicts.
CREATE TABLE channel.demo_famous_customer (
  core    text NOT NULL,
  suffix  text NOT NULL,
  country channel.country_code NOT NULL REFERENCES channel.country (code),
  PRIMARY KEY (core, country)
);
COMMENT ON TABLE channel.demo_famous_customer IS
  'Real-world end-customer names (core name, legal form, country) the demo uses first, so conflicts under name variants look like the real thing. Demo data only.';
COMMENT ON COLUMN channel.demo_famous_customer.core IS 'Name without its legal form.';
COMMENT ON COLUMN channel.demo_famous_customer.suffix IS 'Legal form as usually written ('''' when none).';
COMMENT ON COLUMN channel.demo_famous_customer.country IS 'Home country.';
INSERT INTO channel.demo_famous_customer VALUES
 ('Société Générale', 'S.A.', 'FR'), ('Crédit Agricole', 'S.A.', 'FR'), ('Électricité de France', 'S.A.', 'FR'),
 ('L''Oréal', 'S.A.', 'FR'), ('Carrefour', 'S.A.', 'FR'), ('Deutsche Telekom', 'AG', 'DE'), ('Siemens', 'AG', 'DE'),
 ('Bayerische Motoren Werke', 'AG', 'DE'), ('Müller Logistik', 'GmbH', 'DE'), ('Nestlé', 'S.A.', 'CH'),
 ('Zürcher Kantonalbank', '', 'CH'), ('Banco Santander', 'S.A.', 'ES'), ('Telefónica', 'S.A.', 'ES'),
 ('Volvo Personvagnar', 'AB', 'SE'), ('Nokia', 'Oyj', 'FI'), ('A.P. Møller - Mærsk', 'A/S', 'DK'), ('Equinor', 'ASA', 'NO'),
 ('Koninklijke Philips', 'N.V.', 'NL'), ('Heineken', 'N.V.', 'NL'), ('Enel', 'S.p.A.', 'IT'),
 ('Assicurazioni Generali', 'S.p.A.', 'IT'), ('Petróleo Brasileiro', 'S.A.', 'BR'), ('Itaú Unibanco', 'S.A.', 'BR'),
 ('Grupo Bimbo', 'S.A.B. de C.V.', 'MX'), ('Ecopetrol', 'S.A.', 'CO'), ('Газпром', 'ПАО', 'RU'), ('Сбербанк', 'ПАО', 'RU'),
 ('Ростелеком', 'ПАО', 'RU'), ('Ελληνικά Πετρέλαια', 'Α.Ε.', 'GR'), ('Τράπεζα Πειραιώς', 'Α.Ε.', 'GR'),
 ('トヨタ自動車', '株式会社', 'JP'), ('日立製作所', '株式会社', 'JP'), ('华为技术', '有限公司', 'CN'),
 ('联想集团', '有限公司', 'CN'), ('台灣積體電路製造', '股份有限公司', 'TW'), ('삼성전자', '주식회사', 'KR'),
 ('International Business Machines', 'Corporation', 'US'), ('General Electric', 'Company', 'US'),
 ('Procter & Gamble', 'Co.', 'US'), ('AT&T', 'Inc.', 'US'), ('Johnson & Johnson', '', 'US'),
 ('Tata Consultancy Services', 'Limited', 'IN'), ('Infosys', 'Ltd', 'IN'), ('BHP Group', 'Limited', 'AU'),
 ('Royal Bank of Canada', '', 'CA'), ('Barclays', 'PLC', 'GB'), ('Marks & Spencer Group', 'plc', 'GB'),
 ('Türk Telekomünikasyon', 'A.Ş.', 'TR'), ('Koç Holding', 'A.Ş.', 'TR'), ('Orlen', 'S.A.', 'PL'),
 ('Żabka Polska', 'Sp. z o.o.', 'PL'), ('Singapore Telecommunications', 'Limited', 'SG');

CREATE FUNCTION channel.demo_pick(items anyarray, u float8)
RETURNS anyelement
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT items[1 + floor(u * cardinality(items))::int] $$;
COMMENT ON FUNCTION channel.demo_pick(anyarray, float8) IS
  'Demo helper: the element of items at position floor(u * length) + 1, for u in [0, 1).';

CREATE FUNCTION channel.generate_demo(partners integer DEFAULT 27500,
                                      leads integer DEFAULT 200000,
                                      seed integer DEFAULT 1,
                                      as_of date DEFAULT current_date)
RETURNS TABLE (item text, how_many bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  t_end   timestamptz := as_of + time '12:00';   -- "now" of the demo world
  n_cust  integer;
  s       bigint := seed;
  scratch text;
BEGIN
  IF partners IS NULL OR partners < 20 OR partners > 5000000 THEN
    RAISE EXCEPTION 'partners must be between 20 and 5000000'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', partners),
            HINT = 'The IDC-shaped default is 27500 partners.';
  END IF;
  IF leads IS NULL OR leads < 0 OR leads > 50000000 THEN
    RAISE EXCEPTION 'leads must be between 0 and 50000000'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', leads);
  END IF;
  IF seed IS NULL OR as_of IS NULL THEN
    RAISE EXCEPTION 'seed and as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF EXISTS (SELECT 1 FROM channel.partner) OR EXISTS (SELECT 1 FROM channel.lead)
     OR EXISTS (SELECT 1 FROM channel.deal) THEN
    RAISE EXCEPTION 'the channel already holds data'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'generate_demo only fills an empty channel, so it never mixes demo rows with real ones.',
            HINT = 'Use a fresh database, or TRUNCATE channel.partner, channel.lead, channel.deal CASCADE first.';
  END IF;

  -- scratch tables of an earlier call in this transaction (ON COMMIT DROP
  -- has not fired yet)
  FOREACH scratch IN ARRAY ARRAY['demo_cty', 'demo_lines', 'demo_partner', 'demo_customer', 'demo_lead',
                                 'demo_taker', 'demo_deal'] LOOP
    IF to_regclass('pg_temp.' || scratch) IS NOT NULL THEN
      EXECUTE format('DROP TABLE pg_temp.%I', scratch);
    END IF;
  END LOOP;

  RAISE NOTICE 'generate_demo: % partners', partners;
  INSERT INTO channel.product_line (code, name, requires_certification, min_cert_level, protection_days) VALUES
    ('STORAGE', 'Storage arrays and backup', true, 'associate', 90),
    ('SERVERS', 'Rack and blade servers', false, 'associate', 90),
    ('NETWORKING', 'Switching, routing and Wi-Fi', false, 'associate', 90),
    ('SECURITY', 'Firewalls and endpoint security', true, 'professional', 90),
    ('CLOUD', 'Hybrid cloud platform subscriptions', true, 'associate', 120),
    ('SOFTWARE', 'Infrastructure software licences', false, 'associate', 90),
    ('SERVICES', 'Professional and support services', false, 'associate', 60),
    ('EDGE_IOT', 'Edge computing and IoT gateways', true, 'professional', 90)
  ON CONFLICT (code) DO NOTHING;

  -- countries on a [lo, hi) stretch of [0, 1) proportional to their weight
  CREATE TEMP TABLE demo_cty ON COMMIT DROP AS
    SELECT p.country, p.lang, p.suffixes, p.suffix_first, c.region, l.stems, l.partner_words,
           l.industries, l.first_names, l.last_names,
           coalesce(sum(p.weight) OVER w_before, 0) / sum(p.weight) OVER () AS lo,
           sum(p.weight) OVER w_upto / sum(p.weight) OVER () AS hi
    FROM channel.demo_country_profile p
    JOIN channel.country c ON c.code = p.country
    JOIN channel.demo_language l ON l.lang = p.lang
    WINDOW w_upto AS (ORDER BY p.country ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
           w_before AS (ORDER BY p.country ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING);

  CREATE TEMP TABLE demo_lines ON COMMIT DROP AS
    SELECT code, row_number() OVER (ORDER BY code) AS k,
           CASE code WHEN 'STORAGE' THEN 120000 WHEN 'SERVERS' THEN 90000 WHEN 'NETWORKING' THEN 60000
                     WHEN 'SECURITY' THEN 45000 WHEN 'CLOUD' THEN 70000 WHEN 'SOFTWARE' THEN 30000
                     WHEN 'SERVICES' THEN 25000 ELSE 40000 END AS base_amount
    FROM channel.product_line WHERE active;

  ---------------------------------------------------------------- partners
  -- about 31% active and 68% inactive (the IDC shape: 8,500 of 27,500), a
  -- few in the other states; 1% distributors; a Pareto(1.16) "size" per
  -- partner drives the 80/20 revenue skew.
  CREATE TEMP TABLE demo_partner ON COMMIT DROP AS
  SELECT i AS partner_id, c.country, c.region, c.lang, c.suffixes, c.suffix_first,
         c.stems, c.partner_words, c.first_names, c.last_names,
         CASE WHEN r.u_status < 0.310 THEN 'active' WHEN r.u_status < 0.9915 THEN 'inactive'
              WHEN r.u_status < 0.9945 THEN 'prospect' WHEN r.u_status < 0.9975 THEN 'onboarding'
              WHEN r.u_status < 0.9990 THEN 'suspended' ELSE 'terminated' END::channel.partner_status AS status,
         CASE WHEN r.u_kind < 0.01 THEN 'distributor' WHEN r.u_kind < 0.76 THEN 'reseller'
              WHEN r.u_kind < 0.88 THEN 'msp' WHEN r.u_kind < 0.96 THEN 'integrator' ELSE 'referral' END AS kind,
         r.u_tier, least(150.0, power(1.0 - r.u_size, -1.0 / 1.1)) AS size,
         r.u_name1, r.u_name2, r.u_name3, r.u_age
  FROM generate_series(1, partners) AS i
  CROSS JOIN LATERAL (SELECT channel.det_random(s, 1, i) AS u_country, channel.det_random(s, 2, i) AS u_status,
                             channel.det_random(s, 3, i) AS u_kind, channel.det_random(s, 4, i) AS u_tier,
                             channel.det_random(s, 5, i) AS u_size, channel.det_random(s, 6, i) AS u_name1,
                             channel.det_random(s, 7, i) AS u_name2, channel.det_random(s, 8, i) AS u_name3,
                             channel.det_random(s, 9, i) AS u_age) r
  JOIN demo_cty c ON r.u_country >= c.lo AND r.u_country < c.hi;

  INSERT INTO channel.partner (partner_id, name, kind, tier, status, country, region, max_open_leads, website,
                               created_at, status_changed_at)
  SELECT d.partner_id,
         channel.demo_compose_name(
           channel.demo_pick(d.stems, d.u_name1) || CASE WHEN d.lang IN ('ja', 'zh', 'ko') THEN '' ELSE ' ' END
             || channel.demo_pick(d.partner_words, d.u_name2)
             || CASE WHEN d.lang = 'en' AND d.u_name3 < 0.5 THEN ' of ' || (ARRAY['Denver','Austin','Boston','Chicago','Atlanta',
                  'Seattle','Dallas','Phoenix','Toronto','Sydney','Leeds','Bristol','Dublin','Auckland','Pune',
                  'Houston','Ohio','the Pacific','the Midwest','the Coast'])[1 + floor(d.u_name3 * 40)::int]
                  WHEN d.u_name3 >= 0.85 THEN ' ' || (1 + floor((d.u_name3 - 0.85) * 60))::int ELSE '' END,
           channel.demo_pick(d.suffixes, d.u_name3), d.lang, d.suffix_first),
         d.kind,
         CASE WHEN d.kind = 'distributor' THEN (CASE WHEN d.u_tier < 0.4 THEN 'platinum' ELSE 'gold' END)
              WHEN d.status = 'active' THEN (CASE WHEN d.u_tier < 0.03 THEN 'platinum' WHEN d.u_tier < 0.13 THEN 'gold'
                                                  WHEN d.u_tier < 0.40 THEN 'silver' ELSE 'registered' END)
              WHEN d.status IN ('inactive', 'suspended', 'terminated') AND d.u_tier < 0.15 THEN 'silver'
              ELSE 'registered' END::channel.partner_tier,
         CASE WHEN d.kind = 'distributor' THEN 'active' ELSE d.status END,
         d.country, d.region,
         CASE WHEN d.kind = 'distributor' THEN 0 ELSE least(500, 5 + floor(d.size * 8))::int END,
         'https://partner' || d.partner_id || '.example.com',
         t_end - make_interval(days => (60 + d.u_age * 3600)::int),
         t_end - make_interval(days => (d.u_age * 60)::int)
  FROM demo_partner d;
  UPDATE demo_partner d SET status = 'active' WHERE d.kind = 'distributor';

  -- about 35% of resellers buy through a distributor of their region
  WITH dist AS (
    SELECT partner_id, region, row_number() OVER (PARTITION BY region ORDER BY partner_id) AS rn,
           count(*) OVER (PARTITION BY region) AS n
    FROM demo_partner WHERE kind = 'distributor'),
  pick AS (
    SELECT d.partner_id, d.region, 1 + floor(channel.det_random(s, 10, d.partner_id) * 1000)::int AS k
    FROM demo_partner d WHERE d.kind = 'reseller' AND channel.det_random(s, 11, d.partner_id) < 0.35)
  UPDATE channel.partner p SET parent_id = dist.partner_id
  FROM pick JOIN dist ON dist.region = pick.region AND dist.rn = 1 + (pick.k % dist.n)
  WHERE p.partner_id = pick.partner_id;

  -- every partner sells one line for sure and each other with 30%
  -- (platinum/gold/distributors: 70%)
  INSERT INTO channel.partner_product (partner_id, product_line, authorized_on)
  SELECT p.partner_id, l.code, (p.created_at + interval '30 days')::date
  FROM channel.partner p CROSS JOIN demo_lines l
  WHERE l.k = 1 + p.partner_id % (SELECT count(*) FROM demo_lines)
     OR channel.det_random(s, 12, p.partner_id * 16 + l.k)
        < CASE WHEN p.tier >= 'gold' OR p.kind = 'distributor' THEN 0.7 ELSE 0.3 END;

  -- territory: the home country; gold and above and distributors cover the region
  INSERT INTO channel.partner_territory (partner_id, country, region)
  SELECT p.partner_id, p.country, NULL FROM channel.partner p
  UNION ALL
  SELECT p.partner_id, NULL, p.region FROM channel.partner p
  WHERE p.tier >= 'gold' OR p.kind = 'distributor';

  -- certifications: 2-year validity earned over the last ~3 years, so about
  -- a third have expired by as_of
  INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
  SELECT pp.partner_id, pp.product_line,
         CASE WHEN u.v < CASE p.tier WHEN 'platinum' THEN 0.6 WHEN 'gold' THEN 0.35 ELSE 0.08 END THEN 'expert'
              WHEN u.v < CASE p.tier WHEN 'platinum' THEN 0.95 WHEN 'gold' THEN 0.8 ELSE 0.4 END THEN 'professional'
              ELSE 'associate' END::channel.cert_level,
         as_of - (u.e * 1100)::int,
         as_of - (u.e * 1100)::int + 730
  FROM channel.partner_product pp
  JOIN channel.partner p ON p.partner_id = pp.partner_id
  CROSS JOIN LATERAL (SELECT channel.det_random(s, 13, pp.partner_id * 16 + length(pp.product_line)) AS v,
                             channel.det_random(s, 14, pp.partner_id * 16 + ascii(pp.product_line) % 16) AS e,
                             channel.det_random(s, 15, pp.partner_id * 32 + length(pp.product_line) + ascii(pp.product_line)) AS has) u
  WHERE u.has < CASE WHEN p.status = 'active' THEN 0.75 ELSE 0.35 END;

  -- 1 to 3 contacts, the first one primary
  INSERT INTO channel.partner_contact (partner_id, full_name, email, phone, role, is_primary)
  SELECT d.partner_id,
         CASE WHEN d.lang IN ('ja', 'zh', 'ko')
              THEN channel.demo_pick(d.last_names, channel.det_random(s, 16, d.partner_id * 4 + k))
                   || channel.demo_pick(d.first_names, channel.det_random(s, 17, d.partner_id * 4 + k))
              ELSE channel.demo_pick(d.first_names, channel.det_random(s, 17, d.partner_id * 4 + k)) || ' '
                   || channel.demo_pick(d.last_names, channel.det_random(s, 16, d.partner_id * 4 + k)) END,
         'contact' || k || '@partner' || d.partner_id || '.example.com',
         '+' || (10000000000 + floor(channel.det_random(s, 18, d.partner_id * 4 + k) * 89999999999))::bigint,
         (ARRAY['owner', 'sales', 'presales', 'marketing', 'finance'])[k + 1 + (d.partner_id % 2)::int * (k % 2)],
         k = 1
  FROM demo_partner d
  CROSS JOIN LATERAL generate_series(1, 1 + floor(channel.det_random(s, 19, d.partner_id) * 3)::int) AS k;

  RAISE NOTICE 'generate_demo: % end customers and % leads', greatest(200, leads / 8), leads;
  ---------------------------------------------------------------- customers
  -- the famous ones first, then composed ones; a few customers draw many
  -- leads (index = N * u^2), as big accounts do.
  n_cust := greatest(200, leads / 8);
  CREATE TEMP TABLE demo_customer ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY f.country, f.core) AS cid, f.core, nullif(f.suffix, '') AS suffix,
         f.country, c.region, c.lang, c.suffix_first
  FROM channel.demo_famous_customer f JOIN demo_cty c ON c.country = f.country;
  INSERT INTO demo_customer
  SELECT (SELECT count(*) FROM channel.demo_famous_customer) + i,
         channel.demo_pick(c.stems, channel.det_random(s, 21, i))
           || c_join.j || channel.demo_pick(c.industries, channel.det_random(s, 22, i))
           || CASE WHEN channel.det_random(s, 23, i) < 0.3
                   THEN c_join.j || channel.demo_pick(c.stems, channel.det_random(s, 24, i)) ELSE '' END,
         channel.demo_pick(c.suffixes, channel.det_random(s, 25, i)),
         c.country, c.region, c.lang, c.suffix_first
  FROM generate_series(1, n_cust - (SELECT count(*) FROM channel.demo_famous_customer)) AS i
  JOIN demo_cty c ON channel.det_random(s, 20, i) >= c.lo AND channel.det_random(s, 20, i) < c.hi
  CROSS JOIN LATERAL (SELECT CASE WHEN c.lang IN ('ja', 'zh') THEN '' ELSE ' ' END AS j) c_join;
  CREATE INDEX ON demo_customer (cid);
  ANALYZE demo_customer;

  ---------------------------------------------------------------- leads
  -- created over 24 months, more of them recently; status follows age.
  CREATE TEMP TABLE demo_lead ON COMMIT DROP AS
  SELECT i AS lead_id, cu.cid, cu.core, cu.suffix, cu.lang, cu.suffix_first, cu.country, cu.region,
         (SELECT code FROM demo_lines WHERE k = 1 + floor(channel.det_random(s, 31, i) * (SELECT count(*) FROM demo_lines))::int) AS product_line,
         t_end - make_interval(secs => (1.0 - sqrt(channel.det_random(s, 32, i))) * 730 * 86400) AS created_at,
         channel.det_random(s, 33, i) AS u_status, channel.det_random(s, 34, i) AS u_time,
         channel.det_random(s, 35, i) AS u_partner, channel.det_random(s, 36, i) AS u_variant,
         channel.det_random(s, 37, i) AS u_bant
  FROM generate_series(1, leads) AS i
  JOIN demo_customer cu ON cu.cid = 1 + floor(power(channel.det_random(s, 30, i), 2) * n_cust)::int;

  -- partners that can take a lead: active, not distributors, authorized
  CREATE TEMP TABLE demo_taker ON COMMIT DROP AS
  SELECT p.partner_id, p.country, p.region, pp.product_line,
         row_number() OVER (PARTITION BY p.country, pp.product_line ORDER BY p.partner_id) AS rn_c,
         count(*) OVER (PARTITION BY p.country, pp.product_line) AS n_c,
         row_number() OVER (PARTITION BY p.region, pp.product_line ORDER BY p.partner_id) AS rn_r,
         count(*) OVER (PARTITION BY p.region, pp.product_line) AS n_r
  FROM channel.partner p JOIN channel.partner_product pp ON pp.partner_id = p.partner_id
  WHERE p.status = 'active' AND p.kind <> 'distributor';

  ALTER TABLE demo_lead ADD COLUMN status channel.lead_status, ADD COLUMN partner_id bigint,
    ADD COLUMN routed_at timestamptz, ADD COLUMN accepted_at timestamptz, ADD COLUMN closed_at timestamptz;
  UPDATE demo_lead d SET status = CASE
      WHEN d.created_at > t_end - interval '3 days' THEN
        CASE WHEN d.u_status < 0.30 THEN 'new' WHEN d.u_status < 0.80 THEN 'routed'
             WHEN d.u_status < 0.85 THEN 'pooled' ELSE 'accepted' END
      WHEN d.created_at > t_end - interval '60 days' THEN
        CASE WHEN d.u_status < 0.40 THEN 'accepted' WHEN d.u_status < 0.45 THEN 'rejected'
             WHEN d.u_status < 0.48 THEN 'recalled' WHEN d.u_status < 0.58 THEN 'pooled'
             WHEN d.u_status < 0.75 THEN 'converted' ELSE 'lost' END
      ELSE
        CASE WHEN d.u_status < 0.05 THEN 'accepted' WHEN d.u_status < 0.10 THEN 'rejected'
             WHEN d.u_status < 0.14 THEN 'recalled' WHEN d.u_status < 0.28 THEN 'pooled'
             WHEN d.u_status < 0.53 THEN 'converted' ELSE 'lost' END
    END::channel.lead_status;

  UPDATE demo_lead d SET partner_id = t.partner_id
  FROM demo_taker t
  WHERE d.status NOT IN ('new', 'pooled') AND t.country = d.country AND t.product_line = d.product_line
    AND t.rn_c = 1 + floor(d.u_partner * t.n_c)::int;
  UPDATE demo_lead d SET partner_id = t.partner_id
  FROM demo_taker t
  WHERE d.status NOT IN ('new', 'pooled') AND d.partner_id IS NULL
    AND t.region = d.region AND t.product_line = d.product_line
    AND t.rn_r = 1 + floor(d.u_partner * t.n_r)::int;
  -- nobody at all sells that line there: the lead sits in the pool
  UPDATE demo_lead d SET status = 'pooled' WHERE d.partner_id IS NULL AND d.status NOT IN ('new', 'pooled');

  UPDATE demo_lead d SET
    routed_at = CASE WHEN d.partner_id IS NOT NULL THEN d.created_at + make_interval(secs => d.u_time * 4 * 3600) END;
  UPDATE demo_lead d SET
    accepted_at = CASE WHEN d.status IN ('accepted', 'converted', 'lost')
                       THEN least(d.routed_at + make_interval(secs => -ln(1.0 - d.u_time) * 9 * 3600),
                                  d.routed_at + interval '47 hours') END;
  -- a close that would fall after as_of has not happened yet
  UPDATE demo_lead d SET
    closed_at = CASE WHEN d.status IN ('converted', 'lost')
                     THEN d.accepted_at + make_interval(days => (5 + d.u_bant * 110)::int) END;
  UPDATE demo_lead d SET status = 'accepted', closed_at = NULL WHERE d.closed_at > t_end;
  -- an accept that would fall after as_of is still pending
  UPDATE demo_lead d SET status = 'routed', accepted_at = NULL WHERE d.accepted_at > t_end;

  INSERT INTO channel.lead (lead_id, company, contact_name, contact_email, country, region, product_line, source,
                            campaign, industry, employees, budget, authority, need, timeline_days, status, partner_id,
                            routed_at, accept_by, accepted_at, closed_at, reject_reason, status_reason, created_at)
  SELECT d.lead_id,
         channel.demo_name_variant(d.core, d.suffix, d.lang, d.suffix_first,
                                   CASE WHEN d.u_variant < 0.70 THEN 0 ELSE 1 + floor((d.u_variant - 0.70) / 0.075)::int END),
         NULL,
         'buyer' || d.lead_id || '@customer' || d.cid || '.example.org',
         d.country, d.region, d.product_line,
         (ARRAY['web', 'web', 'campaign', 'campaign', 'event', 'referral', 'partner', 'inbound_call', 'purchased_list'])
           [1 + floor(d.u_time * 9)::int],
         CASE WHEN floor(d.u_time * 9)::int IN (2, 3)
              THEN 'FY' || to_char(d.created_at, 'YY') || '-Q' || to_char(d.created_at, 'Q') || '-' || d.product_line END,
         (ARRAY['manufacturing', 'finance', 'healthcare', 'retail', 'public sector', 'education', 'energy', 'telecom'])
           [1 + floor(d.u_bant * 8)::int],
         (10 * power(10, d.u_bant * 4))::int,
         round((5000 * power(10, channel.det_random(s, 38, d.lead_id) * 2.5))::numeric, -2),
         (ARRAY['none', 'influencer', 'influencer', 'decision_maker'])[1 + floor(channel.det_random(s, 39, d.lead_id) * 4)::int],
         (ARRAY['low', 'medium', 'medium', 'high'])[1 + floor(channel.det_random(s, 40, d.lead_id) * 4)::int],
         (ARRAY[30, 60, 90, 180, 365])[1 + floor(channel.det_random(s, 41, d.lead_id) * 5)::int],
         d.status, d.partner_id, d.routed_at,
         d.routed_at + interval '48 hours',
         d.accepted_at, d.closed_at,
         CASE WHEN d.status = 'rejected'
              THEN (ARRAY['no_capacity', 'out_of_territory', 'not_qualified', 'duplicate', 'no_budget'])
                     [1 + floor(d.u_bant * 5)::int] END,
         CASE d.status WHEN 'recalled' THEN 'sla_expired' WHEN 'pooled' THEN 'no_eligible_partner' END,
         d.created_at
  FROM demo_lead d
  ORDER BY d.lead_id;

  ---------------------------------------------------------------- deals
  RAISE NOTICE 'generate_demo: deal registrations';
  -- every converted lead became a registration; partners also register
  -- opportunities of their own (about one for every four leads).
  CREATE TEMP TABLE demo_deal ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY src, k) AS deal_id, x.*
  FROM (
    SELECT 1 AS src, d.lead_id AS k, d.partner_id, d.lead_id, d.core, d.suffix, d.lang, d.suffix_first,
           d.country, d.product_line, d.accepted_at + (d.closed_at - d.accepted_at) / 2 AS submitted_at
    FROM demo_lead d WHERE d.status = 'converted'
    UNION ALL
    SELECT 2, i, t.partner_id, NULL, cu.core, cu.suffix, cu.lang, cu.suffix_first, cu.country, t.product_line,
           t_end - make_interval(secs => (1.0 - sqrt(channel.det_random(s, 52, i))) * 700 * 86400)
    FROM generate_series(1, leads / 4) AS i
    JOIN demo_customer cu ON cu.cid = 1 + floor(power(channel.det_random(s, 50, i), 2) * n_cust)::int
    JOIN demo_taker t ON t.region = cu.region
                     AND t.product_line = (SELECT code FROM demo_lines
                                           WHERE k = 1 + floor(channel.det_random(s, 53, i) * (SELECT count(*) FROM demo_lines))::int)
                     AND t.rn_r = 1 + floor(channel.det_random(s, 51, i) * t.n_r)::int
  ) x;

  INSERT INTO channel.deal (deal_id, partner_id, lead_id, customer_name, customer_country, product_line, amount,
                            currency, expected_close, status, protected_until, extension_count, submitted_at,
                            decided_at, closed_at, status_reason)
  SELECT dd.deal_id, dd.partner_id, dd.lead_id,
         channel.demo_name_variant(dd.core, dd.suffix, dd.lang, dd.suffix_first,
                                   CASE WHEN u.v < 0.75 THEN 0 ELSE 1 + floor((u.v - 0.75) / 0.0625)::int END),
         dd.country, dd.product_line,
         round((l.base_amount * exp(0.8 * (u.a - 0.5) * 2.0) * (0.2 + power(ps.size, 1.2)))::numeric, -2),
         'USD',
         (dd.submitted_at + make_interval(days => (30 + u.t * 120)::int))::date,
         st.status,
         CASE WHEN st.status <> 'rejected'
              THEN dd.submitted_at + make_interval(days => pl.protection_days + 60 * st.ext) END,
         st.ext,
         dd.submitted_at,
         CASE WHEN st.status IN ('approved', 'rejected', 'won', 'lost', 'expired')
              THEN least(dd.submitted_at + make_interval(secs => u.t * 3 * 86400), t_end) END,
         CASE WHEN st.status IN ('won', 'lost')
              THEN least(dd.submitted_at + make_interval(secs => (3 + u.t * 0.9 * greatest(age_days - 3, 0)) * 86400), t_end) END,
         CASE st.status WHEN 'rejected' THEN (ARRAY['duplicate', 'customer_not_eligible', 'insufficient_detail', 'direct_account'])
                                               [1 + floor(u.a * 4)::int]
                        WHEN 'conflict' THEN 'overlaps an existing registration'
                        WHEN 'expired' THEN 'protection ended' END
  FROM demo_deal dd
  JOIN demo_lines l ON l.code = dd.product_line
  JOIN channel.product_line pl ON pl.code = dd.product_line
  JOIN demo_partner ps ON ps.partner_id = dd.partner_id
  CROSS JOIN LATERAL (SELECT channel.det_random(s, 54, dd.deal_id) AS v, channel.det_random(s, 55, dd.deal_id) AS a,
                             channel.det_random(s, 56, dd.deal_id) AS t, channel.det_random(s, 57, dd.deal_id) AS w,
                             extract(epoch FROM t_end - dd.submitted_at) / 86400 AS age_days) u
  CROSS JOIN LATERAL (
    SELECT CASE
      WHEN u.age_days < 7 THEN
        CASE WHEN u.w < 0.60 THEN 'submitted' WHEN u.w < 0.90 THEN 'approved' WHEN u.w < 0.95 THEN 'rejected' ELSE 'conflict' END
      WHEN u.age_days < pl.protection_days THEN
        CASE WHEN u.w < 0.06 THEN 'submitted' WHEN u.w < 0.64 THEN 'approved' WHEN u.w < 0.76 THEN 'won'
             WHEN u.w < 0.86 THEN 'lost' WHEN u.w < 0.95 THEN 'rejected' ELSE 'conflict' END
      ELSE
        CASE WHEN u.w < 0.38 THEN 'won' WHEN u.w < 0.65 THEN 'lost' WHEN u.w < 0.88 THEN 'expired'
             WHEN u.w < 0.96 THEN 'rejected' WHEN u.w < 0.98 AND u.age_days < pl.protection_days + 120 THEN 'approved'
             WHEN u.w < 0.98 THEN 'expired' ELSE 'conflict' END
    END::channel.deal_status AS status,
    CASE WHEN u.age_days >= pl.protection_days AND u.w >= 0.96 AND u.w < 0.98 AND u.age_days < pl.protection_days + 120
         THEN 2 ELSE 0 END AS ext
  ) st
  ORDER BY dd.deal_id;

  -- identities continue after the demo's explicit ids
  PERFORM pg_catalog.setval('channel.partner_partner_id_seq', greatest(partners, 1));
  PERFORM pg_catalog.setval('channel.lead_lead_id_seq', greatest(leads, 1), leads > 0);
  PERFORM pg_catalog.setval('channel.deal_deal_id_seq', greatest((SELECT count(*) FROM demo_deal), 1),
                            (SELECT count(*) FROM demo_deal) > 0);

  ANALYZE channel.partner; ANALYZE channel.partner_product; ANALYZE channel.partner_territory;
  ANALYZE channel.certification; ANALYZE channel.lead; ANALYZE channel.deal;

  RETURN QUERY
    SELECT x.item, x.how_many FROM (
      SELECT 1 AS ord, 'partners'::text AS item, count(*) AS how_many FROM channel.partner
      UNION ALL SELECT 2, 'partners active', count(*) FROM channel.partner WHERE status = 'active'
      UNION ALL SELECT 3, 'partners inactive', count(*) FROM channel.partner WHERE status = 'inactive'
      UNION ALL SELECT 4, 'distributors', count(*) FROM channel.partner WHERE kind = 'distributor'
      UNION ALL SELECT 5, 'resellers under a distributor', count(*) FROM channel.partner WHERE parent_id IS NOT NULL
      UNION ALL SELECT 6, 'contacts', count(*) FROM channel.partner_contact
      UNION ALL SELECT 7, 'certifications', count(*) FROM channel.certification
      UNION ALL SELECT 8, 'certifications expired', count(*) FROM channel.certification WHERE expires_on <= as_of
      UNION ALL SELECT 9, 'end customers', n_cust::bigint
      UNION ALL SELECT 10, 'leads', count(*) FROM channel.lead
      UNION ALL SELECT 11, 'deals', count(*) FROM channel.deal) x
    ORDER BY x.ord;
END
$fn$;
COMMENT ON FUNCTION channel.generate_demo(integer, integer, integer, date) IS
  'Fills an empty channel with a realistic, deterministic demo (same seed and as_of, same rows): IDC-shaped partner base (~31% active, ~68% inactive), two-tier distribution, territories, authorizations, expiring certifications, contacts, end customers across scripts with spelling variants, leads over 24 months and deals in every status with an 80/20 revenue skew. Returns counts of what it made.';
