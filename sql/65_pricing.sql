-- 65_pricing: price lists per currency and period, discount schedules by
-- tier, product line and programme, and channel.net_price() (C, cached per
-- backend): which list and which schedule row win, rounding to the
-- currency's minor units, the errors and their SQLSTATEs, the cache
-- following every write (same session here; other sessions in the
-- isolation spec pricing_cache), the same answers as the SQL join a user
-- would write, and what partners may read.  Dates are relative to one
-- today; no absolute date is printed.  Runs in a transaction that is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on

BEGIN;
SELECT current_date AS today \gset
-- the error a statement raises, as SQLSTATE and message
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  -- dates in messages are masked: expected output never shows an absolute date
  RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2}', '<date>', 'g');
END
$$;

CREATE ROLE regress_price_a LOGIN;
CREATE ROLE regress_price_b LOGIN;
GRANT channel_partner TO regress_price_a, regress_price_b;
INSERT INTO channel.product_line (code, name) VALUES ('PR_STORAGE', 'Storage'), ('PR_SERVERS', 'Servers');
INSERT INTO channel.partner (partner_id, name, tier, status, country) VALUES
  (6501, 'Alpha Storage GmbH', 'gold', 'active', 'DE'),
  (6502, 'Beta Servers SAS', 'silver', 'active', 'FR'),
  (6503, 'Gamma Registered Ltd', 'registered', 'active', 'GB');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_price_a', 6501), ('regress_price_b', 6502);
INSERT INTO channel.program (program_id, name, starts_on) VALUES (6591, 'Storage Elite', :'today'::date - 400);
INSERT INTO channel.program_member (partner_id, program_id, joined_on) VALUES (6502, 6591, :'today'::date - 100);

INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from, active_until) VALUES
  (6511, 'PR-ARRAY-10', 'PR_STORAGE', 'Array 10 TB', 1000, 'EUR', :'today'::date - 365, NULL),
  (6512, 'PR-SRV-2U', 'PR_SERVERS', 'Server 2U', 2500, 'EUR', :'today'::date - 365, NULL),
  (6513, 'PR-OLD-1', 'PR_STORAGE', 'End of life', 10, 'EUR', :'today'::date - 365, :'today'::date - 10),
  (6514, 'PR-NEXT-1', 'PR_STORAGE', 'Not yet sold', 10, 'EUR', :'today'::date + 10, NULL),
  (6515, 'PR-UNPRICED', 'PR_SERVERS', 'Not in the lists', 10, 'EUR', :'today'::date - 365, NULL);
-- EUR: a list for the year and a newer one from 30 days ago; JPY and KWD
-- (0 and 3 decimals); a USD list that ended yesterday
INSERT INTO channel.price_list (price_list_id, name, currency, valid_from, valid_until) VALUES
  (6521, 'EUR base', 'EUR', :'today'::date - 365, NULL),
  (6522, 'EUR new', 'EUR', :'today'::date - 30, :'today'::date + 335),
  (6523, 'JPY', 'JPY', :'today'::date - 365, NULL),
  (6524, 'KWD', 'KWD', :'today'::date - 365, NULL),
  (6525, 'USD old', 'USD', :'today'::date - 365, :'today'::date);
INSERT INTO channel.price_list_item (price_list_id, product_id, unit_price, unit_cost, floor_pct) VALUES
  (6521, 6511, 900, 400, 10), (6521, 6512, 2400, 1500, 5), (6521, 6513, 10, 5, 0), (6521, 6514, 10, 5, 0),
  (6522, 6511, 1000, 400, 10), (6522, 6512, 2500, 1500, 5), (6522, 6513, 10, 5, 0), (6522, 6514, 10, 5, 0),
  (6523, 6511, 150001, 60000, 10), (6523, 6512, 380000, 200000, 5),
  (6524, 6511, 305.1235, 100, 10), (6524, 6512, 770.5, 400, 5),
  (6525, 6511, 1100, 450, 10);
-- everyone 5 %, gold 20 %, gold storage 32 %, storage 10 %, programme 6591 25 %,
-- and a gold storage row that starts in 20 days
INSERT INTO channel.discount_schedule (schedule_id, tier, product_line, program_id, discount_pct, valid_from, valid_until) VALUES
  (6531, NULL, NULL, NULL, 5, :'today'::date - 365, NULL),
  (6532, 'gold', NULL, NULL, 20, :'today'::date - 365, NULL),
  (6533, 'gold', 'PR_STORAGE', NULL, 32, :'today'::date - 365, NULL),
  (6534, NULL, 'PR_STORAGE', NULL, 10, :'today'::date - 365, NULL),
  (6535, NULL, NULL, 6591, 25, :'today'::date - 365, NULL),
  (6536, 'gold', 'PR_STORAGE', NULL, 35, :'today'::date + 20, NULL);

-- ------------------------------------------------------------ which list, which row
-- gold storage 32 % of 1000; gold servers 20 % of 2500; the silver member of
-- 6591 gets the programme's 25 % (programme beats line); registered: storage 10 %, servers 5 %
SELECT p.partner_id, s.sku, channel.list_price(s.sku, :'today', 'EUR') AS list,
       channel.schedule_discount(p.partner_id, s.sku, :'today') AS discount,
       channel.net_price(p.partner_id, s.sku, :'today', 'EUR') AS net
FROM (VALUES (6501), (6502), (6503)) p(partner_id), (VALUES ('PR-ARRAY-10'), ('PR-SRV-2U')) s(sku)
ORDER BY 1, 2;
-- 40 days ago the older EUR list was in force (900, 2400); 6502 was already a member (joined 100 days ago)
SELECT channel.net_price(6501, 'PR-ARRAY-10', (:'today'::date - 40), 'EUR') AS gold_storage_then,
       channel.net_price(6502, 'PR-ARRAY-10', (:'today'::date - 40), 'EUR') AS silver_storage_then,
       channel.schedule_discount(6502, 'PR-ARRAY-10', (:'today'::date - 40)) AS silver_discount_then;
-- in 20 days the newer gold storage row (35 %) applies
SELECT channel.net_price(6501, 'PR-ARRAY-10', (:'today'::date + 20), 'EUR') AS gold_storage_later;
-- lower-case and padded SKUs are the catalogue's
SELECT channel.net_price(6501, '  pr-array-10 ', :'today', 'EUR') AS padded;
-- rounding to the currency: JPY 150001 less 32 % = 102000.68 -> 102001; KWD 305.1235 less 32 % = 207.48398 -> 207.484
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'JPY') AS jpy, channel.net_price(6501, 'PR-ARRAY-10', :'today', 'KWD') AS kwd,
       channel.net_price(6503, 'PR-SRV-2U', :'today', 'KWD') AS kwd_registered;
-- NULL in, NULL out
SELECT channel.net_price(NULL, 'PR-ARRAY-10', :'today', 'EUR') IS NULL AS null_partner,
       channel.net_price(6501, NULL, :'today', 'EUR') IS NULL AS null_sku;

-- ------------------------------------------------------------ errors
SELECT pg_temp.err(format('SELECT channel.net_price(6501, %L, %L, %L)', v.sku, v.day, v.currency)) AS error, v.what
FROM (VALUES ('PR-ARRAY-10', :'today'::date, 'GBP', 'currency without a price list'),
             ('PR-ARRAY-10', :'today'::date, 'USD', 'price list ended yesterday'),
             ('PR-ARRAY-10', :'today'::date - 400, 'EUR', 'before every EUR list'),
             ('NO-SUCH-SKU', :'today'::date, 'EUR', 'unknown SKU'),
             ('', :'today'::date, 'EUR', 'empty SKU'),
             ('PR-OLD-1', :'today'::date, 'EUR', 'end of life'),
             ('PR-NEXT-1', :'today'::date, 'EUR', 'not sold yet'),
             ('PR-UNPRICED', :'today'::date, 'EUR', 'not in the list')) v(sku, day, currency, what)
ORDER BY v.what;
SELECT pg_temp.err('SELECT channel.net_price(999999, ''PR-ARRAY-10'', current_date, ''EUR'')') AS unknown_partner;
-- the end-of-life SKU was orderable before its end
SELECT channel.net_price(6501, 'PR-OLD-1', (:'today'::date - 11), 'EUR') AS old_sku_before_its_end;

-- ------------------------------------------------------------ the cache follows every write
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS before;
UPDATE channel.discount_schedule SET discount_pct = 30 WHERE schedule_id = 6533;
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS schedule_changed;
UPDATE channel.price_list_item SET unit_price = 1200 WHERE price_list_id = 6522 AND product_id = 6511;
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS price_changed;
UPDATE channel.partner SET tier = 'silver' WHERE partner_id = 6501;
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS tier_changed;
INSERT INTO channel.program_member (partner_id, program_id, joined_on) VALUES (6501, 6591, :'today');
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS joined_programme;
UPDATE channel.product SET active_until = :'today' WHERE product_id = 6511;
SELECT pg_temp.err('SELECT channel.net_price(6501, ''PR-ARRAY-10'', current_date, ''EUR'')') AS product_ended;
UPDATE channel.product SET active_until = NULL WHERE product_id = 6511;
DELETE FROM channel.price_list WHERE price_list_id = 6522;
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS newer_list_deleted;
DELETE FROM channel.program_member WHERE partner_id = 6501;
UPDATE channel.partner SET tier = 'gold' WHERE partner_id = 6501;
UPDATE channel.discount_schedule SET discount_pct = 32 WHERE schedule_id = 6533;
INSERT INTO channel.price_list (price_list_id, name, currency, valid_from, valid_until)
VALUES (6522, 'EUR new', 'EUR', :'today'::date - 30, :'today'::date + 335);
INSERT INTO channel.price_list_item VALUES (6522, 6511, 1000, 400, 10), (6522, 6512, 2500, 1500, 5);
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS restored;
-- a rolled-back write is forgotten too
SAVEPOINT s;
UPDATE channel.discount_schedule SET discount_pct = 50 WHERE schedule_id = 6533;
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS inside;
ROLLBACK TO SAVEPOINT s;
SELECT channel.net_price(6501, 'PR-ARRAY-10', :'today', 'EUR') AS after_rollback;

-- ------------------------------------------------------------ the same as the SQL join
-- every partner x SKU x day x currency that has a price, against the join
-- written from the documented rules
WITH cases AS (
  SELECT p.partner_id, pr.sku, d.day, c.currency
  FROM (VALUES (6501), (6502), (6503)) p(partner_id),
       (VALUES ('PR-ARRAY-10'), ('PR-SRV-2U')) pr(sku),
       (VALUES (:'today'::date - 200), (:'today'::date - 40), (:'today'::date), (:'today'::date + 25)) d(day),
       (VALUES ('EUR'), ('JPY'), ('KWD')) c(currency)
), joined AS (
  SELECT x.*, round(i.unit_price * (100 - coalesce(s.discount_pct, 0)) / 100, cu.minor_units) AS by_join
  FROM cases x
  JOIN channel.product pr ON pr.sku = x.sku
  JOIN channel.partner pa ON pa.partner_id = x.partner_id
  JOIN channel.currency cu ON cu.code = x.currency
  JOIN LATERAL (SELECT l.price_list_id FROM channel.price_list l
                WHERE l.currency = x.currency AND l.valid_from <= x.day AND (l.valid_until IS NULL OR l.valid_until > x.day)
                ORDER BY l.valid_from DESC LIMIT 1) pl ON true
  JOIN channel.price_list_item i ON i.price_list_id = pl.price_list_id AND i.product_id = pr.product_id
  LEFT JOIN LATERAL (SELECT m.program_id FROM channel.program_member m
                     WHERE m.partner_id = x.partner_id AND m.joined_on <= x.day AND (m.left_on IS NULL OR m.left_on > x.day)
                     LIMIT 1) pm ON true
  LEFT JOIN LATERAL (SELECT d.discount_pct FROM channel.discount_schedule d
                     WHERE (d.tier IS NULL OR d.tier = pa.tier) AND (d.product_line IS NULL OR d.product_line = pr.product_line)
                       AND (d.program_id IS NULL OR d.program_id = pm.program_id)
                       AND d.valid_from <= x.day AND (d.valid_until IS NULL OR d.valid_until > x.day)
                     ORDER BY (d.program_id IS NOT NULL) DESC, (d.product_line IS NOT NULL) DESC, (d.tier IS NOT NULL) DESC,
                              d.valid_from DESC LIMIT 1) s ON true
)
SELECT count(*) AS cases, count(*) FILTER (WHERE channel.net_price(partner_id, sku, day, currency) = by_join) AS agree
FROM joined;

-- ------------------------------------------------------------ what partners see
SET SESSION AUTHORIZATION regress_price_a;
SELECT channel.net_price(6501, 'PR-ARRAY-10', current_date, 'EUR') AS own_net;
SELECT pg_temp.err('SELECT channel.net_price(6502, ''PR-ARRAY-10'', current_date, ''EUR'')') AS others_net;
SELECT pg_temp.err('SELECT channel.schedule_discount(6502, ''PR-ARRAY-10'', current_date)') AS others_discount;
-- its own schedule per line; naming another partner gives nothing
SELECT product_line, discount_pct, schedule_id FROM channel.my_discounts() WHERE product_line LIKE 'PR\_%' ORDER BY 1;
SELECT product_line, discount_pct, schedule_id FROM channel.my_discounts(6502) WHERE product_line LIKE 'PR\_%' ORDER BY 1;
-- list prices yes, cost and floor no, schedules not at all
SELECT price_list_id, product_id, unit_price FROM channel.price_list_item WHERE price_list_id = 6522 ORDER BY product_id;
SELECT pg_temp.err('SELECT unit_cost FROM channel.price_list_item') AS cost;
SELECT pg_temp.err('SELECT floor_pct FROM channel.price_list_item') AS floor;
SELECT pg_temp.err('SELECT * FROM channel.discount_schedule') AS schedules;
SELECT pg_temp.err('INSERT INTO channel.price_list (name, currency, valid_from) VALUES (''x'', ''EUR'', current_date)') AS write_list;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_price_b;
SELECT channel.net_price(6502, 'PR-ARRAY-10', current_date, 'EUR') AS own_net_b;
SELECT product_line, discount_pct, schedule_id FROM channel.my_discounts() WHERE product_line LIKE 'PR\_%' ORDER BY 1;
RESET SESSION AUTHORIZATION;

-- ------------------------------------------------------------ constraints
SELECT pg_temp.err(format('INSERT INTO channel.discount_schedule (discount_pct, valid_from) VALUES (%s, current_date)', v)) AS bad_pct
FROM unnest(ARRAY['100.01', '-1', '''NaN''']) v;
SELECT pg_temp.err('INSERT INTO channel.price_list_item VALUES (6521, 6515, ''NaN'', NULL, 0)') AS nan_price;
SELECT pg_temp.err('INSERT INTO channel.price_list_item VALUES (6521, 6515, -1, NULL, 0)') AS negative_price;
SELECT pg_temp.err('INSERT INTO channel.price_list (name, currency, valid_from) VALUES (''dup'', ''EUR'', current_date - 365)') AS same_start;
SELECT pg_temp.err('INSERT INTO channel.discount_schedule (tier, discount_pct, valid_from) VALUES (''gold'', 1, current_date - 365)') AS same_row;
ROLLBACK;
