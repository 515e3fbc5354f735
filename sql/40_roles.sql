-- 40_roles: the roles the extension creates and exactly what each may do:
-- schema, table, column and function privileges, row-level security on
-- every partner table, and every SECURITY DEFINER function pinned.
-- Lists offenders wherever it can, so that an empty result is the pass.

-- the group roles (four of 40_security, two of 70_external_refs) exist, cannot log in, have no special powers
SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolinherit
FROM pg_roles WHERE rolname LIKE 'channel\_%' ORDER BY rolname;
SELECT shobj_description(oid, 'pg_authid') IS NOT NULL AS commented, rolname
FROM pg_roles WHERE rolname LIKE 'channel\_%' ORDER BY rolname;
-- the portal application is a partner, plus set_portal_partner()
SELECT r.rolname AS member, g.rolname AS of_role
FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
WHERE g.rolname LIKE 'channel\_%' AND r.rolname LIKE 'channel\_%' ORDER BY 1, 2;

-- schema usage
SELECT r AS role, has_schema_privilege(r, 'channel', 'USAGE') AS usage,
       has_schema_privilege(r, 'channel', 'CREATE') AS create
FROM unnest(ARRAY['channel_admin', 'channel_analyst', 'channel_partner', 'channel_portal', 'public']) r
ORDER BY 1;

-- table privileges of each role (TRUNCATE for nobody: it skips row security)
SELECT c.relname,
       concat_ws(',', CASE WHEN has_table_privilege('channel_admin', c.oid, 'SELECT') THEN 'S' END,
                      CASE WHEN has_table_privilege('channel_admin', c.oid, 'INSERT') THEN 'I' END,
                      CASE WHEN has_table_privilege('channel_admin', c.oid, 'UPDATE') THEN 'U' END,
                      CASE WHEN has_table_privilege('channel_admin', c.oid, 'DELETE') THEN 'D' END,
                      CASE WHEN has_table_privilege('channel_admin', c.oid, 'TRUNCATE') THEN 'T' END) AS admin,
       concat_ws(',', CASE WHEN has_table_privilege('channel_analyst', c.oid, 'SELECT') THEN 'S' END,
                      CASE WHEN has_table_privilege('channel_analyst', c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE') THEN 'write!' END) AS analyst,
       concat_ws(',', CASE WHEN has_table_privilege('channel_partner', c.oid, 'SELECT') THEN 'S' END,
                      CASE WHEN has_any_column_privilege('channel_partner', c.oid, 'SELECT')
                            AND NOT has_table_privilege('channel_partner', c.oid, 'SELECT') THEN 'S(cols)' END,
                      CASE WHEN has_table_privilege('channel_partner', c.oid, 'INSERT') THEN 'I' END,
                      CASE WHEN has_any_column_privilege('channel_partner', c.oid, 'INSERT')
                            AND NOT has_table_privilege('channel_partner', c.oid, 'INSERT') THEN 'I(cols)' END,
                      CASE WHEN has_table_privilege('channel_partner', c.oid, 'UPDATE') THEN 'U' END,
                      CASE WHEN has_any_column_privilege('channel_partner', c.oid, 'UPDATE')
                            AND NOT has_table_privilege('channel_partner', c.oid, 'UPDATE') THEN 'U(cols)' END,
                      CASE WHEN has_table_privilege('channel_partner', c.oid, 'DELETE') THEN 'D' END,
                      CASE WHEN has_table_privilege('channel_partner', c.oid, 'TRUNCATE') THEN 'T' END) AS partner,
       has_table_privilege('public', c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE') AS public
FROM pg_class c
WHERE c.relnamespace = 'channel'::regnamespace AND c.relkind = 'r'
  AND c.relname IN ('country', 'product_line', 'partner', 'partner_contact', 'partner_product',
                    'partner_territory', 'certification', 'partner_user', 'lead', 'lead_event', 'deal', 'deal_event',
                    'deal_conflict', 'scoring_rule', 'reject_reason', 'win_model', 'win_model_line',
                    'partner_month', 'partner_month_dirty')
ORDER BY 1;

-- the columns a partner may read, insert or update where it has no whole-table privilege
SELECT c.relname, p.priv, string_agg(a.attname, ', ' ORDER BY a.attnum) AS columns
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE']) p(priv)
WHERE c.relnamespace = 'channel'::regnamespace AND c.relkind = 'r'
  AND NOT has_table_privilege('channel_partner', c.oid, p.priv)
  AND has_column_privilege('channel_partner', c.oid, a.attnum, p.priv)
GROUP BY c.relname, p.priv ORDER BY 1, 2;
-- and the lead columns it may not read: who to call is given by lead_contact()
SELECT a.attname AS lead_column_hidden_from_partners
FROM pg_attribute a
WHERE a.attrelid = 'channel.lead'::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND NOT has_column_privilege('channel_partner', 'channel.lead'::regclass, a.attnum, 'SELECT')
ORDER BY a.attnum;

-- every table holding partner data has row-level security enabled and forced
SELECT c.relname, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
FROM pg_class c
WHERE c.relnamespace = 'channel'::regnamespace AND c.relkind = 'r'
  AND c.relname NOT IN ('country', 'product_line', 'demo_language', 'demo_country_profile', 'demo_famous_customer',
                        'scoring_rule', 'reject_reason', 'role_routine', 'job_definition')
  AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
ORDER BY 1;
-- ... with an admin policy, a read-only analyst policy and a partner policy
-- (deal_conflict has none for partners: each row names another registration)
SELECT pol.polrelid::regclass::text AS table_name, pol.polname,
       CASE pol.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                       WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END AS command,
       array(SELECT rolname FROM pg_roles WHERE oid = ANY (pol.polroles) ORDER BY 1) AS roles
FROM pg_policy pol
WHERE pol.polrelid IN ('channel.partner'::regclass, 'channel.partner_contact'::regclass, 'channel.partner_product'::regclass,
                       'channel.partner_territory'::regclass, 'channel.certification'::regclass, 'channel.partner_user'::regclass,
                       'channel.lead'::regclass, 'channel.lead_event'::regclass, 'channel.deal'::regclass,
                       'channel.deal_event'::regclass)
ORDER BY 1, 2;
-- no policy lets a partner do more than read, outside the three it may write
SELECT pol.polrelid::regclass::text AS table_name, pol.polname
FROM pg_policy pol
WHERE 'channel_partner'::regrole = ANY (pol.polroles) AND pol.polcmd <> 'r'
ORDER BY 1, 2;

-- functions: PUBLIC may execute none of the extension's functions, the
-- demo generator's included (it is created after the security module and
-- revokes its own)
SELECT p.oid::regprocedure AS public_can_execute
FROM pg_proc p
WHERE p.pronamespace = 'channel'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
ORDER BY 1;
-- partners and analysts execute exactly the functions of their lists
SELECT r AS role, p.oid::regprocedure AS executable_but_not_listed
FROM unnest(ARRAY['channel_partner', 'channel_analyst']::name[]) r
JOIN pg_proc p ON p.pronamespace = 'channel'::regnamespace
WHERE has_function_privilege(r, p.oid, 'EXECUTE')
  AND has_function_privilege('public', p.oid, 'EXECUTE') IS FALSE
  AND p.proname NOT IN (SELECT channel.role_functions(r))
ORDER BY 1, 2;
SELECT r AS role, p.oid::regprocedure AS listed_but_not_executable
FROM unnest(ARRAY['channel_partner', 'channel_analyst']::name[]) r
JOIN pg_proc p ON p.pronamespace = 'channel'::regnamespace
WHERE NOT has_function_privilege(r, p.oid, 'EXECUTE')
  AND p.proname IN (SELECT channel.role_functions(r))
ORDER BY 1, 2;
-- the partner-facing functions of this module
SELECT f AS partner_executes
FROM unnest(ARRAY['channel.current_partner()', 'channel.lead_contact(bigint)', 'channel.country_region(channel.country_code)']) f
WHERE has_function_privilege('channel_partner', f, 'EXECUTE')
ORDER BY 1;
-- admins execute everything but set_portal_partner, which only the portal may
SELECT p.oid::regprocedure AS admin_cannot_execute
FROM pg_proc p
WHERE p.pronamespace = 'channel'::regnamespace AND NOT has_function_privilege('channel_admin', p.oid, 'EXECUTE')
ORDER BY 1;
SELECT r AS role, has_function_privilege(r, 'channel.set_portal_partner(bigint)', 'EXECUTE') AS may_set_portal_partner
FROM unnest(ARRAY['channel_admin', 'channel_analyst', 'channel_partner', 'channel_portal', 'public']) r
ORDER BY 1;

-- every SECURITY DEFINER function of the extension pins search_path, with
-- pg_temp last (lists offenders; must be empty)
WITH ext_functions AS (
  SELECT p.oid, p.proconfig
  FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
  WHERE d.refclassid = 'pg_extension'::regclass AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
    AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'channel')
    AND p.prosecdef
)
SELECT f.oid::regprocedure AS definer_without_safe_search_path,
       (SELECT c FROM unnest(f.proconfig) c WHERE c LIKE 'search\_path=%') AS search_path
FROM ext_functions f
WHERE NOT EXISTS (
  SELECT 1 FROM unnest(f.proconfig) c
  WHERE c LIKE 'search\_path=%'
    AND btrim(split_part(c, ',', array_length(string_to_array(c, ','), 1))) = 'pg_temp'
    AND position('"$user"' IN c) = 0 AND position('public' IN c) = 0)
ORDER BY 1;
-- and there are such functions (this module's and the triggers')
SELECT count(*) >= 6 AS has_definer_functions
FROM pg_proc WHERE pronamespace = 'channel'::regnamespace AND prosecdef;
-- trigger functions run as the owner, so a partner's insert still writes
-- history and is checked against every registration (offenders; empty)
SELECT DISTINCT tg.tgfoid::regprocedure AS invoker_trigger_function
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_proc p ON p.oid = tg.tgfoid
WHERE c.relnamespace = 'channel'::regnamespace AND NOT tg.tgisinternal AND NOT p.prosecdef
ORDER BY 1;

-- identity functions: the shape every policy relies on
SELECT p.oid::regprocedure, l.lanname, p.provolatile, p.proparallel, p.prosecdef
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.oid IN ('channel.current_partner()'::regprocedure, 'channel.set_portal_partner(bigint)'::regprocedure)
ORDER BY 1;
