-- 21_routing.sql: lead routing, partner actions on leads, SLA recall
-- (doc/leads.md).
--
-- Routing is C (src/routing_*.c over src/core/routing.c); the partner
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
  description text NOT NULL CONSTRAINT reject_reason_description_not_blank CHECK (length(description) <= 500 AND channel.has_letter_or_digit(description)),
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
CREATE TRIGGER reject_reason_guard_truncate
  BEFORE TRUNCATE ON channel.reject_reason
  FOR EACH STATEMENT
  EXECUTE FUNCTION channel.shipped_rows_truncate_guard('Delete your own codes: DELETE FROM channel.reject_reason WHERE NOT shipped.');
COMMENT ON TRIGGER reject_reason_guard_truncate ON channel.reject_reason IS 'Keeps the shipped codes from being truncated away.';

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
  -- never before the routing, even for a transaction older than it
  UPDATE channel.lead ld SET status = 'accepted', accepted_at = greatest(now(), ld.routed_at), status_reason = NULL
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
  IF reason IS NULL THEN
    RAISE EXCEPTION 'reason must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            DETAIL = 'A rejection gives one of the active codes of channel.reject_reason.',
            HINT = pg_catalog.format('Use one of: %s.',
                     (SELECT pg_catalog.string_agg(r.code, ', ' ORDER BY r.code) FROM channel.reject_reason r WHERE r.active));
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.reject_reason r WHERE r.code = reason AND r.active) THEN
    RAISE EXCEPTION 'invalid reject reason "%"', pg_catalog.left(reason, 40)
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
  UPDATE channel.lead ld SET status = 'converted', closed_at = greatest(now(), ld.accepted_at),
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
  IF NOT channel.has_letter_or_digit(reason) THEN
    RAISE EXCEPTION 'reason has no letter or digit'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A reason is text a person can read; blank or invisible text is not one.',
            HINT = 'Say why the lead was lost, or pass NULL.';
  END IF;
  UPDATE channel.lead ld SET status = 'lost', closed_at = greatest(now(), ld.accepted_at), status_reason = reason
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
