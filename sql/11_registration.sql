-- 11_registration: registering deals, conflicts under name variants, both
-- policies, and the lifecycle with its illegal transitions.
-- Cleans up after itself.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- deal ids in messages below start at 5201 whatever ran before
SELECT setval('channel.deal_deal_id_seq', 5200) AS deal_ids_after;
INSERT INTO channel.product_line (code, name, protection_days) VALUES ('REG_LINE', 'Registration line', 60),
                                                                      ('REG_OTHER', 'Another line', 90);
INSERT INTO channel.partner (partner_id, name, status, country) VALUES
  (5101, 'Alpha Reseller', 'active', 'FR'), (5102, 'Beta Integrator', 'active', 'FR'),
  (5103, 'Gamma Dormant', 'inactive', 'FR'), (5104, 'Delta Unlicensed', 'active', 'FR');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES
  (5101, 'REG_LINE'), (5101, 'REG_OTHER'), (5102, 'REG_LINE'), (5102, 'REG_OTHER'), (5103, 'REG_LINE');

-- a registration: normalized key, protection from the product line (60 days)
SELECT channel.register_deal(5101, 'Société Générale S.A.', 'FR', 'REG_LINE', 50000, current_date + 60) AS first_id \gset
SELECT status, customer_key, protected_until - submitted_at AS protection, customer_match_keys[1] AS first_key
FROM channel.deal WHERE deal_id = :first_id;

-- another partner, another spelling, same customer and line: flagged
SELECT channel.register_deal(5102, 'SOCIETE GENERALE', 'FR', 'REG_LINE', 40000, current_date + 45) AS second_id \gset
SELECT deal_id = :second_id AS is_second, status, status_reason FROM channel.deal WHERE deal_id IN (:first_id, :second_id) ORDER BY deal_id;
SELECT deal_id = :second_id AS flagged_is_second, other_deal_id = :first_id AS against_first, match_kind, score
FROM channel.deal_conflict;

-- typos and acronyms are caught too; each conflict names its kind
SELECT channel.register_deal(5101, 'International Business Machines Corp.', 'FR', 'REG_LINE', 1000, current_date + 30) AS ibm_id \gset
SELECT channel.register_deal(5102, 'IBM', 'FR', 'REG_LINE', 1000, current_date + 30) AS ibm2_id \gset
SELECT channel.register_deal(5101, 'Deutsche Telekom AG', 'FR', 'REG_LINE', 1000, current_date + 30) AS dt_id \gset
SELECT channel.register_deal(5102, 'Deutsche Telecom', 'FR', 'REG_LINE', 1000, current_date + 30) AS dt2_id \gset
SELECT c.match_kind, round(c.score::numeric, 2) AS score, d.customer_name, o.customer_name AS other_name
FROM channel.deal_conflict c JOIN channel.deal d ON d.deal_id = c.deal_id JOIN channel.deal o ON o.deal_id = c.other_deal_id
ORDER BY c.conflict_id;

-- not conflicts: the same partner again, another line, another country,
-- a different company with a similar name, direct sales against direct sales
SELECT channel.register_deal(5101, 'Societe Generale', 'FR', 'REG_LINE', 1, current_date + 30) AS own_again \gset
SELECT channel.register_deal(5102, 'Société Générale', 'FR', 'REG_OTHER', 1, current_date + 30) AS other_line \gset
SELECT channel.register_deal(5102, 'Société Générale', 'DE', 'REG_LINE', 1, current_date + 30) AS other_country \gset
SELECT channel.register_deal(5102, 'Société Marseillaise', 'FR', 'REG_LINE', 1, current_date + 30) AS other_company \gset
SELECT channel.register_deal(NULL, 'Zenith Direct', 'FR', 'REG_LINE', 1, current_date + 30) AS direct1 \gset
SELECT channel.register_deal(NULL, 'ZENITH DIRECT', 'FR', 'REG_LINE', 1, current_date + 30) AS direct2 \gset
SELECT count(*) FILTER (WHERE status = 'conflict') AS conflicts, count(*) AS deals
FROM channel.deal WHERE deal_id IN (:own_again, :other_line, :other_country, :other_company, :direct1, :direct2);
-- ... but a partner against direct sales is one
SELECT channel.register_deal(5101, 'Zenith Direct SA', 'FR', 'REG_LINE', 1, current_date + 30) AS vs_direct \gset
SELECT status FROM channel.deal WHERE deal_id = :vs_direct;

-- history imported with a final status is not checked; a registration whose
-- protection has ended (even before expire_deals ran) protects nothing
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          status, protected_until, submitted_at, decided_at, closed_at)
VALUES (5102, 'Vivendi', 'FR', 'REG_LINE', 5, '2025-01-01', 'won', '2025-03-01', '2024-12-01', '2024-12-02', '2024-12-20'),
       (5102, 'Thales', 'FR', 'REG_LINE', 5, '2025-01-01', 'approved', '2025-03-01', '2024-12-01', '2024-12-02', NULL);
SELECT channel.register_deal(5101, 'VIVENDI SE', 'FR', 'REG_LINE', 1, current_date + 30) AS vivendi \gset
SELECT channel.register_deal(5101, 'Thales S.A.', 'FR', 'REG_LINE', 1, current_date + 30) AS thales \gset
SELECT status FROM channel.deal WHERE deal_id IN (:vivendi, :thales);

-- the threshold is a setting (superuser only): at 1, only equal names match
SET channel.match_threshold = 1;
SELECT channel.register_deal(5102, 'Deutsche Telecoms', 'FR', 'REG_LINE', 1, current_date + 30) AS strict_id \gset
SELECT status FROM channel.deal WHERE deal_id = :strict_id;
RESET channel.match_threshold;
SET channel.match_threshold = 1.5;
SET channel.conflict_policy = 'maybe';

-- the reject policy: the second registration fails with CH001, and the
-- message says nothing of the other registration (no name, id, amount, date)
SET channel.conflict_policy = 'reject';
SELECT channel.register_deal(5102, 'Societe Generale SA', 'FR', 'REG_LINE', 1, current_date + 30);
\set VERBOSITY sqlstate
SELECT channel.register_deal(5102, 'Societe Generale SA', 'FR', 'REG_LINE', 1, current_date + 30);
\set VERBOSITY default
-- a direct INSERT gets the same, and nothing is written
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (5102, 'société générale', 'FR', 'REG_LINE', 1, current_date + 30);
SELECT count(*) AS rejected_left_nothing FROM channel.deal WHERE partner_id = 5102 AND customer_key = 'societe generale'
  AND customer_country = 'FR' AND product_line = 'REG_LINE' AND amount = 1;
RESET channel.conflict_policy;

-- bad registrations
SELECT channel.register_deal(5101, NULL, 'FR', 'REG_LINE', 1, current_date + 30);
SELECT channel.register_deal(5101, 'Acme', 'fr', 'REG_LINE', 1, current_date + 30);
SELECT channel.register_deal(5101, 'Acme', 'FR', 'NO_SUCH_LINE', 1, current_date + 30);
SELECT channel.register_deal(5101, 'Acme', 'FR', 'REG_LINE', -1, current_date + 30);
SELECT channel.register_deal(5101, 'Acme', 'FR', 'REG_LINE', 1, current_date - 1);
SELECT channel.register_deal(5999, 'Acme', 'FR', 'REG_LINE', 1, current_date + 30);
SELECT channel.register_deal(5103, 'Acme', 'FR', 'REG_LINE', 1, current_date + 30);
SELECT channel.register_deal(5104, 'Acme', 'FR', 'REG_LINE', 1, current_date + 30);
SELECT channel.register_deal(5101, '!!!', 'FR', 'REG_LINE', 1, current_date + 30);

-- lifecycle: approve, extend (at most twice), close
SELECT channel.approve_deal(:first_id);
SELECT status, decided_at IS NOT NULL AS decided FROM channel.deal WHERE deal_id = :first_id;
SELECT channel.approve_deal(:first_id);
SELECT channel.approve_deal(:second_id);
SELECT channel.extend_deal(:first_id) - (SELECT submitted_at FROM channel.deal WHERE deal_id = :first_id) AS after_one;
SELECT channel.extend_deal(:first_id, 10) - (SELECT submitted_at FROM channel.deal WHERE deal_id = :first_id) AS after_two;
SELECT channel.extend_deal(:first_id);
SELECT channel.extend_deal(:ibm_id, 0);
SELECT channel.extend_deal(:ibm_id);
SELECT channel.close_deal(:first_id, NULL);
SELECT channel.close_deal(:first_id, true, -5);
SELECT channel.close_deal(:first_id, true, 61000);
SELECT status, amount, closed_at IS NOT NULL AS closed FROM channel.deal WHERE deal_id = :first_id;
SELECT channel.close_deal(:first_id, false);
SELECT channel.approve_deal(NULL);
SELECT channel.approve_deal(987654321);

-- rejection needs a reason, and only live registrations are rejected
SELECT channel.reject_deal(:own_again, '  ');
SELECT channel.reject_deal(:own_again, 'duplicate of an earlier registration');
SELECT channel.reject_deal(:own_again, 'again');
SELECT channel.close_deal(:own_again, true);

-- conflicts: the channel manager picks the winner; the others are rejected
SELECT channel.resolve_conflict(:ibm2_id) AS rejected;
SELECT deal_id = :ibm2_id AS is_winner, status, status_reason FROM channel.deal WHERE deal_id IN (:ibm_id, :ibm2_id) ORDER BY deal_id;
SELECT resolved_at IS NOT NULL AS resolved, winner_deal_id = :ibm2_id AS winner_recorded
FROM channel.deal_conflict WHERE deal_id = :ibm2_id;
SELECT channel.resolve_conflict(:ibm2_id);
SELECT channel.resolve_conflict(:own_again);

-- expiry: protection that has ended turns live registrations into expired
UPDATE channel.deal SET submitted_at = submitted_at - interval '2 days', protected_until = submitted_at - interval '1 day'
WHERE deal_id IN (:dt_id, :other_company);
SELECT channel.expire_deals() AS expired;
SELECT status, status_reason FROM channel.deal WHERE deal_id IN (:dt_id, :other_company);
SELECT channel.expire_deals() AS expired_again;
SELECT channel.approve_deal(:dt_id);

-- every transition is in the history
SELECT e.from_status, e.to_status, e.reason
FROM channel.deal_event e WHERE e.deal_id = :first_id ORDER BY e.event_id;

-- a partner acts on its own deals only; vendor actions are refused to it
CREATE ROLE regress_reg_alpha LOGIN;
GRANT channel_partner TO regress_reg_alpha;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_reg_alpha', 5101);
SET SESSION AUTHORIZATION regress_reg_alpha;
SELECT channel.register_deal(5102, 'Acme', 'FR', 'REG_LINE', 1, current_date + 30);
SELECT channel.register_deal(NULL, 'Kering', 'FR', 'REG_LINE', 1, current_date + 30) IS NOT NULL AS registered_for_itself;
SELECT channel.approve_deal(:vs_direct);
SELECT channel.expire_deals();
SELECT channel.resolve_conflict(:ibm2_id);
-- another partner's deal and a missing one look the same
SELECT channel.extend_deal(:second_id);
SELECT channel.extend_deal(987654321);
SELECT channel.close_deal(:second_id, true);
-- settings that would let a partner probe others' registrations are not its to change
SET channel.match_threshold = 0.5;
SET channel.conflict_policy = 'flag';
RESET SESSION AUTHORIZATION;

-- without a usable index (here marked invalid, as a failed REINDEX
-- CONCURRENTLY leaves it) the trigger looks candidates up by a query
-- instead, and finds the same conflicts
BEGIN;
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'channel.deal_match_keys_idx'::regclass;
SELECT channel.register_deal(5101, 'Saint-Gobain S.A.', 'FR', 'REG_LINE', 1, current_date + 30) AS sg_id \gset
SELECT channel.register_deal(5102, 'SAINT GOBAIN', 'FR', 'REG_LINE', 1, current_date + 30) AS sg2_id \gset
SELECT channel.register_deal(5102, 'Saint-Gobain', 'DE', 'REG_LINE', 1, current_date + 30) AS sg_de_id \gset
SELECT d.customer_name, d.status, c.match_kind, o.customer_name AS other_name
FROM channel.deal d LEFT JOIN channel.deal_conflict c ON c.deal_id = d.deal_id LEFT JOIN channel.deal o ON o.deal_id = c.other_deal_id
WHERE d.deal_id IN (:sg_id, :sg2_id, :sg_de_id) ORDER BY d.deal_id;
ROLLBACK;

-- the trigger keeps the columns it needs by number, checked at every row:
-- one dropped under it is reported by name, and once the drop is rolled
-- back the trigger works as before
BEGIN;
ALTER TABLE channel.deal DROP COLUMN customer_key CASCADE;
SELECT channel.register_deal(5101, 'Danone', 'FR', 'REG_LINE', 1, current_date + 30);
ROLLBACK;
SELECT channel.register_deal(5101, 'Danone', 'FR', 'REG_LINE', 1, current_date + 30) AS danone_id \gset
SELECT status, customer_key FROM channel.deal WHERE deal_id = :danone_id;

-- edge: a protection window spans a change to or from daylight saving time
-- in the session's TimeZone.  A protection day is 24 hours, whoever
-- registers from wherever: the 60 days of REG_LINE from a submission
-- 20 days before New York's last clock change are 60 x 24 hours, and so is
-- an extension of 30 days that spans its next one (was 59 days 23 hours or
-- 60 days 1 hour, depending on the direction of the change)
BEGIN;
SET LOCAL TimeZone = 'America/New_York';
SELECT max(t) FILTER (WHERE t <= now()) AS last_change, min(t) FILTER (WHERE t > now()) AS next_change
FROM generate_series(now() - interval '1 year', now() + interval '1 year', interval '1 hour') t
WHERE extract(timezone FROM t) <> extract(timezone FROM t - interval '1 hour') \gset
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close, submitted_at)
VALUES (5101, 'Daylight Saving Corp.', 'US', 'REG_LINE', 1, current_date + 30, :'last_change'::timestamptz - interval '20 days')
RETURNING deal_id AS dst_id, extract(epoch FROM protected_until - submitted_at)::int / 3600 AS protection_hours \gset
SELECT :protection_hours AS protection_hours;
UPDATE channel.deal SET status = 'approved', decided_at = now(),
       protected_until = greatest(now() + interval '1 hour', :'next_change'::timestamptz - interval '1 day')
WHERE deal_id = :dst_id RETURNING protected_until AS before_extension \gset
SELECT extract(epoch FROM channel.extend_deal(:dst_id, 30) - :'before_extension'::timestamptz)::int / 3600 AS extension_hours;
ROLLBACK;

-- clean up
DELETE FROM channel.deal WHERE product_line IN ('REG_LINE', 'REG_OTHER');
DELETE FROM channel.partner WHERE partner_id BETWEEN 5101 AND 5104;
DELETE FROM channel.product_line WHERE code IN ('REG_LINE', 'REG_OTHER');
DROP ROLE regress_reg_alpha;
