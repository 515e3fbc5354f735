-- 01_schema: the extension's shape -- enum values, tables, comments, dump
-- registration.  Everything here is the public contract later modules and
-- client applications rely on.

-- the enum types carry exactly these values, in this order
SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = 'channel'::regnamespace
GROUP BY t.typname ORDER BY t.typname;

-- the extension is not relocatable and lives in schema channel
SELECT extname, extrelocatable, extnamespace::regnamespace AS schema
FROM pg_extension WHERE extname = 'channel';

-- every table, column, index, function, type, domain and trigger of the
-- extension has a comment (lists offenders; must be empty)
WITH ext_objects AS (
  SELECT classid, objid FROM pg_depend
  WHERE refclassid = 'pg_extension'::regclass
    AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'channel')
    AND deptype = 'e'
)
SELECT 'relation ' || c.oid::regclass::text AS uncommented
FROM ext_objects o JOIN pg_class c ON o.classid = 'pg_class'::regclass AND c.oid = o.objid
WHERE c.relkind IN ('r', 'v', 'm', 'p') AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT 'column ' || c.oid::regclass::text || '.' || a.attname
FROM ext_objects o JOIN pg_class c ON o.classid = 'pg_class'::regclass AND c.oid = o.objid
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm', 'p') AND col_description(c.oid, a.attnum) IS NULL
UNION ALL
SELECT 'index ' || i.indexrelid::regclass::text
FROM ext_objects o JOIN pg_index i ON o.classid = 'pg_class'::regclass AND i.indrelid = o.objid
WHERE obj_description(i.indexrelid, 'pg_class') IS NULL
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
UNION ALL
SELECT 'function ' || p.oid::regprocedure::text
FROM ext_objects o JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid
WHERE obj_description(p.oid, 'pg_proc') IS NULL
UNION ALL
SELECT 'type ' || t.oid::regtype::text
FROM ext_objects o JOIN pg_type t ON o.classid = 'pg_type'::regclass AND t.oid = o.objid
WHERE obj_description(t.oid, 'pg_type') IS NULL
UNION ALL
SELECT 'trigger ' || tg.tgname || ' on ' || tg.tgrelid::regclass::text
FROM ext_objects o JOIN pg_trigger tg ON o.classid = 'pg_class'::regclass AND tg.tgrelid = o.objid
WHERE NOT tg.tgisinternal AND obj_description(tg.oid, 'pg_trigger') IS NULL
UNION ALL
SELECT 'policy ' || pol.polname || ' on ' || pol.polrelid::regclass::text
FROM ext_objects o JOIN pg_policy pol ON o.classid = 'pg_class'::regclass AND pol.polrelid = o.objid
WHERE obj_description(pol.oid, 'pg_policy') IS NULL
ORDER BY 1;

-- user-filled tables (and their identity sequences) are kept by pg_dump;
-- lists any channel table holding user data that is not registered (the
-- shipped reference data and the registries of grants and jobs are the
-- extension's own: CREATE EXTENSION fills them again)
SELECT c.oid::regclass AS not_dumped
FROM pg_class c
WHERE c.relnamespace = 'channel'::regnamespace AND c.relkind IN ('r', 'S')
  AND c.relname NOT IN ('country', 'currency', 'demo_language', 'demo_country_profile', 'demo_famous_customer',
                        'role_routine', 'job_definition')
  AND NOT c.oid = ANY (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'channel')
ORDER BY 1;

-- the shipped reference data (country and the demo vocabulary are the
-- extension's own and are re-created by CREATE EXTENSION): all 249 ISO 3166-1 alpha-2 codes, each in a region
SELECT count(*) AS countries, count(DISTINCT region) AS regions FROM channel.country;
SELECT region, count(*) FROM channel.country GROUP BY region ORDER BY region;
SELECT code, name, region FROM channel.country WHERE code IN ('FR', 'JP', 'US', 'BR', 'GR', 'RU') ORDER BY code;
