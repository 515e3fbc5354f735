-- 60_products.sql: currencies, the product catalogue under the product
-- lines, and partners' own part numbers for our products (doc/channel_data.md).
--
-- The catalogue is shared by the channel-data module (sell-through and
-- inventory reports name SKUs) and the deal desk (price lists, quotes), so
-- it holds what every module agrees a product is: its SKU, its product
-- line, its name, its list price in one currency, and when it is sold.

CREATE TABLE channel.currency (
  code        channel.currency_code PRIMARY KEY,
  name        text NOT NULL CONSTRAINT currency_name_not_blank CHECK (btrim(name) <> ''),
  minor_units smallint NOT NULL CONSTRAINT currency_minor_units_range CHECK (minor_units BETWEEN 0 AND 4)
);
COMMENT ON TABLE channel.currency IS
  'ISO 4217 currencies in circulation (shipped with the extension): what a price, a deal amount or a sell-through line may be expressed in.';
COMMENT ON COLUMN channel.currency.code IS 'ISO 4217 alphabetic code, upper case (e.g. EUR).';
COMMENT ON COLUMN channel.currency.name IS 'English name of the currency.';
COMMENT ON COLUMN channel.currency.minor_units IS 'Decimal places of the currency''s minor unit (JPY 0, EUR 2, KWD 3).';

INSERT INTO channel.currency (code, name, minor_units) VALUES
  ('AED', 'UAE Dirham', 2), ('AFN', 'Afghani', 2), ('ALL', 'Lek', 2), ('AMD', 'Armenian Dram', 2),
  ('AOA', 'Kwanza', 2), ('ARS', 'Argentine Peso', 2), ('AUD', 'Australian Dollar', 2),
  ('AWG', 'Aruban Florin', 2), ('AZN', 'Azerbaijan Manat', 2), ('BAM', 'Convertible Mark', 2),
  ('BBD', 'Barbados Dollar', 2), ('BDT', 'Taka', 2), ('BGN', 'Bulgarian Lev', 2), ('BHD', 'Bahraini Dinar', 3),
  ('BIF', 'Burundi Franc', 0), ('BMD', 'Bermudian Dollar', 2), ('BND', 'Brunei Dollar', 2), ('BOB', 'Boliviano', 2),
  ('BRL', 'Brazilian Real', 2), ('BSD', 'Bahamian Dollar', 2), ('BTN', 'Ngultrum', 2), ('BWP', 'Pula', 2),
  ('BYN', 'Belarusian Ruble', 2), ('BZD', 'Belize Dollar', 2), ('CAD', 'Canadian Dollar', 2),
  ('CDF', 'Congolese Franc', 2), ('CHF', 'Swiss Franc', 2), ('CLP', 'Chilean Peso', 0), ('CNY', 'Yuan Renminbi', 2),
  ('COP', 'Colombian Peso', 2), ('CRC', 'Costa Rican Colon', 2), ('CUP', 'Cuban Peso', 2),
  ('CVE', 'Cabo Verde Escudo', 2), ('CZK', 'Czech Koruna', 2), ('DJF', 'Djibouti Franc', 0), ('DKK', 'Danish Krone', 2),
  ('DOP', 'Dominican Peso', 2), ('DZD', 'Algerian Dinar', 2), ('EGP', 'Egyptian Pound', 2), ('ERN', 'Nakfa', 2),
  ('ETB', 'Ethiopian Birr', 2), ('EUR', 'Euro', 2), ('FJD', 'Fiji Dollar', 2), ('FKP', 'Falkland Islands Pound', 2),
  ('GBP', 'Pound Sterling', 2), ('GEL', 'Lari', 2), ('GHS', 'Ghana Cedi', 2), ('GIP', 'Gibraltar Pound', 2),
  ('GMD', 'Dalasi', 2), ('GNF', 'Guinean Franc', 0), ('GTQ', 'Quetzal', 2), ('GYD', 'Guyana Dollar', 2),
  ('HKD', 'Hong Kong Dollar', 2), ('HNL', 'Lempira', 2), ('HTG', 'Gourde', 2), ('HUF', 'Forint', 2),
  ('IDR', 'Rupiah', 2), ('ILS', 'New Israeli Sheqel', 2), ('INR', 'Indian Rupee', 2), ('IQD', 'Iraqi Dinar', 3),
  ('IRR', 'Iranian Rial', 2), ('ISK', 'Iceland Krona', 0), ('JMD', 'Jamaican Dollar', 2), ('JOD', 'Jordanian Dinar', 3),
  ('JPY', 'Yen', 0), ('KES', 'Kenyan Shilling', 2), ('KGS', 'Som', 2), ('KHR', 'Riel', 2), ('KMF', 'Comorian Franc', 0),
  ('KPW', 'North Korean Won', 2), ('KRW', 'Won', 0), ('KWD', 'Kuwaiti Dinar', 3), ('KYD', 'Cayman Islands Dollar', 2),
  ('KZT', 'Tenge', 2), ('LAK', 'Lao Kip', 2), ('LBP', 'Lebanese Pound', 2), ('LKR', 'Sri Lanka Rupee', 2),
  ('LRD', 'Liberian Dollar', 2), ('LSL', 'Loti', 2), ('LYD', 'Libyan Dinar', 3), ('MAD', 'Moroccan Dirham', 2),
  ('MDL', 'Moldovan Leu', 2), ('MGA', 'Malagasy Ariary', 2), ('MKD', 'Denar', 2), ('MMK', 'Kyat', 2),
  ('MNT', 'Tugrik', 2), ('MOP', 'Pataca', 2), ('MRU', 'Ouguiya', 2), ('MUR', 'Mauritius Rupee', 2),
  ('MVR', 'Rufiyaa', 2), ('MWK', 'Malawi Kwacha', 2), ('MXN', 'Mexican Peso', 2), ('MYR', 'Malaysian Ringgit', 2),
  ('MZN', 'Mozambique Metical', 2), ('NAD', 'Namibia Dollar', 2), ('NGN', 'Naira', 2), ('NIO', 'Cordoba Oro', 2),
  ('NOK', 'Norwegian Krone', 2), ('NPR', 'Nepalese Rupee', 2), ('NZD', 'New Zealand Dollar', 2),
  ('OMR', 'Rial Omani', 3), ('PAB', 'Balboa', 2), ('PEN', 'Sol', 2), ('PGK', 'Kina', 2), ('PHP', 'Philippine Peso', 2),
  ('PKR', 'Pakistan Rupee', 2), ('PLN', 'Zloty', 2), ('PYG', 'Guarani', 0), ('QAR', 'Qatari Rial', 2),
  ('RON', 'Romanian Leu', 2), ('RSD', 'Serbian Dinar', 2), ('RUB', 'Russian Ruble', 2), ('RWF', 'Rwanda Franc', 0),
  ('SAR', 'Saudi Riyal', 2), ('SBD', 'Solomon Islands Dollar', 2), ('SCR', 'Seychelles Rupee', 2),
  ('SDG', 'Sudanese Pound', 2), ('SEK', 'Swedish Krona', 2), ('SGD', 'Singapore Dollar', 2),
  ('SHP', 'Saint Helena Pound', 2), ('SLE', 'Leone', 2), ('SOS', 'Somali Shilling', 2), ('SRD', 'Surinam Dollar', 2),
  ('SSP', 'South Sudanese Pound', 2), ('STN', 'Dobra', 2), ('SYP', 'Syrian Pound', 2), ('SZL', 'Lilangeni', 2),
  ('THB', 'Baht', 2), ('TJS', 'Somoni', 2), ('TMT', 'Turkmenistan New Manat', 2), ('TND', 'Tunisian Dinar', 3),
  ('TOP', 'Pa''anga', 2), ('TRY', 'Turkish Lira', 2), ('TTD', 'Trinidad and Tobago Dollar', 2),
  ('TWD', 'New Taiwan Dollar', 2), ('TZS', 'Tanzanian Shilling', 2), ('UAH', 'Hryvnia', 2),
  ('UGX', 'Uganda Shilling', 0), ('USD', 'US Dollar', 2), ('UYU', 'Peso Uruguayo', 2), ('UZS', 'Uzbekistan Sum', 2),
  ('VES', 'Bolívar Soberano', 2), ('VND', 'Dong', 0), ('VUV', 'Vatu', 0), ('WST', 'Tala', 2),
  ('XAF', 'CFA Franc BEAC', 0), ('XCD', 'East Caribbean Dollar', 2), ('XOF', 'CFA Franc BCEAO', 0),
  ('XPF', 'CFP Franc', 0), ('YER', 'Yemeni Rial', 2), ('ZAR', 'Rand', 2), ('ZMW', 'Zambian Kwacha', 2),
  ('ZWG', 'Zimbabwe Gold', 2);

CREATE DOMAIN channel.sku AS text
  CONSTRAINT sku_format CHECK (VALUE ~ '^[A-Z0-9][A-Z0-9._/-]{0,39}$');
COMMENT ON DOMAIN channel.sku IS
  'A part number as stored: 1 to 40 characters, upper-case letters, digits and . _ / - (not first). Reports are matched after upper-casing and trimming what the partner wrote.';

CREATE TABLE channel.product (
  product_id   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  sku          channel.sku NOT NULL CONSTRAINT product_sku_unique UNIQUE,
  product_line channel.product_code NOT NULL REFERENCES channel.product_line (code),
  name         text NOT NULL CONSTRAINT product_name_not_blank CHECK (btrim(name) <> '' AND length(name) <= 200),
  list_price   numeric(16,2) NOT NULL
               CONSTRAINT product_list_price_valid CHECK (list_price >= 0 AND list_price <> 'NaN'),
  currency     channel.currency_code NOT NULL REFERENCES channel.currency (code),
  active_from  date NOT NULL,
  active_until date,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT product_active_period CHECK (active_until > active_from)
);
COMMENT ON TABLE channel.product IS
  'The product catalogue: one row per orderable SKU, under a product line, with its list price and the period it is sold in.';
COMMENT ON COLUMN channel.product.product_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.product.sku IS 'The vendor''s part number (unique).';
COMMENT ON COLUMN channel.product.product_line IS 'Product line the SKU belongs to (authorizations, registrations and reports are per line).';
COMMENT ON COLUMN channel.product.name IS 'Display name.';
COMMENT ON COLUMN channel.product.list_price IS 'List price of one unit, in currency; never negative, never NaN.';
COMMENT ON COLUMN channel.product.currency IS 'ISO 4217 currency of list_price.';
COMMENT ON COLUMN channel.product.active_from IS 'First day the SKU is sold.';
COMMENT ON COLUMN channel.product.active_until IS 'First day the SKU is no longer sold (end of life); NULL while it is.';
COMMENT ON COLUMN channel.product.created_at IS 'When the row was made.';
CREATE INDEX product_line_idx ON channel.product (product_line, sku);
COMMENT ON INDEX channel.product_line_idx IS 'SKUs of a product line.';
SELECT pg_catalog.pg_extension_config_dump('channel.product', '');
SELECT pg_catalog.pg_extension_config_dump('channel.product_product_id_seq', '');

CREATE TABLE channel.product_alias (
  partner_id  bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  partner_sku channel.sku NOT NULL,
  product_id  bigint NOT NULL REFERENCES channel.product (product_id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner_id, partner_sku)
);
COMMENT ON TABLE channel.product_alias IS
  'A partner''s own part number for one of our products: partners report in their own numbers, and each is mapped to our SKU here.';
COMMENT ON COLUMN channel.product_alias.partner_id IS 'The partner (or distributor) whose part number it is.';
COMMENT ON COLUMN channel.product_alias.partner_sku IS 'The part number as the partner writes it, upper-cased and trimmed.';
COMMENT ON COLUMN channel.product_alias.product_id IS 'Our product it denotes.';
COMMENT ON COLUMN channel.product_alias.created_at IS 'When the mapping was made.';
CREATE INDEX product_alias_product_idx ON channel.product_alias (product_id);
COMMENT ON INDEX channel.product_alias_product_idx IS 'Aliases of a product (and the foreign key''s checks on product deletes).';
SELECT pg_catalog.pg_extension_config_dump('channel.product_alias', '');

-- The product a partner's part number denotes: ours first, then its alias.
CREATE FUNCTION channel.resolve_sku(partner_id bigint, sku text) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(
    (SELECT p.product_id FROM channel.product p WHERE p.sku = pg_catalog.upper(pg_catalog.btrim(resolve_sku.sku))),
    (SELECT a.product_id FROM channel.product_alias a
     WHERE a.partner_id = resolve_sku.partner_id AND a.partner_sku = pg_catalog.upper(pg_catalog.btrim(resolve_sku.sku))))
$$;
COMMENT ON FUNCTION channel.resolve_sku(bigint, text) IS
  'The product_id a part number denotes for a partner: our SKU (upper-cased, trimmed), else the partner''s alias of it; NULL when neither.';

-- Reference data is readable by every role; row-level security is enabled
-- and forced like on every table of the extension, with policies that let
-- each role do what its privileges say.  A partner sees its own aliases.
ALTER TABLE channel.currency ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.currency FORCE ROW LEVEL SECURITY;
ALTER TABLE channel.product ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.product FORCE ROW LEVEL SECURITY;
ALTER TABLE channel.product_alias ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.product_alias FORCE ROW LEVEL SECURITY;
CREATE POLICY currency_read ON channel.currency FOR SELECT TO channel_admin, channel_analyst, channel_partner USING (true);
COMMENT ON POLICY currency_read ON channel.currency IS 'Every channel role reads the currencies (no role writes them: they ship with the extension).';
CREATE POLICY product_admin ON channel.product FOR ALL TO channel_admin USING (true) WITH CHECK (true);
COMMENT ON POLICY product_admin ON channel.product IS 'Channel managers (channel_admin) maintain the catalogue.';
CREATE POLICY product_read ON channel.product FOR SELECT TO channel_analyst, channel_partner USING (true);
COMMENT ON POLICY product_read ON channel.product IS 'Analysts and partners read the whole catalogue (list prices are public to the channel).';
CREATE POLICY product_alias_admin ON channel.product_alias FOR ALL TO channel_admin USING (true) WITH CHECK (true);
COMMENT ON POLICY product_alias_admin ON channel.product_alias IS 'Channel managers (channel_admin) see and map every partner''s part numbers.';
CREATE POLICY product_alias_analyst ON channel.product_alias FOR SELECT TO channel_analyst USING (true);
COMMENT ON POLICY product_alias_analyst ON channel.product_alias IS 'Analysts (channel_analyst) read every alias.';
CREATE POLICY product_alias_own ON channel.product_alias FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY product_alias_own ON channel.product_alias IS 'A partner sees the mappings of its own part numbers only.';

GRANT SELECT ON channel.currency, channel.product TO channel_admin, channel_analyst, channel_partner;
GRANT INSERT, UPDATE, DELETE ON channel.product, channel.product_alias TO channel_admin;
GRANT SELECT ON channel.product_alias TO channel_admin, channel_analyst, channel_partner;

-- who may run this piece's functions besides channel_admin (00_registry.sql)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES
  ('channel_partner', 'resolve_sku'),
  ('channel_analyst', 'resolve_sku');

REVOKE EXECUTE ON FUNCTION channel.resolve_sku(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.resolve_sku(bigint, text) TO channel_admin, channel_analyst, channel_partner;
