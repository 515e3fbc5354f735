-- 99_privileges.sql: the last piece, run by the install and every upgrade
-- script alike, so that the function privileges are the same however the
-- extension got to this version.
--
-- Nothing runs for PUBLIC; channel_admin runs everything except acting for
-- a partner (channel.set_portal_partner is the portal's); every other role
-- runs exactly the functions channel.role_routine lists for it, which each
-- module's piece filled next to its functions (00_registry.sql).
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA channel FROM PUBLIC;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA channel TO channel_admin;
REVOKE EXECUTE ON FUNCTION channel.set_portal_partner(bigint) FROM channel_admin;

DO $registry$
DECLARE
  g record;
BEGIN
  -- a name in the registry that matches no function is a mistake of the
  -- piece that added it: fail the install rather than grant less than meant
  FOR g IN SELECT r.role_name, r.routine_name FROM channel.role_routine r
           WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                             WHERE p.pronamespace = 'channel'::regnamespace AND p.proname = r.routine_name)
  LOOP
    RAISE EXCEPTION 'channel.role_routine lists channel.% for role %, but no such function exists', g.routine_name, g.role_name
      USING ERRCODE = 'undefined_function',
            HINT = 'Correct the name in the install piece that inserts it, or create the function before it.';
  END LOOP;
  FOR g IN SELECT r.role_name, p.oid::regprocedure AS fn
           FROM channel.role_routine r
           JOIN pg_catalog.pg_proc p ON p.pronamespace = 'channel'::regnamespace AND p.proname = r.routine_name
           ORDER BY 1, 2
  LOOP
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', g.fn, g.role_name);
  END LOOP;
END
$registry$;

GRANT SELECT ON channel.role_routine, channel.job_definition TO channel_admin;
