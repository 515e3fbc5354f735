-- 0.2.0 (issue 27): the functions new in 0.2.0 run for no one by default
-- (as 40_security.sql's blanket REVOKE makes them on a fresh install);
-- partners need has_letter_or_digit, which the CHECKs on their own
-- writes call.
-- channel.role_functions() reads the registry channel.role_routine
-- (00_registry.sql): the core modules' rows come from 39_role_routines.sql,
-- every later piece adds its own, and 99_privileges.sql grants them all.
CREATE OR REPLACE FUNCTION channel.role_functions(role_name name) RETURNS SETOF name
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.routine_name FROM channel.role_routine r WHERE r.role_name = $1 ORDER BY r.routine_name
$$;
COMMENT ON FUNCTION channel.role_functions(name) IS
  'Names of the channel functions a role other than channel_admin (channel_partner, channel_analyst, ...) may execute, every overload: the rows of channel.role_routine that each module''s install piece adds; the install script grants exactly these, the security tests check it.';
REVOKE EXECUTE ON FUNCTION channel.has_letter_or_digit(text),
                           channel.check_amount(numeric, text, text),
                           channel.deal_keys_guard(),
                           channel.shipped_rows_truncate_guard() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.has_letter_or_digit(text),
                          channel.check_amount(numeric, text, text),
                          channel.deal_keys_guard(),
                          channel.shipped_rows_truncate_guard() TO channel_admin;
GRANT EXECUTE ON FUNCTION channel.has_letter_or_digit(text) TO channel_partner;

-- Trigger functions run as the extension's owner: they keep invariants
-- (history, normalized keys, conflict detection) that must see every row
-- and write tables the writer may not -- a partner's INSERT of a deal writes
-- its deal_event row, and a registration is checked against every other
-- partner's, not just the ones the partner can see.  Each gets a pinned
-- search_path if it had none.
DO $triggers$
DECLARE
  f record;
BEGIN
  FOR f IN SELECT DISTINCT p.oid::regprocedure AS fn,
                  NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%') AS needs_path
           FROM pg_catalog.pg_trigger tg
           JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
           JOIN pg_catalog.pg_proc p ON p.oid = tg.tgfoid
           WHERE c.relnamespace = 'channel'::regnamespace AND NOT tg.tgisinternal
             AND p.pronamespace = 'channel'::regnamespace AND NOT p.prosecdef
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SECURITY DEFINER', f.fn);
    IF f.needs_path THEN
      EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, channel, pg_temp', f.fn);
    END IF;
  END LOOP;
END
$triggers$;

-- 0.2.0 (issue 26): score_lead_values and the forecast's functions get the
-- privileges a fresh install gives them (src/sql/40_security.sql).

-- The function privileges themselves are set by the last piece,
-- 99_privileges.sql, as on a fresh install.
GRANT SELECT ON channel.forecast_model TO channel_admin, channel_analyst;
