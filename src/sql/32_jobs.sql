-- 32_jobs.sql: the channel's periodic jobs, scheduled through pg_cron.
--
-- pg_cron is optional: it is reached with dynamic SQL only, so channel
-- installs without it.  Its jobs run in the database its extension lives in
-- (cron.database_name), so channel.schedule_jobs() works where both
-- extensions are installed in the same database; anywhere else it raises an
-- error whose hint gives the plain statements to schedule instead.
--
-- A job is registered only when the function it calls exists when
-- schedule_jobs() runs (recall_overdue_leads comes with the lead-routing
-- module, expire_deals with deal registration); the others are listed as
-- not scheduled, and calling schedule_jobs() again once they are installed
-- adds them.  This keeps pg_cron from failing every few minutes on a
-- function that is not there.  Registering is idempotent: pg_cron updates a
-- job of the same name, so calling it again changes the cadences.

-- The jobs: name, what they run, the function that must exist.
CREATE FUNCTION channel.job_catalog()
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

-- Raises the "no pg_cron here" error, with the statements to run instead.
CREATE FUNCTION channel.jobs_require_pg_cron(schedules text[], unscheduling boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  cron_db text := pg_catalog.current_setting('cron.database_name', true);
  plain   text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    RETURN;
  END IF;
  IF unscheduling THEN
    RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = CASE WHEN cron_db IS NULL THEN 'pg_cron is not loaded in this cluster, so no job of channel''s is scheduled through it.'
                          ELSE pg_catalog.format('pg_cron runs its jobs from database %s (cron.database_name).', cron_db) END,
            HINT = CASE WHEN cron_db IS NULL THEN 'Remove the channel''s entries from whatever scheduler runs them.'
                        ELSE pg_catalog.format('Remove them from database %s: SELECT cron.unschedule(jobid) FROM cron.job WHERE database = %L AND jobname IN (%s);',
                                               cron_db, pg_catalog.current_database(),
                                               (SELECT string_agg(pg_catalog.quote_literal(c.job_name), ', ') FROM channel.job_catalog() c)) END;
  END IF;
  IF cron_db IS NOT NULL AND cron_db <> pg_catalog.current_database() THEN
    SELECT string_agg(pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                                        j.job_name, s.schedule, j.command, pg_catalog.current_database()), ' ')
    INTO plain
    FROM channel.job_catalog() WITH ORDINALITY AS j(job_name, command, needs, default_schedule, purpose, ord)
    JOIN LATERAL (SELECT coalesce(schedules[j.ord], j.default_schedule) AS schedule) s ON true;
    RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('pg_cron runs its jobs from database %s (cron.database_name); channel.schedule_jobs() only works in that database.', cron_db),
            HINT = 'Schedule the jobs from database ' || cron_db || ': ' || plain;
  END IF;
  SELECT string_agg(pg_catalog.format('"%s" %s', s.schedule, j.command), '; ')
  INTO plain
  FROM channel.job_catalog() WITH ORDINALITY AS j(job_name, command, needs, default_schedule, purpose, ord)
  JOIN LATERAL (SELECT coalesce(schedules[j.ord], j.default_schedule) AS schedule) s ON true;
  RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = 'channel.schedule_jobs() registers the channel''s jobs with the pg_cron extension.',
          HINT = 'Install pg_cron (shared_preload_libraries = ''pg_cron'', cron.database_name = '''
                 || pg_catalog.current_database() || ''', then CREATE EXTENSION pg_cron), or run these from any scheduler with psql -d '
                 || pg_catalog.current_database() || ' -c, at the cron schedules shown: ' || plain;
END
$$;
COMMENT ON FUNCTION channel.jobs_require_pg_cron(text[], boolean) IS
  'Raises object_not_in_prerequisite_state, with the statements to schedule (or, when unscheduling, to unschedule) by hand, unless pg_cron is installed in the current database.';

CREATE FUNCTION channel.schedule_jobs(refresh_schedule text DEFAULT '*/15 * * * *',
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

CREATE FUNCTION channel.unschedule_jobs()
RETURNS TABLE (job_name text, jobid bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  j record;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can unschedule the channel''s jobs'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The calling role acts for a partner.',
            HINT = 'Run it as a channel administrator.';
  END IF;
  PERFORM channel.jobs_require_pg_cron(NULL, true);
  FOR j IN EXECUTE 'SELECT k.jobname::text AS job_name, k.jobid FROM cron.job k
                    WHERE k.jobname = ANY ($1) AND k.database = pg_catalog.current_database() ORDER BY k.jobid'
           USING ARRAY(SELECT c.job_name FROM channel.job_catalog() c)
  LOOP
    EXECUTE 'SELECT cron.unschedule($1)' USING j.jobid;
    job_name := j.job_name;
    jobid := j.jobid;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION channel.unschedule_jobs() IS
  'Removes the channel''s pg_cron jobs of this database (those channel.schedule_jobs() registers) and lists what it removed. Without pg_cron raises object_not_in_prerequisite_state. Vendor only.';
