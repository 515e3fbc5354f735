-- 55_funds.sql: market development funds (MDF) and co-op -- budgets, their
-- allocations to partners, the append-only fund ledger and the balances it
-- sums to (doc/funds.md).  Requests, claims and the period-end job are in
-- 57_fund_requests.sql, campaigns in 56_campaigns.sql, ROI in 58_fund_roi.sql.
--
-- Every unit of money is a row of channel.fund_ledger that moves an amount
-- from one bucket to another: a budget brings money from outside into its
-- unallocated pool, an allocation moves it to a partner's available funds,
-- an approved request reserves it, a paid claim moves it to paid, and so on.
-- A balance is the sum of what entered a bucket minus what left it; nothing
-- else stores one.  The statement trigger on the ledger locks every budget
-- and allocation a statement touches (in key order) and refuses any
-- statement after which a bucket it drew from would be negative, so no
-- writer -- not even one that skipped the functions' own checks -- can
-- overdraw funds, at any isolation level.

CREATE TYPE channel.fund_kind AS ENUM ('mdf', 'coop', 'incentive');
COMMENT ON TYPE channel.fund_kind IS
  'Kind of partner fund: mdf (market development funds, budgeted by the vendor), coop (co-op funds, accrued as a share of the partner''s won revenue or sell-through) or incentive (rebates, SPIFFs and registration bonuses earned by the rules of channel.incentive_rule, paid out on request).';

CREATE TYPE channel.fund_period AS ENUM ('quarter', 'half', 'year');
COMMENT ON TYPE channel.fund_period IS 'Length of a fund budget''s period: quarter (3 months), half (6) or year (12).';

CREATE TYPE channel.fund_entry AS ENUM
  ('budget', 'allocation', 'accrual', 'reservation', 'release', 'payment', 'expiry', 'carry_out', 'carry_in',
   'earning', 'clawback');
COMMENT ON TYPE channel.fund_entry IS
  'What a fund ledger row records: budget (outside -> unallocated), allocation (unallocated -> available), accrual (outside -> available), reservation (available -> reserved), release (reserved -> available), payment (reserved -> paid), expiry (available or unallocated -> expired), carry_out (available -> carried), carry_in (carried -> available of the next period), earning (outside -> available: an incentive earned) and clawback (available -> outside: an incentive no longer earned, on recomputation).';

CREATE TYPE channel.fund_bucket AS ENUM ('outside', 'unallocated', 'available', 'reserved', 'paid', 'expired', 'carried');
COMMENT ON TYPE channel.fund_bucket IS
  'Where money sits: outside (the source of budgets and accruals), unallocated (a budget''s pool), available, reserved and paid (a partner allocation''s), expired, carried (in transit to the next period).';

-- Money arguments: a finite positive amount with at most two decimals.
CREATE FUNCTION channel.fund_check_amount(amount numeric, what text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF amount IS NULL THEN
    RAISE EXCEPTION '% must not be NULL', what
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Give an amount greater than zero.';
  END IF;
  IF amount = 'NaN'::numeric OR amount IN ('Infinity'::numeric, '-Infinity'::numeric) THEN
    RAISE EXCEPTION '% must be a finite number', what
      USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', amount),
            HINT = 'Money is a decimal amount with at most two decimals.';
  END IF;
  IF amount <= 0 THEN
    RAISE EXCEPTION '% must be greater than zero', what
      USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', amount);
  END IF;
  IF amount <> pg_catalog.round(amount, 2) THEN
    RAISE EXCEPTION '% has more than two decimals', what
      USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', amount),
            HINT = 'Round it to cents first; the ledger never rounds for you.';
  END IF;
  IF amount >= 1e14 THEN
    RAISE EXCEPTION '% is too large', what
      USING ERRCODE = 'numeric_value_out_of_range', DETAIL = pg_catalog.format('Got %s; the largest is 99999999999999.99.', amount);
  END IF;
  RETURN amount;
END
$$;
COMMENT ON FUNCTION channel.fund_check_amount(numeric, text) IS
  'Returns amount if it is a finite number greater than zero with at most two decimals and below 1e14; raises null_value_not_allowed, invalid_parameter_value or numeric_value_out_of_range naming what otherwise.';

-- The vendor-only guard of the channel managers' functions.
CREATE FUNCTION channel.fund_vendor_only(action text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can %', action
      USING ERRCODE = 'insufficient_privilege', DETAIL = 'The calling role acts for a partner.',
            HINT = 'Ask your channel manager.';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.fund_vendor_only(text) IS
  'Raises insufficient_privilege ("only the vendor can <action>") when the caller acts for a partner.';

CREATE TABLE channel.fund_budget (
  budget_id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name                  text NOT NULL CONSTRAINT fund_budget_name_not_blank CHECK (btrim(name) <> '' AND length(name) <= 200),
  fund                  channel.fund_kind NOT NULL,
  period                channel.fund_period NOT NULL,
  period_start          date NOT NULL,
  period_end            date NOT NULL,
  currency              channel.currency_code NOT NULL,
  second_approval_above numeric(16,2) CONSTRAINT fund_budget_threshold_positive CHECK (second_approval_above > 0 AND second_approval_above <> 'NaN'),
  claim_days            integer NOT NULL DEFAULT 30 CONSTRAINT fund_budget_claim_days_range CHECK (claim_days BETWEEN 0 AND 365),
  carry_over_pct        numeric(5,2) NOT NULL DEFAULT 0 CONSTRAINT fund_budget_carry_over_range CHECK (carry_over_pct BETWEEN 0 AND 100),
  carry_over_to         bigint REFERENCES channel.fund_budget (budget_id),
  accrue_on             text NOT NULL DEFAULT 'deals'
                        CONSTRAINT fund_budget_accrue_on_valid CHECK (accrue_on IN ('deals', 'sell_through', 'both')),
  ledger_entries        bigint NOT NULL DEFAULT 0,
  expired_at            timestamptz,
  created_by            text NOT NULL DEFAULT session_user,
  created_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT fund_budget_period_shape CHECK (
    extract(day FROM period_start) = 1
    AND period_end = (period_start + CASE period WHEN 'quarter' THEN interval '3 months'
                                                 WHEN 'half' THEN interval '6 months'
                                                 ELSE interval '12 months' END)::date),
  CONSTRAINT fund_budget_carry_needs_target CHECK (carry_over_pct = 0 OR carry_over_to IS NOT NULL),
  CONSTRAINT fund_budget_not_own_carry CHECK (carry_over_to <> budget_id),
  CONSTRAINT fund_budget_currency_key UNIQUE (budget_id, currency),
  CONSTRAINT fund_budget_fund_key UNIQUE (budget_id, fund)
);
COMMENT ON TABLE channel.fund_budget IS
  'A fund budget: one fund (mdf or coop) for one period in one currency. Its money is in channel.fund_ledger (the budget entry and everything after); made by channel.create_fund_budget().';
COMMENT ON COLUMN channel.fund_budget.budget_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.fund_budget.name IS 'Display name, e.g. "EMEA MDF Q3".';
COMMENT ON COLUMN channel.fund_budget.fund IS 'mdf or coop.';
COMMENT ON COLUMN channel.fund_budget.period IS 'quarter, half or year.';
COMMENT ON COLUMN channel.fund_budget.period_start IS 'First day of the period (the first of a month).';
COMMENT ON COLUMN channel.fund_budget.period_end IS 'First day after the period: period_start plus 3, 6 or 12 months.';
COMMENT ON COLUMN channel.fund_budget.currency IS 'ISO 4217 currency of every amount of the budget, its allocations, requests and claims.';
COMMENT ON COLUMN channel.fund_budget.second_approval_above IS
  'Requests approved for more than this need a second approver (another role than the first); NULL: one approval always suffices.';
COMMENT ON COLUMN channel.fund_budget.claim_days IS
  'Days after period_end during which claims are still accepted; the period-end job expires the budget once they have passed.';
COMMENT ON COLUMN channel.fund_budget.carry_over_pct IS
  'Share (percent) of a partner''s unused funds carried into its allocation of carry_over_to at period end; the rest expires (use it or lose it).';
COMMENT ON COLUMN channel.fund_budget.carry_over_to IS 'The next period''s budget that receives carried-over funds (same fund and currency).';
COMMENT ON COLUMN channel.fund_budget.accrue_on IS
  'What a co-op budget accrues on: deals (won deals, the default), sell_through (reported sell-through lines of channel.sell_through) or both (a registered deal and the sell-through lines that close it count once). Ignored for mdf and incentive budgets.';
COMMENT ON COLUMN channel.fund_budget.ledger_entries IS
  'Number of ledger rows that touch the budget''s own pool (budget, allocation, and expiry of the unallocated rest); kept by the ledger trigger, which updates it to lock the budget.';
COMMENT ON COLUMN channel.fund_budget.expired_at IS 'When channel.expire_funds() closed the period; NULL while the budget is open.';
COMMENT ON COLUMN channel.fund_budget.created_by IS 'Role that created the budget.';
COMMENT ON COLUMN channel.fund_budget.created_at IS 'When the budget was created.';
CREATE INDEX fund_budget_open_idx ON channel.fund_budget (period_end) WHERE expired_at IS NULL;
COMMENT ON INDEX channel.fund_budget_open_idx IS 'Open budgets by end of period, for the accrual and expiry jobs.';
SELECT pg_catalog.pg_extension_config_dump('channel.fund_budget', '');
SELECT pg_catalog.pg_extension_config_dump('channel.fund_budget_budget_id_seq', '');

CREATE TABLE channel.fund_allocation (
  allocation_id  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  budget_id      bigint NOT NULL REFERENCES channel.fund_budget (budget_id),
  partner_id     bigint NOT NULL REFERENCES channel.partner (partner_id),
  ledger_entries bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT fund_allocation_once UNIQUE (budget_id, partner_id),
  CONSTRAINT fund_allocation_key UNIQUE (allocation_id, budget_id, partner_id)
);
COMMENT ON TABLE channel.fund_allocation IS
  'A partner''s account in a fund budget: what was allocated or accrued to it, reserved, paid and expired are ledger rows of this allocation.';
COMMENT ON COLUMN channel.fund_allocation.allocation_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.fund_allocation.budget_id IS 'The budget.';
COMMENT ON COLUMN channel.fund_allocation.partner_id IS 'The partner.';
COMMENT ON COLUMN channel.fund_allocation.ledger_entries IS
  'Number of ledger rows that took money out of this allocation''s available or reserved funds; kept by the ledger trigger, which updates it to lock the allocation while a statement draws on it.';
COMMENT ON COLUMN channel.fund_allocation.created_at IS 'When the account was opened.';
CREATE INDEX fund_allocation_partner_idx ON channel.fund_allocation (partner_id);
COMMENT ON INDEX channel.fund_allocation_partner_idx IS 'Allocations of a partner.';
SELECT pg_catalog.pg_extension_config_dump('channel.fund_allocation', '');
SELECT pg_catalog.pg_extension_config_dump('channel.fund_allocation_allocation_id_seq', '');

CREATE TABLE channel.fund_ledger (
  entry_id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  budget_id     bigint NOT NULL,
  allocation_id bigint,
  partner_id    bigint,
  entry         channel.fund_entry NOT NULL,
  from_bucket   channel.fund_bucket NOT NULL,
  to_bucket     channel.fund_bucket NOT NULL,
  amount        numeric(16,2) NOT NULL CONSTRAINT fund_ledger_amount_positive CHECK (amount > 0 AND amount <> 'NaN'),
  currency      channel.currency_code NOT NULL,
  request_id    bigint,
  claim_id      bigint,
  carried_from  bigint REFERENCES channel.fund_ledger (entry_id),
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL DEFAULT session_user,
  note          text,
  CONSTRAINT fund_ledger_partner_with_allocation CHECK ((allocation_id IS NULL) = (partner_id IS NULL)),
  CONSTRAINT fund_ledger_movement_valid CHECK (CASE entry
    WHEN 'budget'      THEN from_bucket = 'outside' AND to_bucket = 'unallocated' AND allocation_id IS NULL
    WHEN 'allocation'  THEN from_bucket = 'unallocated' AND to_bucket = 'available' AND allocation_id IS NOT NULL
    WHEN 'accrual'     THEN from_bucket = 'outside' AND to_bucket = 'available' AND allocation_id IS NOT NULL
    WHEN 'reservation' THEN from_bucket = 'available' AND to_bucket = 'reserved' AND request_id IS NOT NULL
    WHEN 'release'     THEN from_bucket = 'reserved' AND to_bucket = 'available' AND request_id IS NOT NULL
    WHEN 'payment'     THEN from_bucket = 'reserved' AND to_bucket = 'paid' AND claim_id IS NOT NULL
    WHEN 'expiry'      THEN to_bucket = 'expired'
                            AND from_bucket = CASE WHEN allocation_id IS NULL THEN 'unallocated' ELSE 'available' END::channel.fund_bucket
    WHEN 'carry_out'   THEN from_bucket = 'available' AND to_bucket = 'carried' AND allocation_id IS NOT NULL
    WHEN 'carry_in'    THEN from_bucket = 'carried' AND to_bucket = 'available' AND carried_from IS NOT NULL
    WHEN 'earning'     THEN from_bucket = 'outside' AND to_bucket = 'available' AND allocation_id IS NOT NULL
    WHEN 'clawback'    THEN from_bucket = 'available' AND to_bucket = 'outside' AND allocation_id IS NOT NULL
  END),
  CONSTRAINT fund_ledger_request_on_allocation CHECK (request_id IS NULL OR allocation_id IS NOT NULL),
  CONSTRAINT fund_ledger_claim_has_request CHECK (claim_id IS NULL OR request_id IS NOT NULL)
);
COMMENT ON TABLE channel.fund_ledger IS
  'Append-only ledger of every movement of fund money between buckets (see channel.fund_entry). Balances are sums of it; no role may update or delete a row, and a trigger refuses it even to the owner. Its budget (in its currency) and allocation (of that budget and partner) are checked per statement by channel.fund_ledger_check(), not by per-row foreign keys, and channel.fund_ledger_referenced() keeps them from being deleted.';
COMMENT ON COLUMN channel.fund_ledger.entry_id IS 'Surrogate key; orders the rows.';
COMMENT ON COLUMN channel.fund_ledger.budget_id IS 'The budget the money belongs to.';
COMMENT ON COLUMN channel.fund_ledger.allocation_id IS 'The partner allocation it moves within; NULL for rows of the budget''s own pool (budget, expiry of the unallocated rest).';
COMMENT ON COLUMN channel.fund_ledger.partner_id IS 'The allocation''s partner (row-level security reads it); NULL with allocation_id.';
COMMENT ON COLUMN channel.fund_ledger.entry IS 'What the movement is (see channel.fund_entry).';
COMMENT ON COLUMN channel.fund_ledger.from_bucket IS 'Bucket the amount leaves.';
COMMENT ON COLUMN channel.fund_ledger.to_bucket IS 'Bucket the amount enters.';
COMMENT ON COLUMN channel.fund_ledger.amount IS 'Amount moved: finite, greater than zero, two decimals.';
COMMENT ON COLUMN channel.fund_ledger.currency IS 'The budget''s currency (checked by channel.fund_ledger_check()).';
COMMENT ON COLUMN channel.fund_ledger.request_id IS 'The fund request a reservation, release or payment is for.';
COMMENT ON COLUMN channel.fund_ledger.claim_id IS 'The claim a payment reimburses.';
COMMENT ON COLUMN channel.fund_ledger.carried_from IS 'For carry_in: the carry_out row of the previous period it receives.';
COMMENT ON COLUMN channel.fund_ledger.at IS 'Transaction time of the movement.';
COMMENT ON COLUMN channel.fund_ledger.actor IS 'Database role (session user) that caused it.';
COMMENT ON COLUMN channel.fund_ledger.note IS 'Free text: the payment reference, the reason of a release, ...';
CREATE INDEX fund_ledger_allocation_idx ON channel.fund_ledger (allocation_id, entry);
CREATE INDEX fund_ledger_budget_idx ON channel.fund_ledger (budget_id, entry);
CREATE INDEX fund_ledger_partner_idx ON channel.fund_ledger (partner_id, at) WHERE partner_id IS NOT NULL;
CREATE INDEX fund_ledger_request_idx ON channel.fund_ledger (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX fund_ledger_claim_idx ON channel.fund_ledger (claim_id) WHERE claim_id IS NOT NULL;
COMMENT ON INDEX channel.fund_ledger_allocation_idx IS 'Balances of an allocation.';
COMMENT ON INDEX channel.fund_ledger_budget_idx IS 'Balances of a budget''s pool.';
COMMENT ON INDEX channel.fund_ledger_partner_idx IS 'A partner''s ledger, in time order.';
COMMENT ON INDEX channel.fund_ledger_request_idx IS 'Movements of a fund request.';
CREATE UNIQUE INDEX fund_ledger_carried_once ON channel.fund_ledger (carried_from) WHERE carried_from IS NOT NULL;
COMMENT ON INDEX channel.fund_ledger_claim_idx IS 'The payment of a claim.';
COMMENT ON INDEX channel.fund_ledger_carried_once IS 'A carry_out row is received by one carry_in row at most.';
SELECT pg_catalog.pg_extension_config_dump('channel.fund_ledger', '');
SELECT pg_catalog.pg_extension_config_dump('channel.fund_ledger_entry_id_seq', '');

CREATE FUNCTION channel.fund_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION 'channel.fund_ledger is append-only'
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = pg_catalog.format('%s of ledger rows is not allowed.', TG_OP),
          HINT = 'Correct a movement with a new one (a release, an expiry); balances are sums of the ledger.';
END
$$;
COMMENT ON FUNCTION channel.fund_ledger_append_only() IS 'Trigger: refuses UPDATE and DELETE of fund ledger rows, to everyone.';
CREATE TRIGGER fund_ledger_append_only
  BEFORE UPDATE OR DELETE ON channel.fund_ledger
  FOR EACH ROW EXECUTE FUNCTION channel.fund_ledger_append_only();
COMMENT ON TRIGGER fund_ledger_append_only ON channel.fund_ledger IS 'Keeps the fund ledger append-only.';

-- After each INSERT statement: lock the budgets whose pool and the
-- allocations whose buckets the new rows draw on (budgets first, each in key
-- order, so two writers never deadlock on them), count the rows there, then
-- refuse the statement if any bucket it drew from is now negative.  FOR NO
-- KEY UPDATE, not FOR UPDATE: the foreign-key checks of the new rows have
-- already taken KEY SHARE on the same rows, and two writers upgrading those
-- to FOR UPDATE would deadlock.  The lock is an UPDATE, so under
-- REPEATABLE READ or SERIALIZABLE a writer
-- whose snapshot predates a concurrent committed movement gets a
-- serialization failure instead of a stale balance; under READ COMMITTED
-- the check's query runs after the lock and sees that movement.
CREATE FUNCTION channel.fund_ledger_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
AS $$
DECLARE
  bad record;
  overdrawn bigint;
BEGIN
  -- EXECUTE: each statement is planned for this firing's number of new
  -- rows (a cached plan made for a one-row statement would loop over a
  -- thousand-row one); enable_seqscan off (SET on the function): every
  -- table here is reached through its index, even when its statistics are
  -- those of an empty table (a freshly vacuumed one about to take its
  -- first big batch), where a nested loop over sequential scans would be
  -- quadratic
  EXECUTE $q$
    SELECT count(*) FROM (
      SELECT 1 FROM (SELECT DISTINCT n.budget_id FROM added n WHERE n.allocation_id IS NULL OR n.from_bucket = 'unallocated') t
      JOIN channel.fund_budget b ON b.budget_id = t.budget_id
      ORDER BY b.budget_id FOR NO KEY UPDATE OF b) locked $q$;
  EXECUTE $q$
    UPDATE channel.fund_budget b SET ledger_entries = b.ledger_entries + n.rows
    FROM (SELECT n.budget_id, count(*) AS rows FROM added n
          WHERE n.allocation_id IS NULL OR n.from_bucket = 'unallocated' GROUP BY n.budget_id) n
    WHERE b.budget_id = n.budget_id $q$;

  -- allocations only where money leaves them (available or reserved):
  -- money coming in (allocation, accrual, earning, carry_in) cannot
  -- overdraw, so a bulk accrual over every partner locks none of them
  EXECUTE $q$
    SELECT count(*) FROM (
      SELECT 1 FROM (SELECT DISTINCT n.allocation_id FROM added n WHERE n.from_bucket IN ('available', 'reserved')) t
      JOIN channel.fund_allocation a ON a.allocation_id = t.allocation_id
      ORDER BY a.allocation_id FOR NO KEY UPDATE OF a) locked $q$;
  EXECUTE $q$
    UPDATE channel.fund_allocation a SET ledger_entries = a.ledger_entries + n.rows
    FROM (SELECT n.allocation_id, count(*) AS rows FROM added n
          WHERE n.from_bucket IN ('available', 'reserved') GROUP BY n.allocation_id) n
    WHERE a.allocation_id = n.allocation_id $q$;

  -- what the foreign keys would check, once per statement instead of
  -- twice per row (a bulk accrual writes a row per partner): each row's
  -- budget exists in the row's currency, and its allocation belongs to
  -- that budget and partner.  After the locks, so an allocation deleted
  -- meanwhile is seen gone (fund_ledger_referenced() refuses to delete one
  -- with rows, and these rows are not visible to it before commit).
  EXECUTE $q$
    SELECT n.budget_id, n.allocation_id, n.currency, b.currency AS budget_currency,
           b.budget_id IS NOT NULL AS budget_found, a.allocation_id IS NOT NULL AS allocation_found
    FROM added n
    LEFT JOIN channel.fund_budget b ON b.budget_id = n.budget_id
    LEFT JOIN channel.fund_allocation a ON a.allocation_id = n.allocation_id
    WHERE b.budget_id IS NULL OR b.currency <> n.currency
       OR (n.allocation_id IS NOT NULL
           AND (a.allocation_id IS NULL OR a.budget_id <> n.budget_id OR a.partner_id <> n.partner_id))
    ORDER BY n.entry_id LIMIT 1 $q$ INTO bad;
  GET DIAGNOSTICS overdrawn = ROW_COUNT;
  IF overdrawn > 0 THEN
    RAISE EXCEPTION 'fund ledger row does not match its %',
                    CASE WHEN NOT bad.budget_found OR bad.currency <> bad.budget_currency THEN 'budget' ELSE 'allocation' END
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = CASE WHEN NOT bad.budget_found THEN pg_catalog.format('Fund budget %s does not exist.', bad.budget_id)
                          WHEN bad.currency <> bad.budget_currency
                          THEN pg_catalog.format('Fund budget %s is in %s, the row in %s.', bad.budget_id, bad.budget_currency, bad.currency)
                          WHEN NOT bad.allocation_found THEN pg_catalog.format('Fund allocation %s does not exist.', bad.allocation_id)
                          ELSE pg_catalog.format('Fund allocation %s belongs to another budget or partner.', bad.allocation_id) END,
            HINT = 'Nothing was written.';
  END IF;

  -- only buckets something was taken from can have gone negative; each
  -- touched budget or allocation is summed through its index
  EXECUTE $q$
    SELECT x.* FROM (
      SELECT t.budget_id, NULL::bigint AS allocation_id, 'unallocated'::text AS bucket, s.balance, s.currency
      FROM (SELECT DISTINCT n.budget_id FROM added n WHERE n.from_bucket = 'unallocated') t
      CROSS JOIN LATERAL (
        SELECT sum(CASE WHEN l.to_bucket = 'unallocated' THEN l.amount ELSE -l.amount END) AS balance, min(l.currency) AS currency
        FROM channel.fund_ledger l
        WHERE l.budget_id = t.budget_id AND (l.from_bucket = 'unallocated' OR l.to_bucket = 'unallocated')) s
      UNION ALL
      SELECT s.budget_id, t.allocation_id, v.bucket, v.balance, s.currency
      FROM (SELECT DISTINCT n.allocation_id FROM added n WHERE n.from_bucket IN ('available', 'reserved')) t
      CROSS JOIN LATERAL (
        SELECT min(l.budget_id) AS budget_id, min(l.currency) AS currency,
               sum(CASE WHEN l.to_bucket = 'available' THEN l.amount WHEN l.from_bucket = 'available' THEN -l.amount ELSE 0 END) AS available,
               sum(CASE WHEN l.to_bucket = 'reserved' THEN l.amount WHEN l.from_bucket = 'reserved' THEN -l.amount ELSE 0 END) AS reserved
        FROM channel.fund_ledger l WHERE l.allocation_id = t.allocation_id) s
      CROSS JOIN LATERAL (VALUES ('available', s.available), ('reserved', s.reserved)) v(bucket, balance)
    ) x
    WHERE x.balance < 0
    ORDER BY x.budget_id, x.allocation_id NULLS FIRST, x.bucket
    LIMIT 1 $q$ INTO bad;
  GET DIAGNOSTICS overdrawn = ROW_COUNT;
  IF overdrawn > 0 THEN
    RAISE EXCEPTION 'insufficient funds: this movement would overdraw %',
                    CASE WHEN bad.allocation_id IS NULL THEN pg_catalog.format('budget %s', bad.budget_id)
                         ELSE pg_catalog.format('allocation %s', bad.allocation_id) END
      USING ERRCODE = 'check_violation',
            DETAIL = pg_catalog.format('Its %s funds would be %s %s.', bad.bucket, bad.balance, bad.currency),
            HINT = 'Nothing was written. Check the balances in channel.fund_balance first.';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.fund_ledger_check() IS
  'Statement trigger on the fund ledger: locks the budgets whose pool and the allocations whose funds the new rows draw on (in key order), counts the rows in their ledger_entries, raises foreign_key_violation if a row''s budget is missing or in another currency or its allocation is missing or of another budget or partner, and check_violation if a bucket the rows drew from (unallocated, available, reserved) has become negative.';
CREATE TRIGGER fund_ledger_check
  AFTER INSERT ON channel.fund_ledger
  REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.fund_ledger_check();
COMMENT ON TRIGGER fund_ledger_check ON channel.fund_ledger IS 'No overdraft, under concurrency; see channel.fund_ledger_check().';

-- What the ledger refers to stays: a budget or allocation with ledger rows
-- is never deleted nor re-keyed, and neither table is truncated while the
-- ledger has rows (the foreign keys' other half).
CREATE FUNCTION channel.fund_ledger_referenced() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  used boolean;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    used := EXISTS (SELECT 1 FROM channel.fund_ledger);
  ELSIF TG_TABLE_NAME = 'fund_budget' THEN
    used := EXISTS (SELECT 1 FROM channel.fund_ledger l WHERE l.budget_id = OLD.budget_id);
  ELSE
    used := EXISTS (SELECT 1 FROM channel.fund_ledger l WHERE l.allocation_id = OLD.allocation_id);
  END IF;
  IF used THEN
    RAISE EXCEPTION 'cannot % channel.% rows the fund ledger refers to', pg_catalog.lower(TG_OP), TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = 'The ledger is append-only and every row keeps its budget and allocation.',
            HINT = 'Close a budget with channel.expire_funds() instead.';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION channel.fund_ledger_referenced() IS
  'Trigger: refuses to delete, re-key or truncate fund budgets and allocations the fund ledger refers to (foreign_key_violation).';
CREATE TRIGGER fund_budget_referenced
  BEFORE DELETE OR UPDATE OF budget_id, currency ON channel.fund_budget
  FOR EACH ROW EXECUTE FUNCTION channel.fund_ledger_referenced();
COMMENT ON TRIGGER fund_budget_referenced ON channel.fund_budget IS 'A budget with ledger rows keeps its key and currency.';
CREATE TRIGGER fund_budget_truncate
  BEFORE TRUNCATE ON channel.fund_budget
  FOR EACH STATEMENT EXECUTE FUNCTION channel.fund_ledger_referenced();
COMMENT ON TRIGGER fund_budget_truncate ON channel.fund_budget IS 'No truncation while the ledger has rows.';
CREATE TRIGGER fund_allocation_referenced
  BEFORE DELETE OR UPDATE OF allocation_id, budget_id, partner_id ON channel.fund_allocation
  FOR EACH ROW EXECUTE FUNCTION channel.fund_ledger_referenced();
COMMENT ON TRIGGER fund_allocation_referenced ON channel.fund_allocation IS 'An allocation with ledger rows keeps its key, budget and partner.';
CREATE TRIGGER fund_allocation_truncate
  BEFORE TRUNCATE ON channel.fund_allocation
  FOR EACH STATEMENT EXECUTE FUNCTION channel.fund_ledger_referenced();
COMMENT ON TRIGGER fund_allocation_truncate ON channel.fund_allocation IS 'No truncation while the ledger has rows.';

-- Balances: sums of the ledger, per partner allocation and per budget pool.
-- security_invoker: a partner sees only the rows row-level security shows it.
CREATE VIEW channel.fund_balance WITH (security_invoker = true) AS
SELECT a.allocation_id, a.partner_id, a.budget_id, b.name AS budget_name, b.fund, b.period,
       b.period_start, b.period_end, b.currency,
       coalesce(s.allocated, 0) AS allocated,
       coalesce(s.accrued, 0) AS accrued,
       coalesce(s.carried_in, 0) AS carried_in,
       coalesce(s.reserved, 0) AS reserved,
       coalesce(s.paid, 0) AS paid,
       coalesce(s.expired, 0) AS expired,
       coalesce(s.carried_out, 0) AS carried_out,
       coalesce(s.available, 0) AS available,
       b.expired_at IS NOT NULL AS closed,
       coalesce(s.earned, 0) AS earned
FROM channel.fund_allocation a
JOIN channel.fund_budget b ON b.budget_id = a.budget_id
LEFT JOIN LATERAL (
  SELECT sum(l.amount) FILTER (WHERE l.entry = 'allocation') AS allocated,
         sum(l.amount) FILTER (WHERE l.entry = 'accrual') AS accrued,
         sum(l.amount) FILTER (WHERE l.entry = 'carry_in') AS carried_in,
         sum(CASE WHEN l.to_bucket = 'reserved' THEN l.amount WHEN l.from_bucket = 'reserved' THEN -l.amount END) AS reserved,
         sum(l.amount) FILTER (WHERE l.entry = 'payment') AS paid,
         sum(l.amount) FILTER (WHERE l.entry = 'expiry') AS expired,
         sum(l.amount) FILTER (WHERE l.entry = 'carry_out') AS carried_out,
         sum(CASE WHEN l.to_bucket = 'available' THEN l.amount WHEN l.from_bucket = 'available' THEN -l.amount END) AS available,
         sum(CASE l.entry WHEN 'earning' THEN l.amount WHEN 'clawback' THEN -l.amount END) AS earned
  FROM channel.fund_ledger l
  WHERE l.allocation_id = a.allocation_id
) s ON true;
COMMENT ON VIEW channel.fund_balance IS
  'Balances of every partner allocation, summed from channel.fund_ledger: allocated + accrued + carried_in + earned = available + reserved + paid + expired + carried_out. Partners see their own rows only.';
COMMENT ON COLUMN channel.fund_balance.allocation_id IS 'The allocation.';
COMMENT ON COLUMN channel.fund_balance.partner_id IS 'Its partner.';
COMMENT ON COLUMN channel.fund_balance.budget_id IS 'Its budget.';
COMMENT ON COLUMN channel.fund_balance.budget_name IS 'The budget''s name.';
COMMENT ON COLUMN channel.fund_balance.fund IS 'mdf or coop.';
COMMENT ON COLUMN channel.fund_balance.period IS 'quarter, half or year.';
COMMENT ON COLUMN channel.fund_balance.period_start IS 'First day of the period.';
COMMENT ON COLUMN channel.fund_balance.period_end IS 'First day after the period.';
COMMENT ON COLUMN channel.fund_balance.currency IS 'Currency of every amount.';
COMMENT ON COLUMN channel.fund_balance.allocated IS 'Allocated from the budget (allocation rows).';
COMMENT ON COLUMN channel.fund_balance.accrued IS 'Earned as co-op on won revenue (accrual rows).';
COMMENT ON COLUMN channel.fund_balance.carried_in IS 'Carried over from the previous period.';
COMMENT ON COLUMN channel.fund_balance.reserved IS 'Reserved by approved requests and not yet paid or released.';
COMMENT ON COLUMN channel.fund_balance.paid IS 'Reimbursed to the partner (paid claims).';
COMMENT ON COLUMN channel.fund_balance.expired IS 'Lost at period end.';
COMMENT ON COLUMN channel.fund_balance.carried_out IS 'Carried into the next period''s budget at period end.';
COMMENT ON COLUMN channel.fund_balance.available IS 'What a new request can still be approved for; never negative.';
COMMENT ON COLUMN channel.fund_balance.closed IS 'True once the period-end job has closed the budget.';
COMMENT ON COLUMN channel.fund_balance.earned IS 'Incentives earned (earning rows minus clawback rows); 0 outside incentive budgets.';

CREATE VIEW channel.fund_budget_balance WITH (security_invoker = true) AS
SELECT b.budget_id, b.name, b.fund, b.period, b.period_start, b.period_end, b.currency,
       coalesce(s.budgeted, 0) AS budgeted,
       coalesce(s.allocated, 0) AS allocated,
       coalesce(s.unallocated, 0) AS unallocated,
       coalesce(s.expired_unallocated, 0) AS expired_unallocated,
       coalesce(s.accrued, 0) AS accrued,
       b.expired_at IS NOT NULL AS closed,
       coalesce(s.earned, 0) AS earned
FROM channel.fund_budget b
LEFT JOIN (
  SELECT l.budget_id,
         sum(l.amount) FILTER (WHERE l.entry = 'budget') AS budgeted,
         sum(l.amount) FILTER (WHERE l.entry = 'allocation') AS allocated,
         sum(CASE WHEN l.to_bucket = 'unallocated' THEN l.amount WHEN l.from_bucket = 'unallocated' THEN -l.amount END) AS unallocated,
         sum(l.amount) FILTER (WHERE l.entry = 'expiry' AND l.allocation_id IS NULL) AS expired_unallocated,
         sum(l.amount) FILTER (WHERE l.entry = 'accrual') AS accrued,
         sum(CASE l.entry WHEN 'earning' THEN l.amount WHEN 'clawback' THEN -l.amount END) AS earned
  FROM channel.fund_ledger l
  GROUP BY l.budget_id
) s ON s.budget_id = b.budget_id;
COMMENT ON VIEW channel.fund_budget_balance IS
  'The pool of every budget, summed from channel.fund_ledger: budgeted = allocated + unallocated + expired_unallocated; accrued is the co-op and earned the incentives earned by its partners. Vendor only.';
COMMENT ON COLUMN channel.fund_budget_balance.budget_id IS 'The budget.';
COMMENT ON COLUMN channel.fund_budget_balance.name IS 'Its name.';
COMMENT ON COLUMN channel.fund_budget_balance.fund IS 'mdf or coop.';
COMMENT ON COLUMN channel.fund_budget_balance.period IS 'quarter, half or year.';
COMMENT ON COLUMN channel.fund_budget_balance.period_start IS 'First day of the period.';
COMMENT ON COLUMN channel.fund_budget_balance.period_end IS 'First day after the period.';
COMMENT ON COLUMN channel.fund_budget_balance.currency IS 'Currency.';
COMMENT ON COLUMN channel.fund_budget_balance.budgeted IS 'Money put into the budget (budget rows).';
COMMENT ON COLUMN channel.fund_budget_balance.allocated IS 'Moved to partner allocations.';
COMMENT ON COLUMN channel.fund_budget_balance.unallocated IS 'Still in the pool; never negative.';
COMMENT ON COLUMN channel.fund_budget_balance.expired_unallocated IS 'Pool money that expired at period end.';
COMMENT ON COLUMN channel.fund_budget_balance.accrued IS 'Co-op accrued to the budget''s partner allocations (not drawn from the pool).';
COMMENT ON COLUMN channel.fund_budget_balance.closed IS 'True once the period-end job has closed the budget.';
COMMENT ON COLUMN channel.fund_budget_balance.earned IS 'Incentives earned by the budget''s partners (earning minus clawback rows; not drawn from the pool).';

-- ---------------------------------------------------------------------------
-- Budgets and allocations
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.create_fund_budget(name text, fund channel.fund_kind, period channel.fund_period,
                                           period_start date, currency text, amount numeric DEFAULT NULL,
                                           second_approval_above numeric DEFAULT NULL,
                                           claim_days integer DEFAULT 30)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  id bigint;
BEGIN
  PERFORM channel.fund_vendor_only('create fund budgets');
  IF fund IS NULL OR period IS NULL OR period_start IS NULL OR currency IS NULL THEN
    RAISE EXCEPTION 'fund, period, period_start and currency must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF extract(day FROM period_start) <> 1 THEN
    RAISE EXCEPTION 'a fund period starts on the first of a month'
      USING ERRCODE = 'invalid_datetime_format', DETAIL = pg_catalog.format('Got %s.', period_start),
            HINT = 'Pass the first day of the quarter, half or year, e.g. date_trunc(''quarter'', current_date)::date.';
  END IF;
  IF amount IS NOT NULL THEN
    PERFORM channel.fund_check_amount(amount, 'the budget amount');
  ELSIF fund = 'mdf' THEN
    RAISE EXCEPTION 'an MDF budget needs an amount'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Only co-op and incentive budgets may start empty: their partners accrue or earn their funds.';
  END IF;
  IF second_approval_above IS NOT NULL THEN
    PERFORM channel.fund_check_amount(second_approval_above, 'second_approval_above');
  END IF;
  INSERT INTO channel.fund_budget (name, fund, period, period_start, period_end, currency, second_approval_above, claim_days)
  VALUES (create_fund_budget.name, create_fund_budget.fund, create_fund_budget.period, create_fund_budget.period_start,
          (create_fund_budget.period_start + CASE create_fund_budget.period WHEN 'quarter' THEN interval '3 months'
                                                 WHEN 'half' THEN interval '6 months' ELSE interval '12 months' END)::date,
          create_fund_budget.currency, create_fund_budget.second_approval_above, coalesce(create_fund_budget.claim_days, 30))
  RETURNING budget_id INTO id;
  IF amount IS NOT NULL THEN
    INSERT INTO channel.fund_ledger (budget_id, entry, from_bucket, to_bucket, amount, currency, note)
    VALUES (id, 'budget', 'outside', 'unallocated', amount, create_fund_budget.currency, 'budget created');
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.create_fund_budget(text, channel.fund_kind, channel.fund_period, date, text, numeric, numeric, integer) IS
  'Creates a fund budget for the period starting period_start (first of a month) and, when amount is given (required for mdf), its budget ledger row. Vendor only. Returns the budget id.';

CREATE FUNCTION channel.add_fund_budget(budget_id bigint, amount numeric, note text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  b channel.fund_budget;
  id bigint;
BEGIN
  PERFORM channel.fund_vendor_only('fund budgets');
  PERFORM channel.fund_check_amount(amount, 'the amount');
  SELECT * INTO b FROM channel.fund_budget fb WHERE fb.budget_id = add_fund_budget.budget_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'fund budget % does not exist', budget_id USING ERRCODE = 'no_data_found';
  END IF;
  IF b.expired_at IS NOT NULL THEN
    RAISE EXCEPTION 'fund budget % is closed', budget_id
      USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = 'Its period has ended and its funds have expired.';
  END IF;
  INSERT INTO channel.fund_ledger (budget_id, entry, from_bucket, to_bucket, amount, currency, note)
  VALUES (b.budget_id, 'budget', 'outside', 'unallocated', amount, b.currency, coalesce(note, 'budget increased'))
  RETURNING entry_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.add_fund_budget(bigint, numeric, text) IS
  'Puts more money into an open budget''s pool (a budget ledger row). Vendor only. Returns the ledger entry id.';

-- Allocations: to the listed partners, or to every active partner of a tier
-- and/or region (expanded per partner), the same amount each, in one
-- statement -- the ledger trigger refuses the lot if the pool cannot cover it.
CREATE FUNCTION channel.allocate_funds(budget_id bigint, amount numeric,
                                       partner_ids bigint[] DEFAULT NULL,
                                       tier channel.partner_tier DEFAULT NULL,
                                       region text DEFAULT NULL)
RETURNS TABLE (partner_id bigint, allocation_id bigint, entry_id bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  b channel.fund_budget;
  pool numeric;
  wanted integer;
  missing bigint;
  targets bigint[];
BEGIN
  PERFORM channel.fund_vendor_only('allocate funds');
  PERFORM channel.fund_check_amount(amount, 'the amount per partner');
  IF (partner_ids IS NULL) = (tier IS NULL AND region IS NULL) THEN
    RAISE EXCEPTION 'give either partner_ids or a tier and/or region'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'partner_ids => ARRAY[...] allocates to those partners; tier => ''gold'', region => ''EMEA'' to every active partner that matches.';
  END IF;
  SELECT * INTO b FROM channel.fund_budget fb WHERE fb.budget_id = allocate_funds.budget_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'fund budget % does not exist', allocate_funds.budget_id USING ERRCODE = 'no_data_found';
  END IF;
  IF b.expired_at IS NOT NULL THEN
    RAISE EXCEPTION 'fund budget % is closed', b.budget_id
      USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = 'Its period has ended and its funds have expired.';
  END IF;
  IF partner_ids IS NOT NULL THEN
    SELECT u.id INTO missing FROM unnest(partner_ids) u(id)
    WHERE u.id IS NULL OR NOT EXISTS (SELECT 1 FROM channel.partner p WHERE p.partner_id = u.id) LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'partner % does not exist', coalesce(missing::text, 'NULL') USING ERRCODE = 'foreign_key_violation';
    END IF;
  END IF;

  SELECT array_agg(p.partner_id ORDER BY p.partner_id) INTO targets FROM channel.partner p
  WHERE CASE WHEN partner_ids IS NOT NULL THEN p.partner_id = ANY (partner_ids)
             ELSE p.status = 'active' AND (allocate_funds.tier IS NULL OR p.tier = allocate_funds.tier)
                  AND (allocate_funds.region IS NULL OR p.region = allocate_funds.region) END;
  wanted := coalesce(cardinality(targets), 0);
  IF wanted = 0 THEN
    RAISE EXCEPTION 'no active partner matches'
      USING ERRCODE = 'no_data_found', DETAIL = pg_catalog.format('tier %s, region %s.', coalesce(tier::text, 'any'), coalesce(region, 'any'));
  END IF;
  SELECT coalesce(sum(CASE WHEN l.to_bucket = 'unallocated' THEN l.amount ELSE -l.amount END), 0) INTO pool
  FROM channel.fund_ledger l
  WHERE l.budget_id = b.budget_id AND (l.from_bucket = 'unallocated' OR l.to_bucket = 'unallocated');
  IF pool < amount * wanted THEN
    RAISE EXCEPTION 'insufficient funds in budget %', b.budget_id
      USING ERRCODE = 'check_violation',
            DETAIL = pg_catalog.format('%s partners at %s %s need %s %s; the budget has %s %s unallocated.',
                                       wanted, amount, b.currency, amount * wanted, b.currency, pool, b.currency),
            HINT = 'Add to the budget with channel.add_fund_budget() or allocate less.';
  END IF;
  INSERT INTO channel.fund_allocation (budget_id, partner_id)
  SELECT b.budget_id, t.id FROM unnest(targets) t(id)
  ORDER BY t.id
  ON CONFLICT ON CONSTRAINT fund_allocation_once DO NOTHING;
  RETURN QUERY
  WITH ins AS (
    INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency, note)
    SELECT b.budget_id, a.allocation_id, a.partner_id, 'allocation', 'unallocated', 'available', amount, b.currency,
           CASE WHEN partner_ids IS NULL
                THEN pg_catalog.format('allocation to %s partners (tier %s, region %s)', wanted,
                                       coalesce(tier::text, 'any'), coalesce(region, 'any')) END
    FROM unnest(targets) t(id)
    JOIN channel.fund_allocation a ON a.budget_id = b.budget_id AND a.partner_id = t.id
    ORDER BY a.allocation_id
    RETURNING fund_ledger.partner_id, fund_ledger.allocation_id, fund_ledger.entry_id)
  SELECT i.partner_id, i.allocation_id, i.entry_id FROM ins i ORDER BY i.partner_id;
END
$$;
COMMENT ON FUNCTION channel.allocate_funds(bigint, numeric, bigint[], channel.partner_tier, text) IS
  'Allocates amount from an open budget''s pool to each of partner_ids, or to each active partner of tier and/or region (expanded per partner), opening their allocations as needed; all or nothing (check_violation when the pool is short). Vendor only. Returns one row per partner.';

-- ---------------------------------------------------------------------------
-- Privileges and row-level security (this piece runs after 40_security.sql)
-- ---------------------------------------------------------------------------
-- Money moves only through the functions (SECURITY DEFINER): nobody holds
-- INSERT, UPDATE or DELETE on the ledger or the allocations; channel
-- managers may rename a budget and set its approval and carry-over rules.
GRANT SELECT ON channel.fund_budget, channel.fund_allocation, channel.fund_ledger,
                channel.fund_balance, channel.fund_budget_balance
  TO channel_admin, channel_analyst;
GRANT UPDATE (name, second_approval_above, claim_days, carry_over_pct, carry_over_to, accrue_on) ON channel.fund_budget TO channel_admin;
GRANT SELECT ON channel.fund_allocation, channel.fund_ledger, channel.fund_balance TO channel_partner;
-- a partner reads the budgets it holds an allocation in, not who set them up
GRANT SELECT (budget_id, name, fund, period, period_start, period_end, currency, claim_days, expired_at)
  ON channel.fund_budget TO channel_partner;

DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['fund_budget', 'fund_allocation', 'fund_ledger']
  LOOP
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR ALL TO channel_admin USING (true) WITH CHECK (true)', t || '_admin', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_admin', t,
      'Channel managers (channel_admin) see every row; their table privileges say what they may write.');
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR SELECT TO channel_analyst USING (true)', t || '_analyst', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_analyst', t,
      'Analysts (channel_analyst) read every row; their table privileges are SELECT only.');
  END LOOP;
END
$rls$;
CREATE POLICY fund_budget_own ON channel.fund_budget FOR SELECT TO channel_partner
  USING (EXISTS (SELECT 1 FROM channel.fund_allocation a
                 WHERE a.budget_id = fund_budget.budget_id AND a.partner_id = channel.current_partner()));
COMMENT ON POLICY fund_budget_own ON channel.fund_budget IS 'A partner sees the budgets it holds an allocation in.';
CREATE POLICY fund_allocation_own ON channel.fund_allocation FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY fund_allocation_own ON channel.fund_allocation IS 'A partner sees its own allocations.';
CREATE POLICY fund_ledger_own ON channel.fund_ledger FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY fund_ledger_own ON channel.fund_ledger IS
  'A partner sees the ledger rows of its own allocations, never a budget''s pool or another partner''s.';

REVOKE EXECUTE ON FUNCTION channel.fund_check_amount(numeric, text), channel.fund_vendor_only(text),
                           channel.fund_ledger_append_only(), channel.fund_ledger_check(), channel.fund_ledger_referenced(),
                           channel.create_fund_budget(text, channel.fund_kind, channel.fund_period, date, text, numeric, numeric, integer),
                           channel.add_fund_budget(bigint, numeric, text),
                           channel.allocate_funds(bigint, numeric, bigint[], channel.partner_tier, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.fund_check_amount(numeric, text), channel.fund_vendor_only(text),
                          channel.fund_ledger_append_only(), channel.fund_ledger_check(), channel.fund_ledger_referenced(),
                          channel.create_fund_budget(text, channel.fund_kind, channel.fund_period, date, text, numeric, numeric, integer),
                          channel.add_fund_budget(bigint, numeric, text),
                          channel.allocate_funds(bigint, numeric, bigint[], channel.partner_tier, text)
  TO channel_admin;
