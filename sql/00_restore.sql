-- 00_restore: channel.restoring() -- which sessions are taken for the replay
-- of a dump, and what the triggers skip in one (backups: doc/scaling.md;
-- every table compared after real restores: test/sh/backup_restore.sh).
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT channel.restoring() AS ordinary_session;
SET check_function_bodies = off;
SELECT channel.restoring() AS check_function_bodies_off_only;
SET row_security = off;
SELECT channel.restoring() AS both_off_as_superuser;
RESET check_function_bodies;
RESET row_security;
SET session_replication_role = replica;
SELECT channel.restoring() AS replica;
RESET session_replication_role;

-- a partner's login may set both, and is still no restore
CREATE ROLE regress_restore_partner IN ROLE channel_partner;
SET SESSION AUTHORIZATION regress_restore_partner;
SET check_function_bodies = off;
SET row_security = off;
SELECT channel.restoring() AS both_off_as_partner;
RESET row_security;
RESET check_function_bodies;
RESET SESSION AUTHORIZATION;
DROP ROLE regress_restore_partner;

-- in a restore session a lead comes in as it was dumped: no history row,
-- no change-feed event, no rollup queue entry, no score
BEGIN;
INSERT INTO channel.product_line (code, name) VALUES ('RESTORE_PL', 'Restore test line');
INSERT INTO channel.partner (partner_id, name, status, country, region)
VALUES (9901, 'Restore Test Partner', 'active', 'FR', NULL);
SET LOCAL check_function_bodies = off;
SET LOCAL row_security = off;
INSERT INTO channel.lead (lead_id, company, country, region, product_line, status, partner_id,
                          routed_at, accept_by, score, created_at)
VALUES (9901, 'Restored Lead', 'FR', 'EMEA', 'RESTORE_PL', 'routed', 9901,
        now() - interval '2 days', now() - interval '1 day', NULL, now() - interval '3 days');
SELECT (SELECT count(*) FROM channel.lead_event WHERE lead_id = 9901) AS lead_events,
       (SELECT count(*) FROM channel.change_event WHERE entity = 'lead' AND entity_id = 9901) AS feed_events,
       (SELECT count(*) FROM channel.partner_month_dirty WHERE partner_id = 9901) AS queued,
       (SELECT score IS NULL FROM channel.lead WHERE lead_id = 9901) AS unscored_as_given;
-- the same rows from an ordinary session go through every trigger
RESET check_function_bodies;
RESET row_security;
INSERT INTO channel.lead (lead_id, company, country, region, product_line, status, partner_id,
                          routed_at, accept_by, score, created_at)
VALUES (9902, 'Live Lead', 'FR', NULL, 'RESTORE_PL', 'routed', 9901,
        now() - interval '2 days', now() - interval '1 day', NULL, now() - interval '3 days');
SELECT (SELECT count(*) FROM channel.lead_event WHERE lead_id = 9902) AS lead_events,
       (SELECT count(*) FROM channel.change_event WHERE entity = 'lead' AND entity_id = 9902) AS feed_events,
       (SELECT count(*) > 0 FROM channel.partner_month_dirty WHERE partner_id = 9901) AS queued,
       (SELECT score IS NOT NULL AND region IS NOT NULL FROM channel.lead WHERE lead_id = 9902) AS scored_and_placed;
ROLLBACK;
