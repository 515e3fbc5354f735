-- The partner portal: one application login, each transaction one partner
--
-- The portal application logs in as one role (a member of channel_portal)
-- and says, at the start of each transaction, which partner it serves; the
-- database then shows and lets it change that partner's rows only.  Here the
-- demo plays the application with SET ROLE.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'demo_portal_app') THEN
    CREATE ROLE demo_portal_app LOGIN;
    GRANT channel_portal TO demo_portal_app;
  END IF;
END
$$;
RESET client_min_messages;

-- two busy partners of the same country, to compare what each one sees
SELECT ids[1] AS busiest, ids[2] AS second
FROM (SELECT array_agg(partner_id ORDER BY n DESC, partner_id) AS ids
      FROM (SELECT d.partner_id, count(*) AS n
            FROM channel.deal d JOIN channel.partner p USING (partner_id)
            WHERE p.status = 'active' AND p.country = 'FR'
            GROUP BY d.partner_id) per_partner) t \gset

\echo 'What the vendor sees, and what each of two French partners sees through the portal (leads: its own and the pool leads it may claim)'
SELECT 'vendor' AS viewer,
       (SELECT count(*) FROM channel.partner) AS partners,
       (SELECT count(*) FROM channel.lead) AS leads,
       (SELECT count(*) FROM channel.deal) AS deals,
       (SELECT count(*) FROM channel.partner_contact) AS contacts;

BEGIN;
SET LOCAL ROLE demo_portal_app;
SELECT channel.set_portal_partner(:busiest) \gset ignored_
SELECT 'partner ' || channel.current_partner() AS viewer,
       (SELECT count(*) FROM channel.partner) AS partners,
       (SELECT count(*) FROM channel.lead) AS leads,
       (SELECT count(*) FROM channel.deal) AS deals,
       (SELECT count(*) FROM channel.partner_contact) AS contacts;
COMMIT;

BEGIN;
SET LOCAL ROLE demo_portal_app;
SELECT channel.set_portal_partner(:second) \gset ignored_
SELECT 'partner ' || channel.current_partner() AS viewer,
       (SELECT count(*) FROM channel.partner) AS partners,
       (SELECT count(*) FROM channel.lead) AS leads,
       (SELECT count(*) FROM channel.deal) AS deals,
       (SELECT count(*) FROM channel.partner_contact) AS contacts;

\echo 'The same partner trying to read, move or forge another partner''s rows:'
\set ON_ERROR_STOP 0
SAVEPOINT attempt;
SELECT count(*) AS other_partners_deals_visible FROM channel.deal WHERE partner_id = :busiest;
UPDATE channel.deal SET partner_id = :second WHERE partner_id = :busiest;
ROLLBACK TO attempt;
SELECT channel.set_portal_partner(:busiest);
ROLLBACK TO attempt;
UPDATE channel.deal SET status = 'approved' WHERE partner_id = :second;
ROLLBACK;
\set ON_ERROR_STOP 1
