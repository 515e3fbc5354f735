-- 0.2.0: the jobs are rows of channel.job_definition (00_registry.sql), the
-- core three inserted here, later modules' by their own pieces (escalations:
-- 72_notifications.sql, the change feed's purge: 71_change_feed.sql,
-- programme tiers: 51_tiers.sql, ...); channel.schedule_jobs() registers every
-- one, the later ones at their default schedules (src/sql/32_jobs.sql).
CREATE OR REPLACE FUNCTION channel.job_catalog()
RETURNS TABLE (job_name text, command text, needs regprocedure, default_schedule text, purpose text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT j.job_name, j.command, pg_catalog.to_regprocedure(j.needs), j.default_schedule, j.purpose
  FROM channel.job_definition j
  ORDER BY j.position
$$;
COMMENT ON FUNCTION channel.job_catalog() IS
  'The channel''s periodic jobs: pg_cron job name, the statement it runs, the function that must be installed (NULL when it is not), the default cron schedule and what it is for.';

CREATE OR REPLACE FUNCTION channel.schedule_jobs(refresh_schedule text DEFAULT '*/15 * * * *',
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
    -- jobs without an argument of their own run at their default schedule
    schedule := coalesce(schedules[j.ord], j.default_schedule);
    command := j.command;
    IF j.needs IS NULL THEN
      jobid := NULL;
      note := 'not scheduled: ' || coalesce(substring(j.command FROM 'channel\.[a-z_]+'), j.command) || '() is not installed; call channel.schedule_jobs() again once it is';
    ELSE
      BEGIN
        EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO id USING j.job_name, schedule, j.command;
      EXCEPTION WHEN invalid_parameter_value OR internal_error THEN
        RAISE EXCEPTION 'invalid schedule % for job %', pg_catalog.quote_literal(schedule), j.job_name
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
  'Registers the channel''s periodic jobs (channel.job_catalog(), one row each in channel.job_definition) with pg_cron (installed in this database): channel-refresh-rollups (default every 15 minutes), channel-recall-leads (every 5 minutes) and channel-expire-deals (hourly at :07) take their cron schedules as arguments; every other job runs at its default schedule. A job whose function is not installed is listed as not scheduled. Idempotent. Without pg_cron raises object_not_in_prerequisite_state with the statements to schedule by hand. Vendor only.';
