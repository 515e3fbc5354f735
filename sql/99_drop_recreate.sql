-- 99_drop_recreate: the extension drops cleanly (leaving nothing behind in
-- its schema) and comes back identical.  Runs last.
--
-- The schema itself stays: PostgreSQL creates the control file's schema
-- before the script runs, outside the extension, so DROP EXTENSION leaves it
-- (empty); CREATE EXTENSION reuses it.
CREATE TEMP TABLE members_before AS
SELECT pg_describe_object(classid, objid, objsubid) AS member
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'channel');

DROP EXTENSION channel;
SELECT count(*) AS objects_left_in_schema
FROM (SELECT oid FROM pg_class WHERE relnamespace = 'channel'::regnamespace
      UNION ALL SELECT oid FROM pg_proc WHERE pronamespace = 'channel'::regnamespace
      UNION ALL SELECT oid FROM pg_type WHERE typnamespace = 'channel'::regnamespace) o;
SELECT count(*) AS types_left FROM pg_type WHERE typname IN ('partner_tier', 'lead_status', 'deal_status');

CREATE EXTENSION channel CASCADE;
SELECT e.extversion = a.default_version AS default_version_installed
FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname = 'channel';

-- same members, nothing missing, nothing extra
SELECT member AS missing FROM members_before
EXCEPT
SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'channel');
SELECT count(*) >= 30 AS has_members FROM members_before;

-- and it works: a small demo loads into the fresh copy
BEGIN;
SELECT item, how_many FROM channel.generate_demo(200, 500, 3, '2026-01-15') WHERE item IN ('partners', 'leads');
ROLLBACK;
