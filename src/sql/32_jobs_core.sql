-- 32_jobs_core.sql: the core modules' rows of channel.job_definition
-- (00_registry.sql); later modules add theirs next to their functions, and
-- channel.job_catalog() (32_jobs.sql) lists them all in position order.
INSERT INTO channel.job_definition (job_name, position, command, needs, default_schedule, purpose) VALUES
  ('channel-refresh-rollups', 1, 'CALL channel.refresh_rollups()', 'channel.refresh_dirty_rollups()', '*/15 * * * *',
   'recompute the partner-months changed since the last run'),
  ('channel-recall-leads', 2, 'SELECT channel.recall_overdue_leads()', 'channel.recall_overdue_leads()', '*/5 * * * *',
   'take back routed leads whose acceptance deadline has passed'),
  ('channel-expire-deals', 3, 'SELECT channel.expire_deals()', 'channel.expire_deals()', '7 * * * *',
   'expire registrations whose protection has ended');
