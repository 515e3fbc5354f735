-- 51_tiers.sql: tier evaluation from performance, explanations, applying
-- tiers with grace periods and overrides, and the tier history
-- (doc/programs.md).
--
--   channel.evaluate_tiers()   per partner: current and qualified tier, requirements met and
--                              missed, every requirement's value and pass/fail -- one generated
--                              statement, one scan of partner_month for all its metrics
--   channel.tier_checks()      the same, one row per partner and requirement
--   channel.tier_explanation() "why is this partner silver?"
--   channel.apply_tiers()      the job: upgrades at once, downgrades after the grace period
--   channel.set_tier_override() / end_tier_override(): manual tiers with a reason and an end
--
-- apply_tiers and set_tier_override take one transaction-level advisory lock
-- (channel.tier_lock_key()), so an evaluation and an override, or two
-- evaluations, never interleave: the second waits, then sees what the first
-- committed; an evaluation repeated for a day already evaluated does not
-- count towards the grace period again.

-- Neither is STRICT: a STRICT SQL function whose body the planner cannot
-- prove strict (a CASE, an array subscript) is not inlined, and a call per
-- row of a 27,500-partner evaluation cost as much as the evaluation itself.
-- Both return NULL for NULL anyway.
CREATE FUNCTION channel.tier_ordinal(t channel.partner_tier) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE t WHEN 'registered' THEN 0 WHEN 'silver' THEN 1 WHEN 'gold' THEN 2 WHEN 'platinum' THEN 3 END;
COMMENT ON FUNCTION channel.tier_ordinal(channel.partner_tier) IS
  'Position of a tier, lowest first: registered 0, silver 1, gold 2, platinum 3 (the tier decision works on these).';

CREATE FUNCTION channel.tier_of_ordinal(n integer) RETURNS channel.partner_tier
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (ARRAY['registered', 'silver', 'gold', 'platinum']::channel.partner_tier[])[n + 1];
COMMENT ON FUNCTION channel.tier_of_ordinal(integer) IS 'The tier at a position (inverse of channel.tier_ordinal()); NULL outside 0-3.';

-- C (src/tiers_sql.c, src/core/tiers.c): the decision for one partner.
CREATE FUNCTION channel.tier_decide(current_tier integer, qualified_tier integer, override_tier integer,
                                    below_count integer, grace integer, repeat boolean,
                                    OUT new_tier integer, OUT new_below_count integer, OUT action text)
AS 'MODULE_PATHNAME', 'channel_tier_decide'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION channel.tier_decide(integer, integer, integer, integer, integer, boolean) IS
  'Tier decision of one evaluation (tier ordinals; override NULL when none): an override wins; a higher qualified tier is taken at once; a lower one counts an evaluation below (warn at the first, pending while within grace, downgrade past it); a repeat of an evaluated day does not count again. Returns the new tier, the new count and the action.';

---------------------------------------------------------------- state, overrides, history
CREATE TABLE channel.partner_tier_state (
  partner_id        bigint PRIMARY KEY REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  program_id        bigint NOT NULL REFERENCES channel.program (program_id),
  qualified_tier    channel.partner_tier NOT NULL,
  below_count       integer NOT NULL DEFAULT 0 CONSTRAINT partner_tier_state_below_count_range CHECK (below_count >= 0),
  last_action       text NOT NULL,
  last_evaluated_on date NOT NULL,
  warned_on         date
);
COMMENT ON TABLE channel.partner_tier_state IS
  'Outcome of the last tier evaluation of each member (written by channel.apply_tiers()): qualified tier and how many consecutive evaluations it has been below its tier.';
COMMENT ON COLUMN channel.partner_tier_state.partner_id IS 'The partner.';
COMMENT ON COLUMN channel.partner_tier_state.program_id IS 'The programme it was evaluated in.';
COMMENT ON COLUMN channel.partner_tier_state.qualified_tier IS 'The tier its performance qualified it for at the last evaluation.';
COMMENT ON COLUMN channel.partner_tier_state.below_count IS
  'Consecutive evaluations below its tier so far (0 when not below); a downgrade is pending while it is above 0.';
COMMENT ON COLUMN channel.partner_tier_state.last_action IS 'keep, upgrade, warn, pending, downgrade, override or overridden.';
COMMENT ON COLUMN channel.partner_tier_state.last_evaluated_on IS 'The as_of date of the last evaluation applied.';
COMMENT ON COLUMN channel.partner_tier_state.warned_on IS 'When the current pending downgrade was first warned of; NULL when none is pending.';
CREATE INDEX partner_tier_state_pending_idx ON channel.partner_tier_state (program_id) WHERE below_count > 0;
COMMENT ON INDEX channel.partner_tier_state_pending_idx IS 'Partners with a downgrade pending in grace.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_tier_state', '');

CREATE TABLE channel.tier_override (
  override_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  partner_id  bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  tier        channel.partner_tier NOT NULL,
  reason      text NOT NULL CONSTRAINT tier_override_reason_not_blank CHECK (btrim(reason) <> ''),
  starts_on   date NOT NULL,
  ends_on     date NOT NULL,
  created_by  name NOT NULL DEFAULT session_user,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  revoked_by  name,
  CONSTRAINT tier_override_period_valid CHECK (ends_on > starts_on),
  CONSTRAINT tier_override_revoked_by CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
COMMENT ON TABLE channel.tier_override IS
  'Manual tiers: in force from starts_on up to (not including) ends_on unless revoked; channel.apply_tiers() keeps the partner at the override''s tier meanwhile.';
COMMENT ON COLUMN channel.tier_override.override_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.tier_override.partner_id IS 'The partner.';
COMMENT ON COLUMN channel.tier_override.tier IS 'The tier the partner holds while the override is in force.';
COMMENT ON COLUMN channel.tier_override.reason IS 'Why (required).';
COMMENT ON COLUMN channel.tier_override.starts_on IS 'First day in force.';
COMMENT ON COLUMN channel.tier_override.ends_on IS 'First day no longer in force (required: overrides end).';
COMMENT ON COLUMN channel.tier_override.created_by IS 'Who set it (session user).';
COMMENT ON COLUMN channel.tier_override.created_at IS 'When it was set.';
COMMENT ON COLUMN channel.tier_override.revoked_at IS 'When it was ended early, by channel.end_tier_override() or a newer override; NULL otherwise.';
COMMENT ON COLUMN channel.tier_override.revoked_by IS 'Who ended it early.';
CREATE INDEX tier_override_partner_idx ON channel.tier_override (partner_id, ends_on) WHERE revoked_at IS NULL;
COMMENT ON INDEX channel.tier_override_partner_idx IS 'Overrides of a partner that were not revoked.';
SELECT pg_catalog.pg_extension_config_dump('channel.tier_override', '');
SELECT pg_catalog.pg_extension_config_dump('channel.tier_override_override_id_seq', '');

CREATE TABLE channel.partner_tier_history (
  history_id   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  partner_id   bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  at           timestamptz NOT NULL DEFAULT now(),
  from_tier    channel.partner_tier NOT NULL,
  to_tier      channel.partner_tier NOT NULL,
  event        text NOT NULL
               CONSTRAINT partner_tier_history_event_valid CHECK (event IN ('upgrade', 'downgrade', 'warning', 'override', 'manual')),
  reason       text NOT NULL,
  actor        name NOT NULL DEFAULT session_user,
  program_id   bigint REFERENCES channel.program (program_id),
  evaluated_on date,
  CONSTRAINT partner_tier_history_change CHECK ((event = 'warning') = (from_tier = to_tier) OR event = 'override')
);
COMMENT ON TABLE channel.partner_tier_history IS
  'Every change of partner.tier (from, to, when, why, by whom), and the warnings of pending downgrades. Append-only; written by the tier functions and by a trigger on direct updates of partner.tier.';
COMMENT ON COLUMN channel.partner_tier_history.history_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.partner_tier_history.partner_id IS 'The partner.';
COMMENT ON COLUMN channel.partner_tier_history.at IS 'Transaction time of the change.';
COMMENT ON COLUMN channel.partner_tier_history.from_tier IS 'Tier before.';
COMMENT ON COLUMN channel.partner_tier_history.to_tier IS 'Tier after (for a warning: the tier held, unchanged).';
COMMENT ON COLUMN channel.partner_tier_history.event IS
  'upgrade or downgrade (channel.apply_tiers()), warning (a downgrade is pending; tier unchanged), override (channel.set_tier_override()), manual (a direct UPDATE of partner.tier).';
COMMENT ON COLUMN channel.partner_tier_history.reason IS 'Why: the requirements met or missed, the override''s reason, or channel.tier_reason for a manual update.';
COMMENT ON COLUMN channel.partner_tier_history.actor IS 'Session user that made the change.';
COMMENT ON COLUMN channel.partner_tier_history.program_id IS 'Programme of the evaluation; NULL for manual changes.';
COMMENT ON COLUMN channel.partner_tier_history.evaluated_on IS 'as_of of the evaluation that made the change; NULL for manual changes and overrides.';
CREATE INDEX partner_tier_history_partner_idx ON channel.partner_tier_history (partner_id, at);
COMMENT ON INDEX channel.partner_tier_history_partner_idx IS 'Tier history of a partner.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_tier_history', '');
SELECT pg_catalog.pg_extension_config_dump('channel.partner_tier_history_history_id_seq', '');

CREATE TRIGGER partner_tier_history_append_only
  BEFORE UPDATE OR DELETE ON channel.partner_tier_history
  FOR EACH ROW WHEN (pg_catalog.pg_trigger_depth() < 1)
  EXECUTE FUNCTION channel.history_is_append_only();
COMMENT ON TRIGGER partner_tier_history_append_only ON channel.partner_tier_history IS 'Keeps tier history append-only.';

-- A direct UPDATE of partner.tier (a channel manager typing it) is recorded
-- too.  The tier functions write their own, richer history row in the same
-- statement first; a row of this transaction for the same change means the
-- change is already recorded.  Nobody but the owner can insert history rows,
-- so that test cannot be forged.
CREATE FUNCTION channel.partner_tier_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM channel.partner_tier_history h
                 WHERE h.partner_id = NEW.partner_id AND h.at = now()
                   AND h.from_tier = OLD.tier AND h.to_tier = NEW.tier AND h.event <> 'warning') THEN
    INSERT INTO channel.partner_tier_history (partner_id, from_tier, to_tier, event, reason)
    VALUES (NEW.partner_id, OLD.tier, NEW.tier, 'manual',
            coalesce(nullif(pg_catalog.current_setting('channel.tier_reason', true), ''),
                     'partner.tier updated directly (set channel.tier_reason to say why)'));
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.partner_tier_changed() IS
  'Trigger: records a direct change of partner.tier in channel.partner_tier_history (event manual, reason from the channel.tier_reason setting), unless a tier function recorded it already.';
CREATE TRIGGER partner_tier_changed
  AFTER UPDATE OF tier ON channel.partner
  FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier)
  EXECUTE FUNCTION channel.partner_tier_changed();
COMMENT ON TRIGGER partner_tier_changed ON channel.partner IS 'Tier history of direct updates; see channel.partner_tier_changed().';

---------------------------------------------------------------- evaluation
CREATE FUNCTION channel.tier_lock_key() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN 'channel.partner_tier_state'::pg_catalog.regclass::pg_catalog.oid::bigint;
COMMENT ON FUNCTION channel.tier_lock_key() IS
  'Key of the transaction-level advisory lock taken by channel.apply_tiers() and channel.set_tier_override() (the OID of channel.partner_tier_state).';

CREATE FUNCTION channel.tier_check_as_of(as_of date) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF as_of IS NULL OR as_of NOT BETWEEN '2000-01-01' AND '2999-12-31' THEN
    RAISE EXCEPTION 'as_of must be a date between 2000-01-01 and 2999-12-31, got %', coalesce(as_of::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Tiers are evaluated as of a day: windows are the whole months ending with its month.',
            HINT = 'Omit it for today.';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.tier_check_as_of(date) IS 'Raises invalid_parameter_value unless as_of is a date between 2000 and 2999.';

-- C (src/tiers_sql.c, src/core/tiers.c): the tier a partner qualifies for,
-- from the tiers of its programme's requirements and which of them hold.
CREATE FUNCTION channel.tier_qualify(tiers integer[], passed boolean[],
                                     OUT qualified integer, OUT first_fail integer, OUT met integer)
AS 'MODULE_PATHNAME', 'channel_tier_qualify'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.tier_qualify(integer[], boolean[]) IS
  'Given the tier ordinal of each requirement of a programme and whether each holds (NULL: does not), the highest tier offered whose requirements and those of every tier below all hold (0 = registered when none), the lowest tier with a failing requirement (NULL when none fails) and how many hold.';

-- The evaluation, in two parts.  channel.tier_plan() (below) generates one
-- statement shaped like the query one would write by hand for the rules: all
-- partner_month metrics from a single GROUP BY over the rollup rows of the
-- widest window (one sum per measure, FILTERed when its window is narrower),
-- each query metric once as a hash-joined subquery, one row per member with
-- one numeric column per distinct measure (v1 .. vN); and it lists the
-- requirements of every programme in order (tier, then id) with the measure,
-- operator and threshold each compares, and the words of its text.
-- channel.evaluate_tiers() (C, src/tiers_eval.c) runs that statement and,
-- as each row arrives, compares, qualifies (src/core/tiers.c) and writes the
-- missed requirements' texts straight into its result: no per-requirement
-- SQL expression, no intermediate row.
CREATE FUNCTION channel.tier_plan(as_of date, of_partner bigint,
                                  OUT statement text, OUT who bigint, OUT programs bigint[],
                                  OUT req_program bigint[], OUT req_id bigint[], OUT req_tier integer[],
                                  OUT req_measure integer[], OUT req_operator text[], OUT req_threshold numeric[],
                                  OUT req_label text[], OUT req_needs text[], OUT tiers channel.partner_tier[])
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me        bigint := channel.current_partner();
  k         record;
  cols      text := '';
  ctes      text := '';
  joins     text := '';
  wcols     text := '';
  min_start date;
  ws        date;
  agg       text;
  filt      text;
  src       text;
  mm        channel.tier_metric;
  g_keys    text[] := '{}';   -- aggregate-form metrics: one scan per (metric, window)
  g_rows    channel.tier_metric[] := '{}';
  g_vals    text[] := '{}';
  g_cols    text[] := '{}';
  g_win     integer[] := '{}';
  g         integer;
BEGIN
  PERFORM channel.tier_check_as_of(as_of);
  IF me IS NOT NULL AND of_partner IS DISTINCT FROM me AND of_partner IS NOT NULL THEN
    RETURN;   -- a partner evaluates itself only
  END IF;
  who := coalesce(me, of_partner);
  SELECT min(channel.bi_window_start(as_of, q.window_months)) INTO min_start
  FROM channel.tier_requirement q
  JOIN channel.program p ON p.program_id = q.program_id
  JOIN channel.tier_metric m ON m.metric = q.metric AND m.source = 'partner_month'
  WHERE p.starts_on <= as_of AND (p.ends_on IS NULL OR p.ends_on > as_of);
  -- the distinct measures: one column v<n> each
  FOR k IN
    SELECT row_number() OVER (ORDER BY d.metric, d.window_months, d.product_line, d.cert_level) AS n,
           d.metric, d.window_months, d.product_line, d.cert_level, m AS mrow,
           m.source, m.numerator, m.denominator, m.missing_value
    FROM (SELECT DISTINCT q.metric, q.window_months, q.product_line::text AS product_line, q.cert_level
          FROM channel.tier_requirement q JOIN channel.program p ON p.program_id = q.program_id
          WHERE p.starts_on <= as_of AND (p.ends_on IS NULL OR p.ends_on > as_of)) d
    JOIN channel.tier_metric m ON m.metric = d.metric
    ORDER BY n
  LOOP
    IF k.source = 'partner_month' THEN
      ws := channel.bi_window_start(as_of, k.window_months);
      -- the scan reads the widest window; narrower ones filter their sums
      filt := CASE WHEN ws = min_start THEN '' ELSE pg_catalog.format(' FILTER (WHERE pm.month >= %L::date)', ws) END;
      agg := pg_catalog.format('sum(%s)%s', k.numerator, filt);
      IF k.denominator IS NOT NULL THEN
        agg := pg_catalog.format('(%s)::numeric / nullif(sum(%s)%s, 0)', agg, k.denominator, filt);
      END IF;
      cols := cols || pg_catalog.format(', (%s)::numeric AS k%s', agg, k.n);
      src := pg_catalog.format('pmv.k%s', k.n);
    ELSIF (k.mrow).value_sql IS NOT NULL THEN
      -- aggregate form: this measure's value expression joins the others of
      -- its metric and window in one scan (g<i>), as column m<n>
      g := array_position(g_keys, k.metric || '/' || coalesce(k.window_months::text, ''));
      IF g IS NULL THEN
        g_keys := g_keys || (k.metric || '/' || coalesce(k.window_months::text, ''));
        g_rows := g_rows || k.mrow;
        g_win := g_win || k.window_months;
        g_vals := g_vals || ''::text;
        g_cols := g_cols || ''::text;
        g := cardinality(g_keys);
      END IF;
      mm := k.mrow;
      mm.query := mm.value_sql;
      mm.value_sql := NULL;
      g_vals[g] := g_vals[g] || CASE WHEN g_vals[g] = '' THEN '' ELSE ', ' END
                   || channel.tier_metric_sql(mm, as_of, k.window_months, k.product_line, k.cert_level);
      g_cols[g] := g_cols[g] || pg_catalog.format(', q.m%1$s::numeric AS m%1$s', k.n);
      src := pg_catalog.format('g%s.m%s', g, k.n);
    ELSE
      ctes := ctes || pg_catalog.format(
        ', q%s AS (SELECT q.partner_id::bigint AS partner_id, q.value::numeric AS value FROM (%s) q(partner_id, value) WHERE $2 IS NULL OR q.partner_id = $2)',
        k.n, channel.tier_metric_sql(k.mrow, as_of, k.window_months, k.product_line, k.cert_level));
      joins := joins || pg_catalog.format(' LEFT JOIN q%s ON q%s.partner_id = mem.partner_id', k.n, k.n);
      src := pg_catalog.format('q%s.value', k.n);
    END IF;
    wcols := wcols || pg_catalog.format(', coalesce(%s, %s::numeric)::numeric AS v%s', src,
                                        coalesce(pg_catalog.quote_literal(k.missing_value), 'NULL'), k.n);
  END LOOP;
  IF wcols = '' THEN
    RETURN;
  END IF;
  FOR g IN 1 .. cardinality(g_keys) LOOP
    mm := g_rows[g];
    mm.query := replace(mm.query, '{value}', g_vals[g]);
    mm.value_sql := NULL;
    ctes := ctes || pg_catalog.format(
      ', g%s AS (SELECT q.partner_id::bigint AS partner_id%s FROM (%s) q(partner_id%s) WHERE $2 IS NULL OR q.partner_id = $2)',
      g, g_cols[g], channel.tier_metric_sql(mm, as_of, g_win[g], NULL, NULL),
      regexp_replace(g_cols[g], ', q\.(m[0-9]+)::numeric AS m[0-9]+', ', \1', 'g'));
    joins := joins || pg_catalog.format(' LEFT JOIN g%s ON g%s.partner_id = mem.partner_id', g, g);
  END LOOP;
  -- every requirement of every running programme, in the programme's order
  SELECT array_agg(DISTINCT q.program_id ORDER BY q.program_id),
         array_agg(q.program_id ORDER BY q.program_id, q.tier, q.requirement_id),
         array_agg(q.requirement_id ORDER BY q.program_id, q.tier, q.requirement_id),
         array_agg(channel.tier_ordinal(q.tier) ORDER BY q.program_id, q.tier, q.requirement_id),
         array_agg(kk.n ORDER BY q.program_id, q.tier, q.requirement_id),
         array_agg(q.operator ORDER BY q.program_id, q.tier, q.requirement_id),
         array_agg(q.threshold ORDER BY q.program_id, q.tier, q.requirement_id),
         -- a missed requirement's text is label || value || needs
         array_agg(q.metric || CASE WHEN q.window_months IS NOT NULL THEN '(' || q.window_months || 'm)' ELSE '' END
                            || CASE WHEN q.product_line IS NOT NULL OR q.cert_level IS NOT NULL
                                    THEN '[' || concat_ws(',', q.product_line, q.cert_level::text) || ']' ELSE '' END || ' = '
                   ORDER BY q.program_id, q.tier, q.requirement_id),
         array_agg(', needs ' || q.operator || ' ' || q.threshold ORDER BY q.program_id, q.tier, q.requirement_id)
    INTO programs, req_program, req_id, req_tier, req_measure, req_operator, req_threshold, req_label, req_needs
  FROM channel.tier_requirement q
  JOIN channel.program p ON p.program_id = q.program_id
  JOIN (SELECT row_number() OVER (ORDER BY d.metric, d.window_months, d.product_line, d.cert_level)::integer AS n, d.*
        FROM (SELECT DISTINCT q2.metric, q2.window_months, q2.product_line::text AS product_line, q2.cert_level
              FROM channel.tier_requirement q2 JOIN channel.program p2 ON p2.program_id = q2.program_id
              WHERE p2.starts_on <= as_of AND (p2.ends_on IS NULL OR p2.ends_on > as_of)) d) kk
    ON kk.metric = q.metric AND kk.window_months IS NOT DISTINCT FROM q.window_months
   AND kk.product_line IS NOT DISTINCT FROM q.product_line::text AND kk.cert_level IS NOT DISTINCT FROM q.cert_level
  WHERE p.starts_on <= as_of AND (p.ends_on IS NULL OR p.ends_on > as_of);
  IF min_start IS NOT NULL THEN
    ctes := pg_catalog.format(
      ', pmv AS (SELECT pm.partner_id%s FROM channel.partner_month pm'
      ' WHERE pm.month >= %L::date AND pm.month <= channel.month_of($1) AND ($2 IS NULL OR pm.partner_id = $2)'
      ' GROUP BY pm.partner_id)', cols, min_start) || ctes;
    joins := ' LEFT JOIN pmv ON pmv.partner_id = mem.partner_id' || joins;
  END IF;
  statement := pg_catalog.format($q$
    WITH mem AS (
      SELECT m.partner_id, m.program_id, pa.tier
      FROM channel.program_member m JOIN channel.partner pa ON pa.partner_id = m.partner_id
      WHERE m.program_id = ANY ($3) AND m.joined_on <= $1 AND (m.left_on IS NULL OR m.left_on > $1)
        AND ($2 IS NULL OR m.partner_id = $2))%s
    SELECT mem.partner_id, mem.program_id, mem.tier%s FROM mem%s
  $q$, ctes, wcols, joins);
  tiers := ARRAY['registered', 'silver', 'gold', 'platinum']::channel.partner_tier[];
  RETURN NEXT;
END
$$;
COMMENT ON FUNCTION channel.tier_plan(date, bigint) IS
  'The plan of channel.evaluate_tiers(): the generated statement (parameters $1 as_of, $2 the partner or NULL, $3 the programmes; one row per member: partner_id, program_id, tier, then one numeric column per distinct measure), the partner to evaluate (NULL: all), the programmes running on as_of, and every requirement in programme order (programme, tier, id) with its tier ordinal, measure column (1 = the first after tier), operator, threshold and the words of its text. No row when there is nothing to evaluate (no requirement, or a partner caller asking about another partner). Raises 22023 for an as_of outside 2000-2999.';

-- C (src/tiers_eval.c): runs channel.tier_plan()'s statement and evaluates
-- each row as it arrives.
CREATE FUNCTION channel.evaluate_tiers(as_of date DEFAULT current_date, of_partner bigint DEFAULT NULL)
RETURNS TABLE (partner_id bigint, program_id bigint, current_tier channel.partner_tier, qualified_tier channel.partner_tier,
               requirements_met integer, requirements_total integer, missing text[],
               requirement_ids bigint[], requirement_values numeric[], requirement_passed boolean[])
AS 'MODULE_PATHNAME', 'channel_evaluate_tiers'
LANGUAGE C STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off;
COMMENT ON FUNCTION channel.evaluate_tiers(date, bigint) IS
  'Per member of a programme running on as_of (or one partner; a partner caller: itself only): current tier, qualified tier (the highest tier offered whose requirements, and those of every tier below, all hold; registered when none), requirements met and in all, the missed requirements of the first tier not reached (as text), and every requirement id with its value and pass/fail (arrays in the programme''s order: tier, then id; channel.tier_checks() gives them as rows, channel.tier_explanation() explains one partner). One generated set-based statement (channel.tier_plan()), each row evaluated in C as it arrives. Changes nothing.';

-- Every requirement of every member as a row, with its value and pass/fail.
CREATE FUNCTION channel.tier_checks(as_of date, only_partner bigint DEFAULT NULL)
RETURNS TABLE (partner_id bigint, program_id bigint, tier channel.partner_tier, requirement_id bigint,
               metric text, operator text, threshold numeric, window_months integer,
               product_line text, cert_level channel.cert_level, value numeric, passed boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
  SELECT v.partner_id, v.program_id, r.tier, r.requirement_id, r.metric, r.operator, r.threshold, r.window_months,
         r.product_line::text, r.cert_level, trim_scale(u.value), u.passed
  FROM channel.evaluate_tiers(as_of, only_partner) v
  CROSS JOIN LATERAL unnest(v.requirement_ids, v.requirement_values, v.requirement_passed) WITH ORDINALITY AS u(requirement_id, value, passed, i)
  JOIN channel.tier_requirement r ON r.requirement_id = u.requirement_id
  ORDER BY v.partner_id, u.i
$$;
COMMENT ON FUNCTION channel.tier_checks(date, bigint) IS
  'channel.evaluate_tiers() as one row per partner and requirement: tier, metric, operator, threshold, window, qualifiers, value and pass/fail.';

-- One requirement as text, for reasons and shortfall lists.  Inlinable (no
-- SET clause): it calls only pg_catalog functions on its arguments, so the
-- search_path cannot change what it does.
CREATE FUNCTION channel.tier_requirement_text(metric text, operator text, threshold numeric, window_months integer,
                                              product_line text, cert_level channel.cert_level, value numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN metric
       || CASE WHEN window_months IS NOT NULL THEN '(' || window_months || 'm)' ELSE '' END
       || CASE WHEN product_line IS NOT NULL OR cert_level IS NOT NULL
               THEN '[' || pg_catalog.concat_ws(',', product_line, cert_level::text) || ']' ELSE '' END
       || ' = ' || coalesce(pg_catalog.trim_scale(pg_catalog.round(value, 4))::text, 'unknown') || ', needs ' || operator || ' ' || threshold;
COMMENT ON FUNCTION channel.tier_requirement_text(text, text, numeric, integer, text, channel.cert_level, numeric) IS
  'A requirement and its value (rounded to 4 decimals) as text, e.g. "won_revenue(12m) = 1500000, needs >= 2000000".';

-- "Why is this partner silver?": every requirement of its programme, with
-- its value, whether it holds and whether its whole tier holds, beside the
-- partner's tier, the tier it qualifies for, any override in force and any
-- downgrade pending.  A partner may ask about itself only; any other id is
-- "does not exist", as for a missing one.
CREATE FUNCTION channel.tier_explanation(of_partner bigint DEFAULT NULL, as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, program text, current_tier channel.partner_tier, qualified_tier channel.partner_tier,
               override_tier channel.partner_tier, override_ends_on date, downgrade_pending boolean,
               tier channel.partner_tier, tier_holds boolean, metric text, description text, operator text,
               threshold numeric, window_months integer, product_line text, cert_level channel.cert_level,
               value numeric, passed boolean, requirement text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  me  bigint := channel.current_partner();
  pid bigint := coalesce(of_partner, me);
BEGIN
  PERFORM channel.tier_check_as_of(as_of);
  IF pid IS NULL THEN
    -- the vendor without a partner: every member of a running programme
    RETURN QUERY
    SELECT x.* FROM (SELECT DISTINCT c.partner_id FROM channel.tier_checks(as_of) c) m
    CROSS JOIN LATERAL channel.tier_explanation(m.partner_id, as_of) x
    ORDER BY m.partner_id;
    RETURN;
  END IF;
  IF (me IS NOT NULL AND pid <> me) OR NOT EXISTS (SELECT 1 FROM channel.partner pa WHERE pa.partner_id = pid) THEN
    RAISE EXCEPTION 'partner % does not exist', pid
      USING ERRCODE = 'no_data_found',
            HINT = CASE WHEN me IS NOT NULL THEN 'A partner sees the explanation of its own tier: call it without arguments.'
                        ELSE 'See channel.partner.' END;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.program_member m JOIN channel.program p ON p.program_id = m.program_id
                 WHERE m.partner_id = pid AND m.joined_on <= as_of AND (m.left_on IS NULL OR m.left_on > as_of)
                   AND p.starts_on <= as_of AND (p.ends_on IS NULL OR p.ends_on > as_of)) THEN
    RAISE EXCEPTION 'partner % is not a member of a running programme on that day', pid
      USING ERRCODE = 'no_data_found',
            DETAIL = pg_catalog.format('Only members of programmes running on as_of (%s) are evaluated.', as_of),
            HINT = 'Enrol it with channel.join_program(partner_id, program_id).';
  END IF;
  RETURN QUERY
  WITH c AS (SELECT * FROM channel.tier_checks(as_of, pid)),
  t AS (SELECT c.tier, bool_and(c.passed) AS ok FROM c GROUP BY c.tier),
  q AS (SELECT coalesce(max(t.tier) FILTER (WHERE NOT EXISTS (SELECT 1 FROM t t2 WHERE t2.tier <= t.tier AND NOT t2.ok)),
                        'registered'::channel.partner_tier) AS qualified FROM t)
  SELECT pid, pr.name, pa.tier, q.qualified, o.tier, o.ends_on, coalesce(s.below_count > 0, false),
         c.tier, t.ok, c.metric, tm.description, c.operator, c.threshold, c.window_months, c.product_line, c.cert_level,
         c.value, c.passed,
         channel.tier_requirement_text(c.metric, c.operator, c.threshold, c.window_months, c.product_line, c.cert_level, c.value)
  FROM c
  JOIN t ON t.tier = c.tier
  CROSS JOIN q
  JOIN channel.partner pa ON pa.partner_id = pid
  JOIN channel.program pr ON pr.program_id = c.program_id
  JOIN channel.tier_metric tm ON tm.metric = c.metric
  LEFT JOIN channel.partner_tier_state s ON s.partner_id = pid
  LEFT JOIN LATERAL (SELECT ov.tier, ov.ends_on FROM channel.tier_override ov
                     WHERE ov.partner_id = pid AND ov.revoked_at IS NULL AND ov.starts_on <= as_of AND ov.ends_on > as_of
                     ORDER BY ov.created_at DESC LIMIT 1) o ON true
  ORDER BY c.tier, c.requirement_id;
END
$$;
COMMENT ON FUNCTION channel.tier_explanation(bigint, date) IS
  'Why a partner holds its tier: one row per requirement of its programme (tier, metric, operator, threshold, window, value, passed, whether the tier holds as a whole, as text), with current and qualified tier, override and pending downgrade; for the vendor without a partner, every member (one explanation per partner: slow on a large channel). A partner caller: itself only (another id is "does not exist").';

---------------------------------------------------------------- applying
CREATE FUNCTION channel.tier_require_vendor(action text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can %', action
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The calling role acts for a partner.',
            HINT = 'Run it as a channel administrator.';
  END IF;
  IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'channel tiers must be changed in a READ COMMITTED transaction'
      USING ERRCODE = 'invalid_transaction_state',
            DETAIL = pg_catalog.format('This transaction is %s: its snapshot may predate the tier lock, so it could overwrite what the session holding the lock committed.',
                                       pg_catalog.current_setting('transaction_isolation')),
            HINT = 'Run it in its own READ COMMITTED transaction (the default).';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.tier_require_vendor(text) IS
  'Raises insufficient_privilege for a partner caller, and invalid_transaction_state outside READ COMMITTED (the tier lock only orders what READ COMMITTED statements see).';

-- The job: evaluates every member as of as_of and applies the decisions of
-- channel.tier_decide() in one statement -- history rows (upgrades,
-- downgrades, warnings), partner.tier, and the evaluation state.  Returns how
-- many partners each action concerned.
CREATE FUNCTION channel.apply_tiers(as_of date DEFAULT current_date, refresh boolean DEFAULT true)
RETURNS TABLE (action text, partners bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  latest date;
BEGIN
  PERFORM channel.tier_require_vendor('apply tiers');
  PERFORM channel.tier_check_as_of(as_of);
  -- a second evaluation waits here for the first to commit, then reads what it wrote
  PERFORM pg_catalog.pg_advisory_xact_lock(channel.tier_lock_key());
  SELECT max(s.last_evaluated_on) INTO latest FROM channel.partner_tier_state s;
  IF latest > as_of THEN
    RAISE EXCEPTION 'tiers were already applied as of a later day'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = pg_catalog.format('The last evaluation applied was as of %s, this one is as of %s; grace periods count evaluations in date order.', latest, as_of),
            HINT = 'Use channel.evaluate_tiers(as_of) to look at an earlier day without applying it.';
  END IF;
  IF refresh THEN
    PERFORM channel.refresh_dirty_rollups();
  END IF;
  RETURN QUERY
  WITH e AS (SELECT * FROM channel.evaluate_tiers(as_of)),
  d AS (
    SELECT e.partner_id, e.program_id, e.current_tier, e.qualified_tier, e.missing, pr.grace_evaluations AS grace,
           o.tier AS override_tier, o.ends_on AS override_ends, o.reason AS override_reason,
           s.warned_on, x.action,
           channel.tier_of_ordinal(x.new_tier) AS new_tier, x.new_below_count
    FROM e
    JOIN channel.program pr ON pr.program_id = e.program_id
    LEFT JOIN channel.partner_tier_state s ON s.partner_id = e.partner_id
    LEFT JOIN LATERAL (SELECT ov.tier, ov.ends_on, ov.reason FROM channel.tier_override ov
                       WHERE ov.partner_id = e.partner_id AND ov.revoked_at IS NULL
                         AND ov.starts_on <= as_of AND ov.ends_on > as_of
                       ORDER BY ov.created_at DESC LIMIT 1) o ON true
    CROSS JOIN LATERAL channel.tier_decide(channel.tier_ordinal(e.current_tier), channel.tier_ordinal(e.qualified_tier),
                                           channel.tier_ordinal(o.tier), coalesce(s.below_count, 0), pr.grace_evaluations,
                                           s.last_evaluated_on IS NOT DISTINCT FROM as_of) x
  ),
  hist AS (
    INSERT INTO channel.partner_tier_history (partner_id, from_tier, to_tier, event, reason, program_id, evaluated_on)
    SELECT d.partner_id, d.current_tier, d.new_tier,
           CASE d.action WHEN 'warn' THEN 'warning' ELSE d.action END,
           CASE d.action
             WHEN 'upgrade' THEN pg_catalog.format('qualifies for %s: every requirement up to %s holds',
                                                   d.qualified_tier, d.qualified_tier)
             WHEN 'downgrade' THEN pg_catalog.format('below %s for %s consecutive evaluations (grace %s); qualifies for %s; missing: %s',
                                                     d.current_tier, d.grace + 1, d.grace, d.qualified_tier,
                                                     array_to_string(d.missing, '; '))
             WHEN 'warn' THEN pg_catalog.format('qualifies only for %s; %s is kept for %s more evaluation(s) below it, then lowered; missing: %s',
                                                d.qualified_tier, d.current_tier, d.grace, array_to_string(d.missing, '; '))
             ELSE pg_catalog.format('override to %s: %s', d.override_tier, d.override_reason)
           END,
           d.program_id, as_of
    FROM d WHERE d.action IN ('upgrade', 'downgrade', 'warn', 'override')
    RETURNING 1
  ),
  upd AS (
    UPDATE channel.partner pa SET tier = d.new_tier
    FROM d WHERE pa.partner_id = d.partner_id AND pa.tier <> d.new_tier
    RETURNING 1
  ),
  st AS (
    INSERT INTO channel.partner_tier_state AS s (partner_id, program_id, qualified_tier, below_count, last_action, last_evaluated_on, warned_on)
    SELECT d.partner_id, d.program_id, d.qualified_tier, d.new_below_count, d.action, as_of,
           CASE WHEN d.new_below_count = 0 THEN NULL WHEN d.action = 'warn' THEN as_of ELSE d.warned_on END
    FROM d
    ON CONFLICT ON CONSTRAINT partner_tier_state_pkey DO UPDATE
      SET program_id = EXCLUDED.program_id, qualified_tier = EXCLUDED.qualified_tier, below_count = EXCLUDED.below_count,
          last_action = EXCLUDED.last_action, last_evaluated_on = EXCLUDED.last_evaluated_on, warned_on = EXCLUDED.warned_on
    RETURNING 1
  )
  SELECT d.action, count(*) FROM d GROUP BY d.action ORDER BY min(d.action);
END
$$;
COMMENT ON FUNCTION channel.apply_tiers(date, boolean) IS
  'The tier job: refreshes the rollups (unless refresh is false), evaluates every member as of as_of and applies channel.tier_decide(): upgrades at once, a warning at the first evaluation below the tier, the downgrade once the programme''s grace period is exhausted, overrides respected; every change and warning in channel.partner_tier_history. Serialized by an advisory lock; a second run for the same day does not count again. Returns partners per action. Vendor only.';

INSERT INTO channel.job_definition (job_name, position, command, needs, default_schedule, purpose) VALUES
  ('channel-apply-tiers', 511, 'SELECT * FROM channel.apply_tiers()', 'channel.apply_tiers(date, boolean)', '30 2 * * *',
   'recalculate programme tiers from performance (doc/programs.md)');

CREATE FUNCTION channel.set_tier_override(partner_id bigint, tier channel.partner_tier, reason text, ends_on date,
                                          starts_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  cur channel.partner_tier;
  id  bigint;
BEGIN
  PERFORM channel.tier_require_vendor('override tiers');
  IF set_tier_override.ends_on IS NULL THEN
    RAISE EXCEPTION 'a tier override needs an end date'
      USING ERRCODE = 'null_value_not_allowed',
            DETAIL = 'Overrides are exceptions: the tier returns to the evaluated one when they end.',
            HINT = 'Give ends_on, e.g. current_date + 90; it can be ended earlier with channel.end_tier_override().';
  END IF;
  IF set_tier_override.partner_id IS NULL OR set_tier_override.tier IS NULL OR set_tier_override.starts_on IS NULL THEN
    RAISE EXCEPTION 'partner_id, tier and starts_on must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF set_tier_override.reason IS NULL OR btrim(set_tier_override.reason) = '' THEN
    RAISE EXCEPTION 'a tier override needs a reason'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Say why, e.g. ''strategic account, agreed with the regional director''.';
  END IF;
  IF set_tier_override.ends_on <= set_tier_override.starts_on OR set_tier_override.ends_on <= current_date THEN
    RAISE EXCEPTION 'a tier override must end after it starts and after today'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = pg_catalog.format('Got starts_on %s, ends_on %s.', set_tier_override.starts_on, set_tier_override.ends_on);
  END IF;
  -- waits for a running evaluation, which then cannot overwrite this override
  PERFORM pg_catalog.pg_advisory_xact_lock(channel.tier_lock_key());
  SELECT pa.tier INTO cur FROM channel.partner pa WHERE pa.partner_id = set_tier_override.partner_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'partner % does not exist', set_tier_override.partner_id
      USING ERRCODE = 'foreign_key_violation', HINT = 'See channel.partner.';
  END IF;
  -- one override at a time: a new one ends those it would overlap
  UPDATE channel.tier_override ov SET revoked_at = now(), revoked_by = session_user
  WHERE ov.partner_id = set_tier_override.partner_id AND ov.revoked_at IS NULL
    AND ov.ends_on > set_tier_override.starts_on;
  INSERT INTO channel.tier_override (partner_id, tier, reason, starts_on, ends_on)
  VALUES (set_tier_override.partner_id, set_tier_override.tier, set_tier_override.reason,
          set_tier_override.starts_on, set_tier_override.ends_on)
  RETURNING override_id INTO id;
  IF set_tier_override.starts_on <= current_date THEN
    INSERT INTO channel.partner_tier_history (partner_id, from_tier, to_tier, event, reason)
    VALUES (set_tier_override.partner_id, cur, set_tier_override.tier, 'override',
            pg_catalog.format('override to %s: %s', set_tier_override.tier, set_tier_override.reason));
    UPDATE channel.partner pa SET tier = set_tier_override.tier
    WHERE pa.partner_id = set_tier_override.partner_id AND pa.tier <> set_tier_override.tier;
    UPDATE channel.partner_tier_state s SET below_count = 0, warned_on = NULL, last_action = 'override'
    WHERE s.partner_id = set_tier_override.partner_id;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.set_tier_override(bigint, channel.partner_tier, text, date, date) IS
  'Sets a partner''s tier by hand from starts_on (default today) up to ends_on (required, after today), with a reason; ends the partner''s overlapping overrides; takes effect now when it starts today, and channel.apply_tiers() keeps it until it ends. Recorded in partner_tier_history. Returns the override id. Vendor only.';

CREATE FUNCTION channel.end_tier_override(override_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  PERFORM channel.tier_require_vendor('override tiers');
  PERFORM pg_catalog.pg_advisory_xact_lock(channel.tier_lock_key());
  UPDATE channel.tier_override ov SET revoked_at = now(), revoked_by = session_user
  WHERE ov.override_id = end_tier_override.override_id AND ov.revoked_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'tier override % does not exist or has already been ended', end_tier_override.override_id
      USING ERRCODE = 'no_data_found', HINT = 'See channel.tier_override (revoked_at IS NULL).';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.end_tier_override(bigint) IS
  'Ends an override early; the partner keeps its tier until the next channel.apply_tiers(), which then evaluates it normally (a lower qualified tier starts the grace period). Vendor only.';

---------------------------------------------------------------- privileges
GRANT SELECT ON channel.partner_tier_state, channel.tier_override, channel.partner_tier_history
  TO channel_admin, channel_analyst, channel_partner;
DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partner_tier_state', 'tier_override', 'partner_tier_history']
  LOOP
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('CREATE POLICY %I ON channel.%I FOR SELECT TO channel_admin USING (true)', t || '_admin', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_admin', t,
      'Channel managers (channel_admin) read every row; the tier functions write them.');
    EXECUTE pg_catalog.format('CREATE POLICY %I ON channel.%I FOR SELECT TO channel_analyst USING (true)', t || '_analyst', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_analyst', t,
      'Analysts (channel_analyst) read every row.');
    EXECUTE pg_catalog.format('CREATE POLICY %I ON channel.%I FOR SELECT TO channel_partner USING (partner_id = channel.current_partner())',
                              t || '_own', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_own', t,
      'A partner sees its own rows.');
  END LOOP;
END
$rls$;


-- who may run this piece's functions besides channel_admin (00_registry.sql)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES
  ('channel_partner', 'evaluate_tiers'),
  ('channel_partner', 'tier_explanation'),
  ('channel_analyst', 'evaluate_tiers'),
  ('channel_analyst', 'tier_explanation');

REVOKE EXECUTE ON FUNCTION channel.tier_ordinal(channel.partner_tier), channel.tier_of_ordinal(integer),
  channel.tier_decide(integer, integer, integer, integer, integer, boolean),
  channel.partner_tier_changed(), channel.tier_lock_key(), channel.tier_check_as_of(date),
  channel.tier_qualify(integer[], boolean[]), channel.tier_checks(date, bigint),
  channel.tier_requirement_text(text, text, numeric, integer, text, channel.cert_level, numeric),
  channel.tier_plan(date, bigint), channel.evaluate_tiers(date, bigint), channel.tier_explanation(bigint, date),
  channel.tier_require_vendor(text),
  channel.apply_tiers(date, boolean), channel.set_tier_override(bigint, channel.partner_tier, text, date, date),
  channel.end_tier_override(bigint) FROM PUBLIC;
