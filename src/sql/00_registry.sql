-- 00_registry.sql: the registries every module adds its own rows to.
--
-- Which functions each role may run, and which periodic jobs exist, used to
-- be literal lists inside one function each (channel.role_functions() and
-- channel.job_catalog()), which every new module had to edit and every
-- upgrade had to re-create whole.  They are rows now: a module's install
-- piece inserts the names of its own functions and jobs next to their
-- definitions, and an upgrade that adds a module ships only that module's
-- piece.  The tables belong to the extension and are filled by its scripts
-- only, so pg_dump leaves their rows out (CREATE EXTENSION makes them again).

-- The functions, by name (every overload), that a role other than
-- channel_admin may execute.  src/sql/99_privileges.sql grants exactly these,
-- sql/40_roles.sql checks the grants equal the rows.
CREATE TABLE channel.role_routine (
  role_name    name NOT NULL,
  routine_name name NOT NULL,
  PRIMARY KEY (role_name, routine_name)
);
COMMENT ON TABLE channel.role_routine IS
  'The channel functions (by name, every overload) each role other than channel_admin may execute; each module''s install piece adds its own rows, the last piece grants exactly these.';
COMMENT ON COLUMN channel.role_routine.role_name IS 'The role granted EXECUTE, e.g. channel_partner or channel_analyst.';
COMMENT ON COLUMN channel.role_routine.routine_name IS 'A function of schema channel, by name: every overload is granted.';

-- The periodic jobs channel.schedule_jobs() registers with pg_cron.
CREATE TABLE channel.job_definition (
  job_name         text PRIMARY KEY CHECK (job_name ~ '^channel-[a-z0-9-]+$'),
  position         integer NOT NULL UNIQUE,
  command          text NOT NULL,
  needs            text NOT NULL,
  default_schedule text NOT NULL,
  purpose          text NOT NULL
);
COMMENT ON TABLE channel.job_definition IS
  'The channel''s periodic jobs, one row per pg_cron job; each module''s install piece adds its own; channel.job_catalog() and channel.schedule_jobs() read them in position order.';
COMMENT ON COLUMN channel.job_definition.job_name IS 'The pg_cron job name (channel-...).';
COMMENT ON COLUMN channel.job_definition.position IS 'Order of the jobs in channel.job_catalog(); the first three are the ones channel.schedule_jobs() takes schedules for as arguments. By convention the install piece''s number times ten plus n.';
COMMENT ON COLUMN channel.job_definition.command IS 'The statement pg_cron runs.';
COMMENT ON COLUMN channel.job_definition.needs IS 'The function (regprocedure text) that must be installed for the job to be scheduled.';
COMMENT ON COLUMN channel.job_definition.default_schedule IS 'The cron schedule used unless channel.schedule_jobs() is given another.';
COMMENT ON COLUMN channel.job_definition.purpose IS 'What the job is for, shown by channel.schedule_jobs().';
