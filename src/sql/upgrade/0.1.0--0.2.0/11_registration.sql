-- 0.2.0 (issue 27): conflict stamps lie in 1900..2200; the derived
-- customer keys are guarded; money arguments are checked by one function;
-- decision and close stamps are never before the submission; a rejection
-- reason follows the letter-or-digit rule.
ALTER TABLE channel.deal_conflict
  ADD CONSTRAINT deal_conflict_times_in_range
    CHECK (detected_at >= '1900-01-01 00:00:00+00' AND detected_at < '2201-01-01 00:00:00+00'
           AND resolved_at >= '1900-01-01 00:00:00+00' AND resolved_at < '2201-01-01 00:00:00+00') NOT VALID;

-- issue 18: the countries of the customer's legal forms, kept by the
-- registration trigger so that its conflict check weighs forms of
-- different jurisdictions as company_similarity does; filled for 0.1.0's
-- rows here, before the guard that keeps them derived.
ALTER TABLE channel.deal ADD COLUMN customer_jurisdictions text[];
COMMENT ON COLUMN channel.deal.customer_jurisdictions IS
  'channel.company_jurisdictions(customer_name), kept by trigger: the countries of the legal forms the name carries (NULL: none of a particular country); a candidate whose countries and the new registration''s have none in common scores 0.8 of its similarity, as company_similarity gives.';
UPDATE channel.deal SET customer_jurisdictions = channel.company_jurisdictions(customer_name)
WHERE channel.company_jurisdictions(customer_name) IS NOT NULL;

CREATE FUNCTION channel.deal_keys_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NEW.customer_key IS DISTINCT FROM OLD.customer_key
     OR NEW.customer_match_keys IS DISTINCT FROM OLD.customer_match_keys
     OR NEW.customer_jurisdictions IS DISTINCT FROM OLD.customer_jurisdictions THEN
    RAISE EXCEPTION 'cannot write customer_key, customer_match_keys or customer_jurisdictions of deal %', OLD.deal_id
      USING ERRCODE = 'generated_always',
            DETAIL = 'All three are derived from customer_name, customer_country and product_line by the registration trigger.',
            HINT = 'Update customer_name, customer_country or product_line; the keys follow.';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION channel.deal_keys_guard() IS
  'Trigger: refuses an UPDATE of channel.deal that writes customer_key, customer_match_keys or customer_jurisdictions (derived columns) with other values.';
CREATE TRIGGER deal_keys_guard
  BEFORE UPDATE ON channel.deal
  FOR EACH ROW EXECUTE FUNCTION channel.deal_keys_guard();
COMMENT ON TRIGGER deal_keys_guard ON channel.deal IS
  'Keeps the derived customer keys derived; see channel.deal_keys_guard().';

-- Money arguments: a finite number, 0 or more, that numeric(16,2) holds.
-- numeric NaN passes "amount >= 0" (NaN sorts above every number), so it is
-- refused by name.
CREATE FUNCTION channel.check_amount(amount numeric, what text, hint text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF amount IS NULL THEN
    RAISE EXCEPTION '% must not be NULL', what USING ERRCODE = 'null_value_not_allowed', HINT = hint;
  END IF;
  IF amount = 'NaN' OR amount IN ('Infinity', '-Infinity') THEN
    RAISE EXCEPTION '% must be a finite number', what
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('%s was %s.', what, amount), HINT = hint;
  END IF;
  IF amount < 0 THEN
    RAISE EXCEPTION '% must not be negative', what
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('%s was %s.', what, amount), HINT = hint;
  END IF;
  IF round(amount, 2) >= 1e14 THEN
    RAISE EXCEPTION '% is too large', what
      USING ERRCODE = 'numeric_value_out_of_range',
            DETAIL = format('%s was %s; amounts are below 100000000000000 (numeric(16,2)).', what, amount), HINT = hint;
  END IF;
END
$$;
COMMENT ON FUNCTION channel.check_amount(numeric, text, text) IS
  'Internal: raises null_value_not_allowed, invalid_parameter_value or numeric_value_out_of_range unless amount is a finite number from 0 to below 1e14 (what names the argument, hint is the hint).';

CREATE OR REPLACE FUNCTION channel.register_deal(partner_id bigint, customer_name text, customer_country text,
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
  PERFORM channel.check_amount(amount, 'amount', 'Register the expected deal value, 0 or more.');
  IF pg_catalog.length(customer_name) > 300 THEN
    RAISE EXCEPTION 'customer name is too long'
      USING ERRCODE = 'string_data_right_truncation',
            DETAIL = pg_catalog.format('%s characters; at most 300.', pg_catalog.length(customer_name)),
            HINT = 'Write the end customer''s company name.';
  END IF;
  IF NOT channel.has_letter_or_digit(customer_name) THEN
    RAISE EXCEPTION 'customer name has no letter or digit'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A registration is matched against others by the customer''s name.',
            HINT = 'Write the end customer''s company name.';
  END IF;
  IF expected_close < current_date THEN
    RAISE EXCEPTION 'expected close date is in the past'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Register opportunities that are still open.';
  END IF;
  IF expected_close > date '2200-12-31' THEN
    RAISE EXCEPTION 'expected close date % is out of range', expected_close
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Dates of the channel lie between 1900-01-01 and 2200-12-31.',
            HINT = 'Register the date the customer is expected to sign.';
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

CREATE OR REPLACE FUNCTION channel.approve_deal(deal_id bigint) RETURNS void
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
  -- never before the submission, even for a transaction older than it
  UPDATE channel.deal dl SET status = 'approved', decided_at = greatest(now(), dl.submitted_at), status_reason = 'approved'
  WHERE dl.deal_id = d.deal_id;
END
$$;
COMMENT ON FUNCTION channel.approve_deal(bigint) IS
  'Channel managers: approves a submitted registration still in its protection window (a conflict is settled with resolve_conflict instead).';

CREATE OR REPLACE FUNCTION channel.reject_deal(deal_id bigint, reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  d channel.deal := channel.deal_for_action(reject_deal.deal_id, 'reject deals', true);
BEGIN
  IF reason IS NULL THEN
    RAISE EXCEPTION 'a rejection needs a reason'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Say why, e.g. ''duplicate'' or ''direct account''.';
  END IF;
  IF NOT channel.has_letter_or_digit(reason) THEN
    RAISE EXCEPTION 'a rejection needs a reason'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = 'The reason has no letter or digit.',
            HINT = 'Say why, e.g. ''duplicate'' or ''direct account''.';
  END IF;
  IF pg_catalog.length(reason) > 500 THEN
    RAISE EXCEPTION 'reason is too long'
      USING ERRCODE = 'string_data_right_truncation',
            DETAIL = pg_catalog.format('%s characters; at most 500.', pg_catalog.length(reason)),
            HINT = 'Summarize why the registration is rejected.';
  END IF;
  IF d.status NOT IN ('submitted', 'conflict', 'approved') THEN
    PERFORM channel.deal_illegal_transition(d, 'reject', 'Only live registrations (submitted, conflict, approved) are rejected.');
  END IF;
  UPDATE channel.deal dl SET status = 'rejected', decided_at = greatest(now(), dl.submitted_at), status_reason = reason
  WHERE dl.deal_id = d.deal_id;
  UPDATE channel.deal_conflict c SET resolved_at = greatest(now(), c.detected_at)
  WHERE (c.deal_id = d.deal_id OR c.other_deal_id = d.deal_id) AND c.resolved_at IS NULL;
END
$$;
COMMENT ON FUNCTION channel.reject_deal(bigint, text) IS
  'Channel managers: rejects a live registration with a reason (closing its open conflicts).';

CREATE OR REPLACE FUNCTION channel.close_deal(deal_id bigint, won boolean, amount numeric DEFAULT NULL) RETURNS void
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
  IF amount IS NOT NULL THEN
    PERFORM channel.check_amount(amount, 'amount', 'Pass the final deal value, or NULL to keep the registered one.');
  END IF;
  IF d.status <> 'approved' THEN
    PERFORM channel.deal_illegal_transition(d, 'close', 'Only approved registrations are closed as won or lost.');
  END IF;
  UPDATE channel.deal dl
  SET status = CASE WHEN won THEN 'won' ELSE 'lost' END::channel.deal_status,
      closed_at = greatest(now(), dl.submitted_at), amount = coalesce(close_deal.amount, dl.amount),
      status_reason = CASE WHEN won THEN 'won' ELSE 'lost' END
  WHERE dl.deal_id = d.deal_id;
END
$$;
COMMENT ON FUNCTION channel.close_deal(bigint, boolean, numeric) IS
  'Closes an approved registration as won or lost, optionally with its final amount. Partners close their own.';

CREATE OR REPLACE FUNCTION channel.resolve_conflict(winner_deal_id bigint) RETURNS integer
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
  SET status = 'rejected', decided_at = greatest(now(), dl.submitted_at), status_reason = 'conflict resolved in favour of another registration'
  WHERE dl.deal_id = ANY (losers) AND dl.status IN ('submitted', 'approved', 'conflict');
  GET DIAGNOSTICS n = ROW_COUNT;
  IF w.status <> 'approved' THEN
    UPDATE channel.deal dl SET status = 'approved', decided_at = greatest(now(), dl.submitted_at), status_reason = 'won the conflict'
    WHERE dl.deal_id = w.deal_id;
  END IF;
  UPDATE channel.deal_conflict c SET resolved_at = greatest(now(), c.detected_at), winner_deal_id = w.deal_id
  WHERE (c.deal_id = w.deal_id OR c.other_deal_id = w.deal_id) AND c.resolved_at IS NULL;
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.resolve_conflict(bigint) IS
  'Channel managers: settles every open conflict of a registration in its favour -- it becomes approved, the live registrations it collided with are rejected. Returns how many were rejected.';

-- issue 24: registrations lock their customer's blocking-key ranges and
-- take the cell lock in share mode; this function's lock is exclusive.
COMMENT ON FUNCTION channel.deal_lock_customer(text, text) IS
  'Takes, until the end of the transaction, the exclusive advisory lock of this country and product line (its cell), which every registration there takes in share mode after the key locks of its customer''s name and before its conflict lookup: the registrations of the cell wait until this transaction ends. For the jobs that change which registrations are live (expire_deals, make_renewals).';
