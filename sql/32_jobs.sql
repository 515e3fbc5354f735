-- 32_jobs: scheduling the channel's jobs.  pg_cron can only be installed in
-- the database named by cron.database_name, never in the regression
-- database, so this checks what happens without it; test/sh/cron_jobs.sh
-- checks the jobs get registered and run.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- the jobs, and whether their functions are installed (the refresh is
-- this module's; recall and expiry come with the leads and deals modules)
SELECT job_name, command, default_schedule, purpose, needs IS NOT NULL AS needs_installed
FROM channel.job_catalog() WHERE job_name = 'channel-refresh-rollups';
SELECT job_name, command, default_schedule FROM channel.job_catalog();

-- without pg_cron in this database: a clear error, whose hint gives the
-- statements to run in the pg_cron database instead (with the schedules asked for)
SELECT current_setting('cron.database_name') <> current_database() AS cron_lives_elsewhere;
SELECT * FROM channel.schedule_jobs('*/5 * * * *');
SELECT * FROM channel.unschedule_jobs();

-- bad schedules are refused before anything else
SELECT * FROM channel.schedule_jobs(NULL);
SELECT * FROM channel.schedule_jobs(expire_schedule => ' ');

-- vendor only
BEGIN;
INSERT INTO channel.partner (partner_id, name, status, country) VALUES (1, 'Alpha Systemhaus GmbH', 'active', 'DE');
SELECT count(*) AS acting_for_partner_1 FROM channel.set_portal_partner(1);
SELECT * FROM channel.schedule_jobs();
ROLLBACK;
BEGIN;
INSERT INTO channel.partner (partner_id, name, status, country) VALUES (1, 'Alpha Systemhaus GmbH', 'active', 'DE');
SELECT count(*) AS acting_for_partner_1 FROM channel.set_portal_partner(1);
SELECT * FROM channel.unschedule_jobs();
ROLLBACK;
