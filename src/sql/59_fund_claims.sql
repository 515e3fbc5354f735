-- 59_fund_claims.sql: claims and payments, the period-end job, and the fund
-- reports (balances, ROI, the end-of-quarter spike); privileges of the
-- request and claim tables (doc/funds.md).

-- ---------------------------------------------------------------------------
-- Claims
-- ---------------------------------------------------------------------------
-- The claim and its request, both locked (request first, as every request
-- function does); a partner asking for another partner's claim gets the
-- error of a missing one.
CREATE FUNCTION channel.fund_claim_lock(claim_id bigint, OUT c channel.fund_claim, OUT r channel.fund_request)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
  rid bigint;
BEGIN
  IF claim_id IS NULL THEN
    RAISE EXCEPTION 'claim_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  SELECT fc.request_id INTO rid FROM channel.fund_claim fc
  WHERE fc.claim_id = fund_claim_lock.claim_id AND (me IS NULL OR fc.partner_id = me);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'fund claim % does not exist', claim_id USING ERRCODE = 'no_data_found';
  END IF;
  r := channel.fund_request_lock(rid);
  UPDATE channel.fund_claim fc SET status = fc.status WHERE fc.claim_id = fund_claim_lock.claim_id RETURNING fc.* INTO c;
END
$$;
COMMENT ON FUNCTION channel.fund_claim_lock(bigint) IS
  'Locks a claim''s request, then the claim (UPDATEs), and returns both; no_data_found if the claim does not exist or belongs to another partner than the caller''s.';

CREATE FUNCTION channel.fund_claim_submit_checks(r channel.fund_request, claim_id bigint, amount numeric,
                                                 invoiced numeric, documents text[]) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  b channel.fund_budget;
  taken numeric := channel.fund_request_claimed(r.request_id, claim_id);
BEGIN
  IF r.status <> 'approved' THEN
    RAISE EXCEPTION 'cannot claim against fund request %: it is %', r.request_id, r.status
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Claims are made against approved requests.';
  END IF;
  SELECT * INTO b FROM channel.fund_budget fb WHERE fb.budget_id = r.budget_id;
  IF current_date >= b.period_end + b.claim_days THEN
    RAISE EXCEPTION 'the claim period of fund budget % has ended', b.budget_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('Claims were accepted up to %s days after the period ended.', b.claim_days);
  END IF;
  IF cardinality(documents) = 0 THEN
    RAISE EXCEPTION 'a claim needs proof of performance'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give at least one document reference (photos, attendee list, screenshots, ...).';
  END IF;
  IF amount > invoiced THEN
    RAISE EXCEPTION 'the claim is more than its invoices'
      USING ERRCODE = 'check_violation',
            DETAIL = pg_catalog.format('Claimed %s %s; invoices total %s %s.', amount::numeric(16,2), r.currency, invoiced::numeric(16,2), r.currency),
            HINT = 'Claim the actual cost, backed by invoices.';
  END IF;
  IF taken + amount > r.approved_amount THEN
    RAISE EXCEPTION 'the claim is more than what is left of the approved amount'
      USING ERRCODE = 'check_violation',
            DETAIL = pg_catalog.format('Request %s was approved for %s %s; other claims take %s %s, this one asks %s %s.',
                                       r.request_id, r.approved_amount, r.currency, taken::numeric(16,2), r.currency, amount::numeric(16,2), r.currency),
            HINT = 'Claims of a request never total more than what was approved.';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.fund_claim_submit_checks(channel.fund_request, bigint, numeric, numeric, text[]) IS
  'Refuses to submit a claim (claim_id, or NULL for a new one) against a request that is not approved, after the claim period, without proof of performance, above its invoices (check_violation), or above what is left of the approved amount (check_violation).';

CREATE FUNCTION channel.create_fund_claim(request_id bigint, amount numeric, currency text, invoices jsonb,
                                          documents text[] DEFAULT '{}', submit boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  r channel.fund_request;
  c channel.fund_claim;
  bad text;
BEGIN
  PERFORM channel.fund_check_amount(amount, 'the claimed amount');
  IF currency IS NULL OR submit IS NULL OR documents IS NULL THEN
    RAISE EXCEPTION 'currency, documents and submit must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF invoices IS NULL OR jsonb_typeof(invoices) <> 'array' OR jsonb_array_length(invoices) = 0 THEN
    RAISE EXCEPTION 'invoices must be a non-empty JSON array'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'E.g. ''[{"number": "INV-2041", "amount": 1200.00, "date": "2026-05-14"}]''.';
  END IF;
  SELECT pg_catalog.format('%s', i.value) INTO bad
  FROM jsonb_array_elements(invoices) i
  WHERE jsonb_typeof(i.value) <> 'object'
     OR jsonb_typeof(i.value -> 'number') IS DISTINCT FROM 'string' OR btrim(i.value ->> 'number') = ''
     OR jsonb_typeof(i.value -> 'amount') IS DISTINCT FROM 'number'
     OR (i.value ? 'date' AND (jsonb_typeof(i.value -> 'date') <> 'string'
                               OR (i.value ->> 'date') !~ '^\d{4}-\d{2}-\d{2}$'))
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'invalid invoice %', bad
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Each invoice is {"number": text, "amount": number, "date": "YYYY-MM-DD" (optional)}.';
  END IF;
  PERFORM channel.fund_check_amount((i.value ->> 'amount')::numeric, 'an invoice amount') FROM jsonb_array_elements(invoices) i;
  IF EXISTS (SELECT 1 FROM unnest(documents) d WHERE d IS NULL OR btrim(d) = '') THEN
    RAISE EXCEPTION 'a document reference must not be empty' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  r := channel.fund_request_lock(request_id);
  IF currency IS DISTINCT FROM r.currency THEN
    RAISE EXCEPTION 'currency % does not match the request''s', currency
      USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Fund request %s is in %s.', r.request_id, r.currency);
  END IF;
  IF r.status <> 'approved' THEN
    RAISE EXCEPTION 'cannot claim against fund request %: it is %', r.request_id, r.status
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Claims are made against approved requests.';
  END IF;
  IF (SELECT count(DISTINCT btrim(i.value ->> 'number')) FROM jsonb_array_elements(invoices) i) < jsonb_array_length(invoices) THEN
    RAISE EXCEPTION 'an invoice number appears twice' USING ERRCODE = 'unique_violation', HINT = 'List each invoice once.';
  END IF;
  BEGIN
    PERFORM (i.value ->> 'date')::date FROM jsonb_array_elements(invoices) i;
  EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    RAISE EXCEPTION 'an invoice date is not a date' USING ERRCODE = 'invalid_datetime_format',
      HINT = 'Dates are written YYYY-MM-DD.';
  END;
  IF submit THEN
    PERFORM channel.fund_claim_submit_checks(r, NULL, amount,
                                             (SELECT sum((i.value ->> 'amount')::numeric) FROM jsonb_array_elements(invoices) i),
                                             documents);
  END IF;
  INSERT INTO channel.fund_claim (request_id, allocation_id, partner_id, amount, currency, documents, status, submitted_at)
  VALUES (r.request_id, r.allocation_id, r.partner_id, amount, r.currency, documents,
          CASE WHEN submit THEN 'submitted' ELSE 'draft' END::channel.fund_claim_status, CASE WHEN submit THEN now() END)
  RETURNING * INTO c;
  INSERT INTO channel.fund_claim_invoice (claim_id, invoice_number, invoice_date, amount, partner_id)
  SELECT c.claim_id, btrim(i.value ->> 'number'), (i.value ->> 'date')::date, (i.value ->> 'amount')::numeric, r.partner_id
  FROM jsonb_array_elements(invoices) i;
  RETURN c.claim_id;
END
$$;
COMMENT ON FUNCTION channel.create_fund_claim(bigint, numeric, text, jsonb, text[], boolean) IS
  'Creates a claim against an approved fund request (a partner: its own) with its invoices (JSON array of {number, amount, date}) and document references, submitted unless submit is false. Refuses bad amounts, another currency than the request''s, and (when submitting) what fund_claim_submit_checks() refuses. Returns the claim id.';

CREATE FUNCTION channel.submit_fund_claim(claim_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  l record := channel.fund_claim_lock(claim_id);
BEGIN
  IF (l.c).status <> 'draft' THEN
    RAISE EXCEPTION 'cannot submit fund claim %: it is %', (l.c).claim_id, (l.c).status
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Only drafts are submitted.';
  END IF;
  PERFORM channel.fund_claim_submit_checks(l.r, (l.c).claim_id, (l.c).amount,
                                           (SELECT sum(i.amount) FROM channel.fund_claim_invoice i WHERE i.claim_id = (l.c).claim_id),
                                           (l.c).documents);
  UPDATE channel.fund_claim fc SET status = 'submitted', submitted_at = now() WHERE fc.claim_id = (l.c).claim_id;
END
$$;
COMMENT ON FUNCTION channel.submit_fund_claim(bigint) IS 'Submits a draft claim (checks as create_fund_claim).';

CREATE FUNCTION channel.approve_fund_claim(claim_id bigint, amount numeric DEFAULT NULL) RETURNS numeric
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  l record;
  amt numeric;
BEGIN
  PERFORM channel.fund_vendor_only('approve claims');
  l := channel.fund_claim_lock(claim_id);
  IF (l.c).status <> 'submitted' THEN
    RAISE EXCEPTION 'cannot approve fund claim %: it is %', (l.c).claim_id, (l.c).status
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Only submitted claims are approved.';
  END IF;
  IF (l.c).claimed_by = session_user THEN
    RAISE EXCEPTION 'you cannot approve your own claim'
      USING ERRCODE = 'insufficient_privilege', HINT = 'Another channel manager must approve it.';
  END IF;
  amt := coalesce(amount, (l.c).amount);
  PERFORM channel.fund_check_amount(amt, 'the approved amount');
  IF amt > (l.c).amount THEN
    RAISE EXCEPTION 'cannot approve more than the % claimed', (l.c).amount
      USING ERRCODE = 'check_violation', HINT = 'Approval may be partial, never more than claimed.';
  END IF;
  IF channel.fund_request_claimed((l.r).request_id, (l.c).claim_id) + amt > (l.r).approved_amount THEN
    RAISE EXCEPTION 'the claim is more than what is left of the approved amount'
      USING ERRCODE = 'check_violation';
  END IF;
  UPDATE channel.fund_claim fc SET status = 'approved', approved_amount = amt, decided_by = session_user, decided_at = now()
  WHERE fc.claim_id = (l.c).claim_id;
  RETURN amt;
END
$$;
COMMENT ON FUNCTION channel.approve_fund_claim(bigint, numeric) IS
  'Approves a submitted claim for amount (default: all of it; less is partial). Refuses the claimant itself. Vendor only. Returns the amount approved.';

CREATE FUNCTION channel.reject_fund_claim(claim_id bigint, reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  l record;
BEGIN
  PERFORM channel.fund_vendor_only('reject claims');
  IF reason IS NULL OR btrim(reason) = '' THEN
    RAISE EXCEPTION 'a rejection needs a reason' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'Tell the partner why, e.g. ''no proof of attendance''.';
  END IF;
  l := channel.fund_claim_lock(claim_id);
  IF (l.c).status <> 'submitted' THEN
    RAISE EXCEPTION 'cannot reject fund claim %: it is %', (l.c).claim_id, (l.c).status
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Only submitted claims are rejected.';
  END IF;
  IF (l.c).claimed_by = session_user THEN
    RAISE EXCEPTION 'you cannot decide on your own claim' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE channel.fund_claim fc SET status = 'rejected', decided_by = session_user, decided_at = now(), status_reason = reason
  WHERE fc.claim_id = (l.c).claim_id;
END
$$;
COMMENT ON FUNCTION channel.reject_fund_claim(bigint, text) IS 'Rejects a submitted claim with a reason (required). Vendor only.';

CREATE FUNCTION channel.pay_fund_claim(claim_id bigint, payment_reference text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  l record;
  id bigint;
BEGIN
  PERFORM channel.fund_vendor_only('pay claims');
  IF payment_reference IS NULL OR btrim(payment_reference) = '' THEN
    RAISE EXCEPTION 'a payment needs a reference' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'Give the transfer or credit note reference.';
  END IF;
  l := channel.fund_claim_lock(claim_id);
  IF (l.c).status <> 'approved' THEN
    RAISE EXCEPTION 'cannot pay fund claim %: it is %', (l.c).claim_id, (l.c).status
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Only approved claims are paid.';
  END IF;
  INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency,
                                   request_id, claim_id, note)
  VALUES ((l.r).budget_id, (l.r).allocation_id, (l.r).partner_id, 'payment', 'reserved', 'paid', (l.c).approved_amount,
          (l.c).currency, (l.r).request_id, (l.c).claim_id, 'payment ' || payment_reference)
  RETURNING entry_id INTO id;
  UPDATE channel.fund_claim fc SET status = 'paid', paid_by = session_user, paid_at = now(),
         payment_reference = pay_fund_claim.payment_reference
  WHERE fc.claim_id = (l.c).claim_id;
  -- everything approved is paid: nothing more can be claimed
  IF (l.r).status = 'approved' AND channel.fund_request_reserved((l.r).request_id) = 0 THEN
    UPDATE channel.fund_request fr SET status = 'closed', closed_at = now(), status_reason = 'fully claimed'
    WHERE fr.request_id = (l.r).request_id;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.pay_fund_claim(bigint, text) IS
  'Records the reimbursement of an approved claim: a payment ledger row (reserved -> paid) with the payment reference; closes the request once all it reserved is paid. Vendor only. Returns the ledger entry id.';

-- ---------------------------------------------------------------------------
-- Carry-over rule and the period-end job
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.set_fund_carry_over(budget_id bigint, pct numeric, to_budget bigint DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  b channel.fund_budget;
  t channel.fund_budget;
BEGIN
  PERFORM channel.fund_vendor_only('set carry-over rules');
  IF pct IS NULL OR pct = 'NaN'::numeric OR pct < 0 OR pct > 100 THEN
    RAISE EXCEPTION 'pct must be between 0 and 100' USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', pct);
  END IF;
  SELECT * INTO b FROM channel.fund_budget fb WHERE fb.budget_id = set_fund_carry_over.budget_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'fund budget % does not exist', set_fund_carry_over.budget_id USING ERRCODE = 'no_data_found';
  END IF;
  IF pct > 0 THEN
    SELECT * INTO t FROM channel.fund_budget fb WHERE fb.budget_id = to_budget;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'fund budget % does not exist', coalesce(to_budget::text, 'NULL') USING ERRCODE = 'no_data_found',
        HINT = 'Carry-over needs the budget of a later period to carry into.';
    END IF;
    IF t.fund <> b.fund OR t.currency <> b.currency OR t.period_start < b.period_end THEN
      RAISE EXCEPTION 'fund budget % cannot receive the carry-over of fund budget %', t.budget_id, b.budget_id
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = pg_catalog.format('It must be of the same fund (%s) and currency (%s) and start on or after %s.', b.fund, b.currency, b.period_end);
    END IF;
  END IF;
  UPDATE channel.fund_budget fb SET carry_over_pct = pct, carry_over_to = CASE WHEN pct > 0 THEN to_budget END
  WHERE fb.budget_id = b.budget_id;
END
$$;
COMMENT ON FUNCTION channel.set_fund_carry_over(bigint, numeric, bigint) IS
  'Sets a budget''s carry-over rule: pct percent of each partner''s unused funds goes at period end to its allocation of to_budget (same fund and currency, a later period); 0 for use it or lose it. Vendor only.';

-- The period-end job: every open budget whose claim period has passed by
-- as_of, in key order, each locked FOR UPDATE (approvals hold it FOR SHARE):
-- requests never decided are cancelled; approved ones without claims
-- awaiting decision or payment are closed and release what they hold; each
-- allocation's available funds are carried over (the budget's rule) or
-- expire; the unallocated pool expires; the budget is closed.  Requests
-- still waiting for a claim keep their reservation; what they release later
-- expires at once (channel.fund_release).
CREATE FUNCTION channel.expire_funds(as_of date DEFAULT current_date)
RETURNS TABLE (budget_id bigint, requests_closed bigint, released numeric, carried numeric, expired numeric)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  b channel.fund_budget;
  target bigint;
  n bigint;
BEGIN
  PERFORM channel.fund_vendor_only('run the period-end job');
  IF as_of IS NULL THEN
    RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  FOR b IN SELECT * FROM channel.fund_budget fb
           WHERE fb.expired_at IS NULL AND fb.period_end + fb.claim_days <= as_of
           ORDER BY fb.budget_id FOR UPDATE
  LOOP
    budget_id := b.budget_id;
    UPDATE channel.fund_request fr SET status = 'cancelled', closed_at = now(), status_reason = 'period ended undecided'
    WHERE fr.budget_id = b.budget_id AND fr.status IN ('draft', 'submitted');
    GET DIAGNOSTICS n = ROW_COUNT;

    WITH closing AS (
      UPDATE channel.fund_request fr SET status = 'closed', closed_at = now(), status_reason = 'period ended'
      WHERE fr.budget_id = b.budget_id AND fr.status = 'approved'
        AND NOT EXISTS (SELECT 1 FROM channel.fund_claim c WHERE c.request_id = fr.request_id AND c.status IN ('submitted', 'approved'))
      RETURNING fr.request_id, fr.allocation_id, fr.partner_id, fr.currency),
    held AS (
      SELECT cl.*, channel.fund_request_reserved(cl.request_id) AS amount FROM closing cl),
    rel AS (
      INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency,
                                       request_id, note)
      SELECT b.budget_id, h.allocation_id, h.partner_id, 'release', 'reserved', 'available', h.amount, h.currency, h.request_id,
             'period ended: unclaimed'
      FROM held h WHERE h.amount > 0
      ORDER BY h.allocation_id, h.request_id
      RETURNING fund_ledger.amount)
    SELECT n + (SELECT count(*) FROM closing), coalesce((SELECT sum(r.amount) FROM rel r), 0)
    INTO requests_closed, released;

    target := CASE WHEN b.carry_over_pct > 0 THEN b.carry_over_to END;
    IF target IS NOT NULL AND EXISTS (SELECT 1 FROM channel.fund_budget t WHERE t.budget_id = target AND t.expired_at IS NOT NULL) THEN
      target := NULL;   -- the receiving period is closed too: everything expires
    END IF;

    IF pg_catalog.to_regclass('pg_temp.fund_expiring') IS NOT NULL THEN
      DROP TABLE pg_temp.fund_expiring;
    END IF;
    CREATE TEMP TABLE fund_expiring ON COMMIT DROP AS
    SELECT x.allocation_id, x.partner_id, x.available,
           CASE WHEN target IS NULL THEN 0 ELSE pg_catalog.round(x.available * b.carry_over_pct / 100, 2) END AS carry
    FROM (SELECT l.allocation_id, min(l.partner_id) AS partner_id,
                 sum(CASE WHEN l.to_bucket = 'available' THEN l.amount ELSE -l.amount END) AS available
          FROM channel.fund_ledger l
          WHERE l.budget_id = b.budget_id AND l.allocation_id IS NOT NULL AND 'available' IN (l.from_bucket, l.to_bucket)
          GROUP BY l.allocation_id) x
    WHERE x.available > 0;

    carried := 0;
    IF target IS NOT NULL THEN
      INSERT INTO channel.fund_allocation (budget_id, partner_id)
      SELECT target, e.partner_id FROM fund_expiring e WHERE e.carry > 0 ORDER BY e.partner_id
      ON CONFLICT ON CONSTRAINT fund_allocation_once DO NOTHING;
      INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency, note)
      SELECT b.budget_id, e.allocation_id, e.partner_id, 'carry_out', 'available', 'carried', e.carry, b.currency,
             pg_catalog.format('%s%% carried to budget %s', b.carry_over_pct, target)
      FROM fund_expiring e WHERE e.carry > 0 ORDER BY e.allocation_id;
      INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency,
                                       carried_from, note)
      SELECT target, a.allocation_id, co.partner_id, 'carry_in', 'carried', 'available', co.amount, co.currency, co.entry_id,
             pg_catalog.format('carried from budget %s', b.budget_id)
      FROM channel.fund_ledger co
      JOIN channel.fund_allocation a ON a.budget_id = target AND a.partner_id = co.partner_id
      WHERE co.budget_id = b.budget_id AND co.entry = 'carry_out'
      ORDER BY a.allocation_id;
      SELECT coalesce(sum(e.carry), 0) INTO carried FROM fund_expiring e;
    END IF;

    INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency, note)
    SELECT b.budget_id, e.allocation_id, e.partner_id, 'expiry', 'available', 'expired', e.available - e.carry, b.currency,
           'period ended: unused'
    FROM fund_expiring e WHERE e.available - e.carry > 0 ORDER BY e.allocation_id;
    INSERT INTO channel.fund_ledger (budget_id, entry, from_bucket, to_bucket, amount, currency, note)
    SELECT b.budget_id, 'expiry', 'unallocated', 'expired', p.pool, b.currency, 'period ended: never allocated'
    FROM (SELECT sum(CASE WHEN l.to_bucket = 'unallocated' THEN l.amount ELSE -l.amount END) AS pool
          FROM channel.fund_ledger l
          WHERE l.budget_id = b.budget_id AND 'unallocated' IN (l.from_bucket, l.to_bucket)) p
    WHERE p.pool > 0;
    SELECT coalesce(sum(e.available - e.carry), 0) INTO expired FROM fund_expiring e;
    DROP TABLE pg_temp.fund_expiring;

    UPDATE channel.fund_budget fb SET expired_at = now() WHERE fb.budget_id = b.budget_id;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION channel.expire_funds(date) IS
  'The period-end job (use it or lose it): closes every open budget whose period and claim days have passed by as_of -- cancels undecided requests, closes approved ones with no claim pending and releases what they hold, carries the budget''s carry_over_pct of each partner''s available funds into carry_over_to, expires the rest and the unallocated pool. Vendor only. Returns per budget closed: requests closed or cancelled, released, carried and expired partner funds (the pool''s expiry is in channel.fund_budget_balance).';

-- ---------------------------------------------------------------------------
-- Reports.  fund_balances and fund_claim_spike run as the caller (a partner
-- sees its own rows through row-level security, and they filter on
-- channel.current_partner() as well); fund_roi runs as the owner because it
-- reads the campaign of leads, a column partners are not granted, and
-- restricts itself to the caller's partner before it reads any lead.
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.fund_balances(partner_id bigint DEFAULT NULL, budget_id bigint DEFAULT NULL,
                                      fund channel.fund_kind DEFAULT NULL)
RETURNS SETOF channel.fund_balance
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT fb.* FROM channel.fund_balance fb
  WHERE (fund_balances.partner_id IS NULL OR fb.partner_id = fund_balances.partner_id)
    AND (fund_balances.budget_id IS NULL OR fb.budget_id = fund_balances.budget_id)
    AND (fund_balances.fund IS NULL OR fb.fund = fund_balances.fund)
    AND (channel.current_partner() IS NULL OR fb.partner_id = channel.current_partner())
  ORDER BY fb.partner_id, fb.period_start, fb.fund, fb.budget_id
$$;
COMMENT ON FUNCTION channel.fund_balances(bigint, bigint, channel.fund_kind) IS
  'Balances (allocated, accrued, carried in, reserved, paid, expired, carried out, available) per partner and budget, from channel.fund_balance, optionally for one partner, budget or fund; a partner sees its own.';

CREATE FUNCTION channel.fund_roi(from_date date, to_date date, for_partner bigint DEFAULT NULL,
                                 attribution_days integer DEFAULT 90)
RETURNS TABLE (partner_id bigint, fund channel.fund_kind, activity_type text, campaign_id bigint, campaign_code text,
               currency text, requests bigint, approved numeric, paid numeric, expected_leads bigint, leads bigint,
               converted bigint, won_deals bigint, won_revenue numeric, cost_per_lead numeric, roi numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
BEGIN
  IF from_date IS NULL OR to_date IS NULL OR attribution_days IS NULL THEN
    RAISE EXCEPTION 'from_date, to_date and attribution_days must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF to_date <= from_date THEN
    RAISE EXCEPTION 'to_date must be after from_date'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s to %s.', from_date, to_date);
  END IF;
  IF attribution_days < 0 OR attribution_days > 730 THEN
    RAISE EXCEPTION 'attribution_days must be between 0 and 730' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH req AS (
    SELECT r.request_id, r.partner_id, b.fund, r.activity_type, r.campaign_id, r.currency, r.approved_amount,
           r.expected_leads, r.planned_start, r.planned_end
    FROM channel.fund_request r JOIN channel.fund_budget b ON b.budget_id = r.budget_id
    WHERE r.status IN ('approved', 'closed')
      AND r.planned_start >= from_date AND r.planned_start < to_date
      AND (for_partner IS NULL OR r.partner_id = for_partner)
      AND (me IS NULL OR r.partner_id = me)),
  pay AS (
    SELECT l.request_id, sum(l.amount) AS paid
    FROM channel.fund_ledger l
    WHERE l.entry = 'payment' AND l.request_id IN (SELECT q.request_id FROM req q)
    GROUP BY l.request_id),
  -- each lead of a funded campaign, held by the request's partner and created
  -- from the activity's start to attribution_days after its end, goes to
  -- the latest-starting such request (last touch): counted once
  att AS (
    SELECT DISTINCT ON (ld.lead_id) ld.lead_id, ld.status, q.request_id, q.currency
    FROM req q
    JOIN channel.campaign c ON c.campaign_id = q.campaign_id
    JOIN channel.lead ld ON ld.campaign = c.code AND ld.partner_id = q.partner_id
     AND ld.created_at >= q.planned_start::timestamp AT TIME ZONE 'UTC'
     AND ld.created_at < (q.planned_end + 1 + attribution_days)::timestamp AT TIME ZONE 'UTC'
    ORDER BY ld.lead_id, q.planned_start DESC, q.request_id DESC),
  won AS (
    SELECT a.request_id, count(*) AS deals, sum(d.amount) AS revenue
    FROM att a JOIN channel.deal d ON d.lead_id = a.lead_id AND d.status = 'won' AND d.currency = a.currency
    GROUP BY a.request_id),
  att_count AS (
    SELECT a.request_id, count(*) AS leads, count(*) FILTER (WHERE a.status = 'converted') AS converted
    FROM att a GROUP BY a.request_id),
  per_request AS (
    SELECT q.*, coalesce(p.paid, 0) AS paid, coalesce(ac.leads, 0) AS leads, coalesce(ac.converted, 0) AS converted,
           coalesce(w.deals, 0) AS won_deals, coalesce(w.revenue, 0) AS won_revenue
    FROM req q LEFT JOIN pay p ON p.request_id = q.request_id LEFT JOIN won w ON w.request_id = q.request_id
    LEFT JOIN att_count ac ON ac.request_id = q.request_id)
  SELECT pr.partner_id, pr.fund, pr.activity_type, pr.campaign_id, min(c.code), pr.currency::text,
         count(*), sum(pr.approved_amount), sum(pr.paid), sum(pr.expected_leads)::bigint,
         sum(pr.leads)::bigint, sum(pr.converted)::bigint, sum(pr.won_deals)::bigint, sum(pr.won_revenue),
         pg_catalog.round(sum(pr.paid) / nullif(sum(pr.leads), 0), 2),
         pg_catalog.round(sum(pr.won_revenue) / nullif(sum(pr.paid), 0), 2)
  FROM per_request pr LEFT JOIN channel.campaign c ON c.campaign_id = pr.campaign_id
  GROUP BY pr.partner_id, pr.fund, pr.activity_type, pr.campaign_id, pr.currency
  ORDER BY pr.partner_id, pr.fund, pr.activity_type, pr.campaign_id NULLS LAST, pr.currency;
END
$$;
COMMENT ON FUNCTION channel.fund_roi(date, date, bigint, integer) IS
  'Return on funds of the activities (approved or closed requests) planned to start in [from_date, to_date), per partner, fund, activity type, campaign and currency: requests, approved, paid, expected and attributed leads (the request''s campaign, its partner, created from the start to attribution_days after the end, each lead to the latest such request), converted leads, won deals and revenue (in the fund''s currency), cost per lead (paid / leads) and ROI (won revenue / paid; NULL when nothing is paid). A partner sees its own.';

CREATE FUNCTION channel.fund_claim_spike(from_date date, to_date date, threshold numeric DEFAULT 0.5,
                                         last_days integer DEFAULT 14)
RETURNS TABLE (partner_id bigint, budget_id bigint, fund channel.fund_kind, period_start date, period_end date,
               currency text, claims bigint, claimed numeric, claimed_late numeric, late_share numeric, flagged boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF from_date IS NULL OR to_date IS NULL OR threshold IS NULL OR last_days IS NULL THEN
    RAISE EXCEPTION 'from_date, to_date, threshold and last_days must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF to_date <= from_date THEN
    RAISE EXCEPTION 'to_date must be after from_date'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s to %s.', from_date, to_date);
  END IF;
  IF threshold = 'NaN'::numeric OR threshold <= 0 OR threshold > 1 OR last_days < 1 OR last_days > 90 THEN
    RAISE EXCEPTION 'threshold must be in (0, 1] and last_days between 1 and 90' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  SELECT c.partner_id, b.budget_id, b.fund, b.period_start, b.period_end, b.currency::text,
         count(*), sum(c.amount),
         coalesce(sum(c.amount) FILTER (WHERE c.submitted_at >= (b.period_end - last_days)::timestamp AT TIME ZONE 'UTC'), 0),
         pg_catalog.round(coalesce(sum(c.amount) FILTER (WHERE c.submitted_at >= (b.period_end - last_days)::timestamp AT TIME ZONE 'UTC'), 0)
                          / sum(c.amount), 4),
         coalesce(sum(c.amount) FILTER (WHERE c.submitted_at >= (b.period_end - last_days)::timestamp AT TIME ZONE 'UTC'), 0)
           >= threshold * sum(c.amount)
  FROM channel.fund_budget b
  JOIN channel.fund_request r ON r.budget_id = b.budget_id
  JOIN channel.fund_claim c ON c.request_id = r.request_id
  WHERE b.period_end > from_date AND b.period_end <= to_date
    AND c.status IN ('submitted', 'approved', 'paid')
    AND c.submitted_at >= b.period_start::timestamp AT TIME ZONE 'UTC'
    AND c.submitted_at < b.period_end::timestamp AT TIME ZONE 'UTC'
    AND (channel.current_partner() IS NULL OR c.partner_id = channel.current_partner())
  GROUP BY c.partner_id, b.budget_id
  ORDER BY c.partner_id, b.period_start, b.budget_id;
END
$$;
COMMENT ON FUNCTION channel.fund_claim_spike(date, date, numeric, integer) IS
  'The end-of-quarter spike, per partner and budget whose period ends in (from_date, to_date]: of the claims (submitted, approved or paid) submitted during the period, the amount and share submitted in its last last_days days (UTC); flagged when that share is at least threshold. A partner sees its own.';

-- ---------------------------------------------------------------------------
-- Privileges and row-level security of requests and claims
-- ---------------------------------------------------------------------------
GRANT SELECT ON channel.fund_request, channel.fund_claim, channel.fund_claim_invoice
  TO channel_admin, channel_analyst, channel_partner;

DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['fund_request', 'fund_claim', 'fund_claim_invoice']
  LOOP
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR ALL TO channel_admin USING (true) WITH CHECK (true)', t || '_admin', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_admin', t,
      'Channel managers (channel_admin) see every row; they change them through the fund functions.');
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR SELECT TO channel_analyst USING (true)', t || '_analyst', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_analyst', t,
      'Analysts (channel_analyst) read every row; their table privileges are SELECT only.');
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR SELECT TO channel_partner USING (partner_id = channel.current_partner())', t || '_own', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_own', t,
      'A partner sees its own rows; it changes them through the fund functions.');
  END LOOP;
END
$rls$;


-- who may run this piece's functions besides channel_admin (00_registry.sql)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES
  ('channel_partner', 'create_fund_claim'),
  ('channel_partner', 'submit_fund_claim'),
  ('channel_partner', 'fund_balances'),
  ('channel_partner', 'fund_roi'),
  ('channel_partner', 'fund_claim_spike'),
  ('channel_analyst', 'fund_balances'),
  ('channel_analyst', 'fund_roi'),
  ('channel_analyst', 'fund_claim_spike');

DO $functions$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
           WHERE p.pronamespace = 'channel'::regnamespace
             AND p.proname IN ('fund_request_lock', 'fund_request_wrong_status', 'fund_request_reserved', 'fund_available',
                               'fund_release', 'fund_request_claimed', 'fund_request_submit_checks', 'create_fund_request',
                               'submit_fund_request', 'approve_fund_request', 'reject_fund_request', 'cancel_fund_request',
                               'close_fund_request', 'fund_claim_lock', 'fund_claim_submit_checks', 'create_fund_claim',
                               'submit_fund_claim', 'approve_fund_claim', 'reject_fund_claim', 'pay_fund_claim',
                               'set_fund_carry_over', 'expire_funds', 'fund_balances', 'fund_roi', 'fund_claim_spike')
  LOOP
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO channel_admin', f);
  END LOOP;
END
$functions$;
-- partners and analysts: the functions channel.role_routine lists for them
GRANT EXECUTE ON FUNCTION
  channel.create_fund_request(bigint, text, text, date, date, numeric, text, integer, bigint, boolean),
  channel.submit_fund_request(bigint), channel.cancel_fund_request(bigint, text), channel.close_fund_request(bigint, text),
  channel.create_fund_claim(bigint, numeric, text, jsonb, text[], boolean), channel.submit_fund_claim(bigint),
  channel.fund_balances(bigint, bigint, channel.fund_kind), channel.fund_roi(date, date, bigint, integer),
  channel.fund_claim_spike(date, date, numeric, integer)
  TO channel_partner;
GRANT EXECUTE ON FUNCTION
  channel.fund_balances(bigint, bigint, channel.fund_kind), channel.fund_roi(date, date, bigint, integer),
  channel.fund_claim_spike(date, date, numeric, integer)
  TO channel_analyst;
