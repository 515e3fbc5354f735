-- 34_forecast.sql: which registrations are likely to be won in a quarter,
-- with close probabilities learned from closed history (doc/forecast.md).
-- New in 0.2.0: this piece is also the upgrade piece, through a symlink.
--
-- The model, explainable by construction:
--   p = base rate of the registration's cell (stage, age since submission,
--       expected close against the quarter, months left in the quarter),
--       smoothed towards its stage's rate
--     x amount-band factor x partner-win-rate-band factor x product-line factor,
--   capped at 1.  Each factor is the wins observed among the training
--   snapshots with that value over the wins the preceding terms expect for
--   them, smoothed towards 1 (one pass of raking).
-- Training examples are snapshots: every registration open at the start of
-- a UTC month T, as it stood then (its stage reconstructed from its
-- timestamps), labelled won when it was won before the end of T's calendar
-- quarter.  Only snapshots whose quarter had ended by the training date are
-- used: their outcome is known.  The backtest replays each past quarter
-- with the model trained on what was known at its start.

---------------------------------------------------------------- features
-- The feature and scoring helpers are plain SQL expressions, IMMUTABLE and
-- neither STRICT nor with a SET clause, so that the planner inlines them
-- into the queries that call them per registration (a function call per
-- row would cost more than the forecast); like channel.month_of() they call
-- only built-in functions and operators and the schema-qualified
-- channel.pipeline_stage_weight(), and run inside the channel functions'
-- pinned search_path.
CREATE FUNCTION channel.forecast_age_band(age interval) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN age < interval '14 days' THEN '0-13 days' WHEN age < interval '45 days' THEN '14-44 days'
            WHEN age < interval '90 days' THEN '45-89 days' WHEN age < interval '180 days' THEN '90-179 days'
            ELSE '180+ days' END;
COMMENT ON FUNCTION channel.forecast_age_band(interval) IS
  'Forecast feature: band of the time since a registration was submitted (0-13, 14-44, 45-89, 90-179, 180+ days).';

CREATE FUNCTION channel.forecast_amount_band(amount numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN amount < 10000 THEN '<10k' WHEN amount < 50000 THEN '10k-50k'
            WHEN amount < 250000 THEN '50k-250k' ELSE '250k+' END;
COMMENT ON FUNCTION channel.forecast_amount_band(numeric) IS
  'Forecast feature: band of a registration''s amount in the reporting currency (<10k, 10k-50k, 50k-250k, 250k+).';

CREATE FUNCTION channel.forecast_partner_band(partner_id bigint, wins bigint, closed bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN partner_id IS NULL THEN 'direct sales'
            WHEN coalesce(closed, 0) < 5 THEN 'under 5 closed'
            WHEN wins::float8 / closed < 0.25 THEN 'won <25%'
            WHEN wins::float8 / closed < 0.50 THEN 'won 25-50%'
            WHEN wins::float8 / closed < 0.75 THEN 'won 50-75%'
            ELSE 'won 75%+' END;
COMMENT ON FUNCTION channel.forecast_partner_band(bigint, bigint, bigint) IS
  'Forecast feature: band of the registering partner''s past win rate (wins / deals won or lost before the moment of the forecast): direct sales, under 5 closed, won <25%, 25-50%, 50-75%, 75%+.';

CREATE FUNCTION channel.forecast_close_band_by(expected_close date, as_at_day date, quarter_end date, next_quarter_end date)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN expected_close < as_at_day THEN 'overdue'
            WHEN expected_close < quarter_end THEN 'this quarter'
            WHEN expected_close < next_quarter_end THEN 'next quarter'
            ELSE 'later' END;
COMMENT ON FUNCTION channel.forecast_close_band_by(date, date, date, date) IS
  'channel.forecast_close_band() with its three UTC days given: the UTC day of the forecast, the first day after the quarter and the first day after the next one (for a query that computes them once, not per registration).';

CREATE FUNCTION channel.forecast_close_band(expected_close date, as_at timestamptz, upto timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN channel.forecast_close_band_by(expected_close, (as_at AT TIME ZONE 'UTC')::date, (upto AT TIME ZONE 'UTC')::date,
                                      ((upto AT TIME ZONE 'UTC') + interval '3 months')::date);
COMMENT ON FUNCTION channel.forecast_close_band(date, timestamptz, timestamptz) IS
  'Forecast feature: the expected close date against the quarter being forecast (as_at: the moment of the forecast, upto: the end of the quarter): overdue, this quarter, next quarter, later.';

CREATE FUNCTION channel.forecast_horizon(as_at timestamptz, upto timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN least(greatest(ceil(extract(epoch FROM upto - as_at) / (86400 * 30.4375)), 1), 3)::int;
COMMENT ON FUNCTION channel.forecast_horizon(timestamptz, timestamptz) IS
  'Forecast feature: months left until the end of the quarter being forecast, rounded up, 1 to 3.';

-- The registrations open at each of the given moments, as they stood
-- then, with their features and whether each was won before upto, the end
-- of the moment's UTC calendar quarter.  Open at a moment: submitted
-- before, and not won, lost, rejected or expired by then (an expired
-- registration lapsed at the end of its protection).  Its stage then:
-- conflict when it was flagged and not yet decided, approved once decided,
-- else submitted.  The partner's record counts its registrations won or
-- lost before the moment.
CREATE FUNCTION channel.forecast_snapshot(moments timestamptz[], model jsonb DEFAULT NULL)
RETURNS TABLE (as_at timestamptz, upto timestamptz, deal_id bigint, partner_id bigint,
               product_line channel.product_code, amount numeric, expected_close date, stage text,
               age_band text, amount_band text, partner_band text, close_band text, horizon integer, won boolean,
               base_rate float8, amount_factor float8, partner_factor float8, line_factor float8, probability float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
  WITH t AS MATERIALIZED (
    SELECT m AS as_at, (pg_catalog.date_trunc('quarter', m AT TIME ZONE 'UTC') + interval '3 months') AT TIME ZONE 'UTC' AS upto
    FROM (SELECT DISTINCT pg_catalog.unnest(moments) AS m) x
  ),
  open AS (
    SELECT t.as_at, t.upto, d.deal_id, d.partner_id, d.product_line, d.amount, d.submitted_at, d.decided_at,
           d.expected_close, d.status, d.closed_at
    FROM channel.deal d
    JOIN t ON d.submitted_at < t.as_at
          AND (d.closed_at IS NULL OR d.closed_at >= t.as_at)
          AND NOT (d.status = 'rejected' AND d.decided_at < t.as_at)
          AND NOT (d.status = 'expired' AND coalesce(d.protected_until, d.submitted_at) < t.as_at)
  ),
  closes AS (
    SELECT x.partner_id, channel.month_of(x.closed_at) AS month,
           count(*) FILTER (WHERE x.status = 'won') AS wins, count(*) AS closed, max(x.closed_at) AS last_at
    FROM channel.deal x
    WHERE x.partner_id IS NOT NULL AND x.status IN ('won', 'lost')
    GROUP BY 1, 2
  ),
  record AS (
    -- whole months before the moment's month, and that month's closes
    -- before the moment (moments are month starts, or now)
    SELECT c.partner_id, t.as_at, sum(c.wins) AS wins, sum(c.closed) AS closed
    FROM closes c JOIN t ON c.month < channel.month_of(t.as_at)
    GROUP BY c.partner_id, t.as_at
    UNION ALL
    SELECT x.partner_id, t.as_at, count(*) FILTER (WHERE x.status = 'won'), count(*)
    FROM t JOIN channel.deal x ON x.partner_id IS NOT NULL AND x.status IN ('won', 'lost')
                              AND x.closed_at >= channel.month_of(t.as_at)::timestamp AT TIME ZONE 'UTC'
                              AND x.closed_at < t.as_at
    GROUP BY x.partner_id, t.as_at
  ),
  rec AS (SELECT r.partner_id, r.as_at, sum(r.wins) AS wins, sum(r.closed) AS closed FROM record r GROUP BY 1, 2),
  f AS (
    SELECT o.as_at, o.upto, o.deal_id, o.partner_id, o.product_line, o.amount, o.expected_close,
           CASE WHEN (o.status = 'conflict' OR EXISTS (SELECT 1 FROM channel.deal_event e
                                                        WHERE e.deal_id = o.deal_id AND e.to_status = 'conflict'))
                     AND (o.decided_at IS NULL OR o.decided_at >= o.as_at) THEN 'conflict'
                WHEN o.decided_at < o.as_at THEN 'approved'
                ELSE 'submitted' END AS stage,
           channel.forecast_age_band(o.as_at - o.submitted_at) AS age_band,
           channel.forecast_amount_band(o.amount) AS amount_band,
           channel.forecast_partner_band(o.partner_id, r.wins::bigint, r.closed::bigint) AS partner_band,
           channel.forecast_close_band(o.expected_close, o.as_at, o.upto) AS close_band,
           channel.forecast_horizon(o.as_at, o.upto) AS horizon,
           (o.status = 'won' AND o.closed_at < o.upto) AS won
    FROM open o
    LEFT JOIN rec r ON r.partner_id = o.partner_id AND r.as_at = o.as_at
  ),
  m AS (SELECT e.key, e.value::float8 AS v FROM pg_catalog.jsonb_each_text(model) e)
  SELECT f.*, t.base_rate, t.amount_factor, t.partner_factor, t.line_factor,
         least(t.base_rate * t.amount_factor * t.partner_factor * t.line_factor, 1)
  FROM f
  LEFT JOIN m mc ON mc.key = 'cell:' || f.stage || '|' || f.age_band || '|' || f.close_band || '|' || f.horizon
  LEFT JOIN m ms ON ms.key = 'stage:' || f.stage
  LEFT JOIN m ma ON ma.key = 'amount:' || f.amount_band
  LEFT JOIN m mp ON mp.key = 'partner:' || f.partner_band
  LEFT JOIN m ml ON ml.key = 'line:' || f.product_line
  CROSS JOIN LATERAL channel.forecast_terms(mc.v, ms.v, f.stage, ma.v, mp.v, ml.v) t
$$;
COMMENT ON FUNCTION channel.forecast_snapshot(timestamptz[], jsonb) IS
  'The registrations open at each of the given moments, as they stood then, with the forecast features (stage, age, amount, partner record, expected close against the moment''s UTC quarter, months left) and whether each was won before the quarter ended; with a model (channel.forecast_model_json()), the terms of its probability of being won before then. Training examples and backtests are built from it.';

---------------------------------------------------------------- model
CREATE TABLE channel.forecast_model (
  term         text NOT NULL CONSTRAINT forecast_model_term CHECK (term IN ('stage', 'cell', 'amount', 'partner', 'line')),
  value        text NOT NULL,
  snapshots    bigint NOT NULL CHECK (snapshots >= 0),
  wins         bigint NOT NULL CHECK (wins >= 0),
  expected     float8,
  estimate     float8 NOT NULL CHECK (estimate >= 0),
  trained_at   timestamptz NOT NULL,
  PRIMARY KEY (term, value)
);
COMMENT ON TABLE channel.forecast_model IS
  'The close-probability model of channel.forecast(), written by channel.train_forecast(): per term and value, the training snapshots, their wins and the estimate (a rate for stage and cell, a factor for amount, partner and line). No partner''s rows: partners appear only as bands of their win rate.';
COMMENT ON COLUMN channel.forecast_model.term IS
  'stage: rate per stage; cell: rate per stage|age band|close band|months left (smoothed towards the stage''s rate); amount, partner, line: factors.';
COMMENT ON COLUMN channel.forecast_model.value IS 'The value or band (for a cell, its four parts joined by |).';
COMMENT ON COLUMN channel.forecast_model.snapshots IS 'Training snapshots with that value.';
COMMENT ON COLUMN channel.forecast_model.wins IS 'Of those, how many were won before the end of their quarter.';
COMMENT ON COLUMN channel.forecast_model.expected IS 'For a factor: the wins the preceding terms expected for those snapshots; NULL for rates.';
COMMENT ON COLUMN channel.forecast_model.estimate IS
  'Rate: (wins + 20 x parent rate) / (snapshots + 20). Factor: (wins + 20) / (expected + 20), 1 meaning no effect.';
COMMENT ON COLUMN channel.forecast_model.trained_at IS 'When channel.train_forecast() wrote it.';
SELECT pg_catalog.pg_extension_config_dump('channel.forecast_model', '');
-- Counts over every partner's registrations, none of one partner's rows
-- (partners appear only as bands of their win rate): written by
-- train_forecast() and read through the forecast functions (SECURITY
-- DEFINER); channel managers and analysts may read it too (40_security.sql),
-- partners may not.  Row-level security is on and forced like on every
-- other non-reference table, with one policy letting through whoever holds
-- the table privileges (as for channel.win_model).
ALTER TABLE channel.forecast_model ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.forecast_model FORCE ROW LEVEL SECURITY;
CREATE POLICY forecast_model_privileged ON channel.forecast_model FOR ALL USING (true) WITH CHECK (true);
COMMENT ON POLICY forecast_model_privileged ON channel.forecast_model IS
  'No partner rows here: table privileges decide access (SELECT for channel_admin and channel_analyst); use channel.forecast() and channel.train_forecast().';

-- Fits the model on the snapshots in pg_temp.forecast_training (made by
-- the callers from channel.forecast_snapshot) and returns its rows.
CREATE FUNCTION channel.forecast_fit()
RETURNS TABLE (term text, value text, snapshots bigint, wins bigint, expected float8, estimate float8)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  k constant float8 := 20;   -- smoothing: as many pseudo-snapshots as this
BEGIN
  CREATE TEMP TABLE forecast_fit_rows ON COMMIT DROP AS
  SELECT t.stage, t.stage || '|' || t.age_band || '|' || t.close_band || '|' || t.horizon AS cell,
         t.amount_band, t.partner_band, t.product_line::text AS line, t.won::int AS won,
         NULL::float8 AS p
  FROM pg_temp.forecast_training t;
  CREATE TEMP TABLE forecast_fit_model (term text, value text, snapshots bigint, wins bigint,
                                        expected float8, estimate float8) ON COMMIT DROP;
  INSERT INTO forecast_fit_model
  SELECT 'stage', r.stage, count(*), sum(r.won), NULL, (sum(r.won) + 1)::float8 / (count(*) + 2)
  FROM forecast_fit_rows r GROUP BY r.stage;
  INSERT INTO forecast_fit_model
  SELECT 'cell', r.cell, count(*), sum(r.won), NULL, (sum(r.won) + k * min(s.estimate)) / (count(*) + k)
  FROM forecast_fit_rows r JOIN forecast_fit_model s ON s.term = 'stage' AND s.value = r.stage
  GROUP BY r.cell;
  UPDATE forecast_fit_rows r SET p = m.estimate FROM forecast_fit_model m WHERE m.term = 'cell' AND m.value = r.cell;
  -- one factor after the other, each against what the terms before it expect
  INSERT INTO forecast_fit_model
  SELECT 'amount', r.amount_band, count(*), sum(r.won), sum(r.p), (sum(r.won) + k) / (sum(r.p) + k)
  FROM forecast_fit_rows r GROUP BY r.amount_band;
  UPDATE forecast_fit_rows r SET p = r.p * m.estimate FROM forecast_fit_model m
  WHERE m.term = 'amount' AND m.value = r.amount_band;
  INSERT INTO forecast_fit_model
  SELECT 'partner', r.partner_band, count(*), sum(r.won), sum(r.p), (sum(r.won) + k) / (sum(r.p) + k)
  FROM forecast_fit_rows r GROUP BY r.partner_band;
  UPDATE forecast_fit_rows r SET p = r.p * m.estimate FROM forecast_fit_model m
  WHERE m.term = 'partner' AND m.value = r.partner_band;
  INSERT INTO forecast_fit_model
  SELECT 'line', r.line, count(*), sum(r.won), sum(r.p), (sum(r.won) + k) / (sum(r.p) + k)
  FROM forecast_fit_rows r GROUP BY r.line;
  RETURN QUERY SELECT m.term, m.value, m.snapshots, m.wins, m.expected, m.estimate FROM forecast_fit_model m;
  DROP TABLE forecast_fit_rows;
  DROP TABLE forecast_fit_model;
END
$$;
COMMENT ON FUNCTION channel.forecast_fit() IS
  'Internal to channel.train_forecast() and channel.forecast_backtest(): fits the forecast model on the snapshots in the temporary table forecast_training and returns its rows.';

-- The training snapshots known at `known`: registrations open at each UTC
-- month start of the `months` months before it whose quarter ended by then.
CREATE FUNCTION channel.forecast_make_training(known timestamptz, months integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  n bigint;
BEGIN
  IF pg_catalog.to_regclass('pg_temp.forecast_training') IS NOT NULL THEN
    DROP TABLE pg_temp.forecast_training;
  END IF;
  CREATE TEMP TABLE forecast_training ON COMMIT DROP AS
  SELECT s.*
  FROM channel.forecast_snapshot(ARRAY(
         SELECT g.m FROM (
           SELECT g AT TIME ZONE 'UTC' AS m
           FROM pg_catalog.generate_series(pg_catalog.date_trunc('month', known AT TIME ZONE 'UTC') - pg_catalog.make_interval(months => months),
                                           known AT TIME ZONE 'UTC', interval '1 month') g) g
         -- only moments whose quarter had ended: their outcome is known
         WHERE (pg_catalog.date_trunc('quarter', g.m AT TIME ZONE 'UTC') + interval '3 months') AT TIME ZONE 'UTC' <= known)) s;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.forecast_make_training(timestamptz, integer) IS
  'Internal: fills the temporary table forecast_training with the snapshots at each UTC month start of the given number of months before known whose quarter had ended by known.';

CREATE FUNCTION channel.train_forecast(months integer DEFAULT 24)
RETURNS TABLE (term text, value text, snapshots bigint, wins bigint, estimate float8)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  t timestamptz := now();
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can train the forecast'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The calling role acts for a partner.',
            HINT = 'Run it as a channel administrator, or leave it to the scheduled job (channel.schedule_jobs()).';
  END IF;
  IF months IS NULL OR months < 3 OR months > 120 THEN
    RAISE EXCEPTION 'months must be between 3 and 120, got %', coalesce(months::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'The model learns from the registrations open at each month start of that many months of history.',
            HINT = 'The default is 24: SELECT * FROM channel.train_forecast();';
  END IF;
  PERFORM channel.forecast_make_training(t, months);
  DELETE FROM channel.forecast_model;
  INSERT INTO channel.forecast_model (term, value, snapshots, wins, expected, estimate, trained_at)
  SELECT f.term, f.value, f.snapshots, f.wins, f.expected, f.estimate, t FROM channel.forecast_fit() f;
  DROP TABLE pg_temp.forecast_training;
  RETURN QUERY SELECT m.term, m.value, m.snapshots, m.wins, m.estimate FROM channel.forecast_model m
               ORDER BY array_position(ARRAY['stage', 'cell', 'amount', 'partner', 'line'], m.term), m.value;
END
$$;
COMMENT ON FUNCTION channel.train_forecast(integer) IS
  'Vendor: retrains the close-probability model of channel.forecast() from the registrations open at each UTC month start of the last months months (default 24) whose quarter has ended, and returns it. Scheduled daily by channel.schedule_jobs().';

-- the daily retraining, a job of channel.schedule_jobs() (00_registry.sql)
INSERT INTO channel.job_definition (job_name, position, command, needs, default_schedule, purpose) VALUES
  ('channel-train-forecast', 341, 'SELECT count(*) FROM channel.train_forecast()', 'channel.train_forecast(integer)',
   '40 3 * * *', 'retrain the forecast''s close probabilities from the closed history');

---------------------------------------------------------------- scoring
-- The model as one jsonb object, 'term:value' -> estimate: the stored model
-- for forecasts, a backtest's own for each quarter it replays.
CREATE FUNCTION channel.forecast_model_json() RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, channel, pg_temp
RETURN (SELECT pg_catalog.jsonb_object_agg(m.term || ':' || m.value, m.estimate) FROM channel.forecast_model m);
COMMENT ON FUNCTION channel.forecast_model_json() IS
  'The stored forecast model as a jsonb object from ''term:value'' to its estimate; NULL when it has not been trained.';

-- The terms of a registration's probability from the model's estimates
-- for its values (NULL: not in the model): base rate (its cell's rate, else
-- its stage's; without a model, the fixed stage weight of
-- channel.pipeline_stage_weight()) and the amount, partner and line factors
-- (1 for a value the model has not seen).  The probability is their
-- product, capped at 1.
CREATE FUNCTION channel.forecast_terms(cell_rate float8, stage_rate float8, stage text,
                                       amount_factor float8, partner_factor float8, line_factor float8)
RETURNS TABLE (base_rate float8, amount_factor float8, partner_factor float8, line_factor float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(cell_rate, stage_rate, channel.pipeline_stage_weight(stage::channel.deal_status)),
         coalesce(amount_factor, 1), coalesce(partner_factor, 1), coalesce(line_factor, 1)
$$;
COMMENT ON FUNCTION channel.forecast_terms(float8, float8, text, float8, float8, float8) IS
  'The terms of a registration''s close probability from the model''s estimates for its values (NULL when the model lacks them): base rate (cell rate, else stage rate, else the fixed stage weight) and the amount, partner and line factors (else 1).';

-- The open registrations by expected close, with every column the
-- pipeline and the forecast read: an index-only scan of the quarter's open
-- registrations instead of a heap page visited for each of them.  Only open
-- registrations are in it, so a win or loss takes its entry out of the
-- index's reach and a closed registration never costs it anything.
CREATE INDEX deal_open_close_idx ON channel.deal (expected_close)
  INCLUDE (partner_id, product_line, amount, submitted_at, status, deal_id)
  WHERE status IN ('submitted', 'approved', 'conflict');
COMMENT ON INDEX channel.deal_open_close_idx IS
  'Pipeline and forecast: open registrations by expected close, covering what they read.';

-- The won registrations by close: the forecast's "already won this
-- quarter", an index-only scan of the quarter's wins instead of a
-- sequential scan of every registration.
CREATE INDEX deal_won_closed_idx ON channel.deal (closed_at)
  INCLUDE (partner_id, product_line, amount)
  WHERE status = 'won';
COMMENT ON INDEX channel.deal_won_closed_idx IS
  'Forecast: won registrations by close, covering what it sums.';

-- Per partner, its deals won and closed (won or lost) over the whole
-- rollup: the forecast's partner record, read in C by one scan of
-- channel.partner_win_record (src/win_record.c).  Granted to no one.
CREATE FUNCTION channel.partner_win_record()
RETURNS TABLE (partner_id bigint, wins bigint, closed bigint)
AS 'MODULE_PATHNAME', 'channel_partner_win_record'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp
ROWS 10000;
COMMENT ON FUNCTION channel.partner_win_record() IS
  'Per partner with a channel.partner_month row: its deals won and its deals won or lost, summed over every month (as of the last refresh). The forecast''s partner record; checks SELECT on the rollup.';
REVOKE ALL ON FUNCTION channel.partner_win_record() FROM PUBLIC;

-- Today's open registrations (submitted, approved, conflict) with their
-- features against the quarter ending at upto.  The partner's record is
-- read from channel.partner_month (as of the last refresh).
-- The rows of channel.forecast_open(), computed in C (src/forecast_open.c):
-- the same features as the SQL helpers above, with the moment's day, the
-- quarter's ends and the months left given once.  Granted to no one.
CREATE FUNCTION channel.forecast_open_rows(model jsonb, close_from date, close_before date, as_at timestamptz,
                                           as_at_day date, quarter_end date, next_quarter_end date, horizon integer)
RETURNS TABLE (deal_id bigint, partner_id bigint, product_line channel.product_code, amount numeric,
               expected_close date, status channel.deal_status, stage text, age_band text, amount_band text,
               partner_band text, close_band text, horizon integer,
               base_rate float8, amount_factor float8, partner_factor float8, line_factor float8, probability float8)
AS 'MODULE_PATHNAME', 'channel_forecast_open_rows'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp
ROWS 50000;
COMMENT ON FUNCTION channel.forecast_open_rows(jsonb, date, date, timestamptz, date, date, date, integer) IS
  'The open registrations expected to close from close_from and before close_before (NULL: unbounded) with their forecast features and probability under the model (NULL: the fixed stage weights), as at as_at (its UTC day as_at_day), against the quarter ending before quarter_end (the next ending before next_quarter_end) with horizon months left: the rows of channel.forecast_open(), computed in C.';
REVOKE ALL ON FUNCTION channel.forecast_open_rows(jsonb, date, date, timestamptz, date, date, date, integer) FROM PUBLIC;

CREATE FUNCTION channel.forecast_open(upto timestamptz, model jsonb, close_from date DEFAULT NULL, close_before date DEFAULT NULL)
RETURNS TABLE (deal_id bigint, partner_id bigint, product_line channel.product_code, amount numeric,
               expected_close date, status channel.deal_status, stage text, age_band text, amount_band text,
               partner_band text, close_band text, horizon integer,
               base_rate float8, amount_factor float8, partner_factor float8, line_factor float8, probability float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, channel, pg_temp
ROWS 50000
AS $$
  SELECT o.deal_id, o.partner_id, o.product_line, o.amount, o.expected_close, o.status, o.stage, o.age_band,
         o.amount_band, o.partner_band, o.close_band, o.horizon, o.base_rate, o.amount_factor, o.partner_factor,
         o.line_factor, o.probability
  FROM channel.forecast_open_rows(model, close_from, close_before, now(), (now() AT TIME ZONE 'UTC')::date,
                                  (upto AT TIME ZONE 'UTC')::date, ((upto AT TIME ZONE 'UTC') + interval '3 months')::date,
                                  channel.forecast_horizon(now(), upto)) o
$$;
COMMENT ON FUNCTION channel.forecast_open(timestamptz, jsonb, date, date) IS
  'Today''s open registrations (those expected to close from close_from and before close_before, when given) with the forecast features against the quarter ending at upto (the partner''s record from channel.partner_month, as of the last refresh) and the terms of their probability of being won before upto under the model (channel.forecast_model_json(); NULL: the fixed stage weights).';

-- The same registrations summed in C (src/forecast_open.c), for the
-- pipeline and the forecast (which pass the quarter's constants as
-- forecast_open() does, calling it directly: a SQL wrapper would
-- materialize its rows once more): per partner, line and (by_month) month of
-- expected close, the count, the amount, the expected amount (each amount
-- times its probability::numeric, exactly summed) and the stage-weighted
-- amount, with the amounts won in [won_from, won_before) in the same
-- groups, and (levels) per line and in total.  No row of a registration is
-- built: the 75,000 open ones of the bench are summed as they are read.
-- Granted to no one.
CREATE FUNCTION channel.forecast_totals(model jsonb, close_from date, close_before date, as_at timestamptz,
                                        as_at_day date, quarter_end date, next_quarter_end date, horizon integer,
                                        by_month boolean, levels boolean, won_from timestamptz, won_before timestamptz,
                                        only_partner bigint)
RETURNS TABLE (grouping_level integer, partner_id bigint, product_line channel.product_code, close_month date,
               open_deals integer, open_amount numeric, expected numeric, won numeric, staged numeric,
               ord bigint)
AS 'MODULE_PATHNAME', 'channel_forecast_totals'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp
ROWS 10000;
COMMENT ON FUNCTION channel.forecast_totals(jsonb, date, date, timestamptz, date, date, date, integer, boolean, boolean, timestamptz, timestamptz, bigint) IS
  'The open registrations of channel.forecast_open_rows() (of only_partner when not NULL) summed per partner, product line and, when by_month, month of expected close (grouping_level 0), and when levels per line (1) and in total (2): count, amount, expected amount (sum of amount times probability::numeric), the amounts won from won_from and before won_before (none when NULL), and the stage-weighted amount; exact numeric sums. Rows come in their callers'' order and ord numbers them: with levels (channel.forecast()) by level, product line (the database''s collation, no line last) and partner (direct sales last); without (channel.pipeline()) by partner (direct sales last), product line and month of close.';
REVOKE ALL ON FUNCTION channel.forecast_totals(jsonb, date, date, timestamptz, date, date, date, integer, boolean, boolean, timestamptz, timestamptz, bigint) FROM PUBLIC;

---------------------------------------------------------------- forecast
-- The forecast is of the current quarter: the UTC one, or the one of the
-- session's current_date (they differ for a few hours around a quarter's
-- turn, when current_date, the default, is still in the last quarter).
CREATE FUNCTION channel.forecast_quarter_check(quarter date) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  PERFORM channel.bi_check(quarter IS NOT NULL
                           AND pg_catalog.date_trunc('quarter', quarter::timestamp)
                               IN (pg_catalog.date_trunc('quarter', now() AT TIME ZONE 'UTC'),
                                   pg_catalog.date_trunc('quarter', current_date::timestamp)),
    format('the forecast is for the current quarter; %s is not in it', coalesce(quarter::text, 'NULL')),
    'It weighs today''s open registrations by their chance of being won before the end of this quarter.',
    'Omit the date for the current quarter; channel.forecast_backtest(quarters) replays past quarters.');
END
$$;
COMMENT ON FUNCTION channel.forecast_quarter_check(date) IS
  'Raises invalid_parameter_value unless the date lies in the current calendar quarter (UTC, or that of the session''s current_date).';

CREATE FUNCTION channel.forecast_deals(quarter date DEFAULT current_date)
RETURNS TABLE (deal_id bigint, partner_id bigint, product_line channel.product_code, amount numeric,
               expected_close date, stage text, age_band text, amount_band text, partner_band text,
               close_band text, months_left integer, base_rate float8, amount_factor float8,
               partner_factor float8, line_factor float8, probability float8, expected_amount numeric,
               stage_weight float8, model text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  me bigint := channel.current_partner();
  model jsonb := channel.forecast_model_json();
  upto timestamptz;
BEGIN
  PERFORM channel.forecast_quarter_check(quarter);
  upto := (pg_catalog.date_trunc('quarter', quarter::timestamp) + interval '3 months') AT TIME ZONE 'UTC';
  RETURN QUERY
  SELECT o.deal_id, o.partner_id, o.product_line, o.amount, o.expected_close, o.stage, o.age_band, o.amount_band,
         o.partner_band, o.close_band, o.horizon, o.base_rate, o.amount_factor, o.partner_factor, o.line_factor,
         o.probability, round(o.amount * o.probability::numeric, 2),
         channel.pipeline_stage_weight(o.status),
         CASE WHEN model IS NULL THEN 'stage weights (not trained)' ELSE 'learned' END
  FROM channel.forecast_open(upto, model) o
  WHERE me IS NULL OR o.partner_id = me
  ORDER BY o.deal_id;
END
$$;
COMMENT ON FUNCTION channel.forecast_deals(date) IS
  'Explains the forecast of the current quarter: every open registration with its features, the terms of its probability of being won before the quarter ends (base rate x amount, partner and line factors, capped at 1), the expected amount and, for comparison, the fixed stage weight. See doc/forecast.md.';

CREATE FUNCTION channel.forecast(quarter date DEFAULT current_date)
RETURNS TABLE (level text, partner_id bigint, partner_name text, product_line channel.product_code,
               open_deals integer, open_amount numeric, expected_from_open numeric, won_so_far numeric,
               expected_won numeric, stage_weighted numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  me bigint := channel.current_partner();
  model jsonb := channel.forecast_model_json();
  q_start timestamptz;
  upto timestamptz;
BEGIN
  PERFORM channel.forecast_quarter_check(quarter);
  q_start := pg_catalog.date_trunc('quarter', quarter::timestamp) AT TIME ZONE 'UTC';
  upto := (pg_catalog.date_trunc('quarter', quarter::timestamp) + interval '3 months') AT TIME ZONE 'UTC';
  -- summed in C as the registrations are read (channel.forecast_totals):
  -- the same sums as SQL's grouping sets over the open registrations and
  -- the quarter's wins (sql/33_bi_speed compares them)
  RETURN QUERY
  SELECT CASE g.grouping_level WHEN 0 THEN 'partner and line' WHEN 1 THEN 'line' ELSE 'total' END,
         g.partner_id, p.name, g.product_line, g.open_deals, g.open_amount, round(g.expected, 2), g.won,
         g.won + round(g.expected, 2), round(g.staged, 2)
  FROM channel.forecast_totals(model, NULL, NULL, now(), (now() AT TIME ZONE 'UTC')::date, (upto AT TIME ZONE 'UTC')::date,
                               ((upto AT TIME ZONE 'UTC') + interval '3 months')::date, channel.forecast_horizon(now(), upto),
                               false, true, q_start, upto, me) g
  LEFT JOIN channel.partner p ON g.grouping_level = 0 AND p.partner_id = g.partner_id
  -- ord: the order of grouping_level, product_line, partner_id NULLS LAST,
  -- numbered by forecast_totals, which writes its rows so
  ORDER BY g.ord;
END
$$;
COMMENT ON FUNCTION channel.forecast(date) IS
  'Forecast of the won revenue of the current quarter, per partner (NULL = direct sales) and product line, per line and in total (level): the open registrations, their value, the value expected to be won before the quarter ends (each weighted by its learned close probability, channel.forecast_deals() explains them), what is already won this quarter, their sum, and the same open value weighted by the fixed stage weights. A partner caller gets only its own rows. See doc/forecast.md.';

---------------------------------------------------------------- backtest
CREATE FUNCTION channel.forecast_backtest(quarters integer DEFAULT 4, months integer DEFAULT 24)
RETURNS TABLE (quarter date, product_line channel.product_code, open_deals integer, forecast numeric,
               stage_weighted numeric, actual numeric, forecast_error float8, stage_error float8)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  q date;
  s timestamptz;
  model jsonb;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can backtest the forecast'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The calling role acts for a partner.',
            HINT = 'Run it as a channel administrator or analyst.';
  END IF;
  PERFORM channel.bi_check(quarters BETWEEN 1 AND 40,
    format('quarters must be between 1 and 40, got %s', coalesce(quarters::text, 'NULL')),
    'The backtest replays that many past quarters, the last one ending when the current quarter began.',
    'SELECT * FROM channel.forecast_backtest(4);');
  PERFORM channel.bi_check(months BETWEEN 3 AND 120,
    format('months must be between 3 and 120, got %s', coalesce(months::text, 'NULL')),
    'Each replayed quarter is forecast by a model trained on that many months before it.',
    'The default is 24, as for channel.train_forecast().');
  CREATE TEMP TABLE forecast_backtest_rows (quarter date, product_line text, n integer, forecast numeric,
                                            staged numeric, actual numeric) ON COMMIT DROP;
  FOR q IN SELECT g::date FROM pg_catalog.generate_series(
             pg_catalog.date_trunc('quarter', now() AT TIME ZONE 'UTC') - pg_catalog.make_interval(months => 3 * quarters),
             pg_catalog.date_trunc('quarter', now() AT TIME ZONE 'UTC') - interval '3 months', interval '3 months') g
  LOOP
    s := q::timestamp AT TIME ZONE 'UTC';
    -- the model as it would have been trained at the start of the quarter
    PERFORM channel.forecast_make_training(s, months);
    SELECT pg_catalog.jsonb_object_agg(f.term || ':' || f.value, f.estimate) INTO model FROM channel.forecast_fit() f;
    DROP TABLE pg_temp.forecast_training;
    INSERT INTO forecast_backtest_rows
    SELECT q, x.product_line, count(*)::int,
           sum(x.amount * x.probability::numeric),
           sum(x.amount * channel.pipeline_stage_weight(x.stage::channel.deal_status)::numeric),
           coalesce(sum(x.amount) FILTER (WHERE x.won), 0)
    FROM channel.forecast_snapshot(ARRAY[s], model) x
    GROUP BY x.product_line;
  END LOOP;
  RETURN QUERY
  WITH per AS (
    -- per quarter and line, and per quarter over all lines
    SELECT r.quarter, r.product_line, sum(r.n)::int AS n, sum(r.forecast) AS f, sum(r.staged) AS st,
           sum(r.actual) AS a, GROUPING(r.product_line) AS all_lines
    FROM forecast_backtest_rows r
    GROUP BY GROUPING SETS ((r.quarter, r.product_line), (r.quarter))
  )
  SELECT p.quarter, p.product_line::channel.product_code, p.n, round(p.f, 2), round(p.st, 2), p.a,
         ((p.f - p.a) / nullif(p.a, 0))::float8, ((p.st - p.a) / nullif(p.a, 0))::float8
  FROM per p
  ORDER BY p.quarter, p.all_lines, p.product_line;
  DROP TABLE forecast_backtest_rows;
END
$$;
COMMENT ON FUNCTION channel.forecast_backtest(integer, integer) IS
  'Replays the forecast for each of the last quarters before the current one as it would have been made at the quarter''s start (model trained on the months before it only, registrations as they stood then) and compares it with what those registrations won in the quarter: per quarter and line (product_line NULL: all lines), forecast, fixed-stage-weight forecast, actual, and their relative errors ((forecast - actual) / actual). channel.forecast_accuracy() sums it up as MAPE and bias. Vendor only.';

CREATE FUNCTION channel.forecast_accuracy(quarters integer DEFAULT 4, months integer DEFAULT 24)
RETURNS TABLE (product_line channel.product_code, quarters_replayed integer, forecast_mape float8, forecast_bias float8,
               stage_mape float8, stage_bias float8)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
  SELECT b.product_line, count(*)::int,
         avg(abs(b.forecast_error)), (sum(b.forecast) - sum(b.actual)) / nullif(sum(b.actual), 0),
         avg(abs(b.stage_error)), (sum(b.stage_weighted) - sum(b.actual)) / nullif(sum(b.actual), 0)
  FROM channel.forecast_backtest(quarters, months) b
  GROUP BY b.product_line
  ORDER BY b.product_line NULLS LAST
$$;
COMMENT ON FUNCTION channel.forecast_accuracy(integer, integer) IS
  'The backtest (channel.forecast_backtest) summed up per product line and overall (NULL): mean absolute percentage error and bias ((sum forecast - sum actual) / sum actual) of the learned forecast, beside the same for the fixed stage weights. Vendor only.';
