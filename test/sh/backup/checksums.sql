-- test/sh/backup/checksums.sql -- one line per channel table and sequence:
-- name, row count, md5 of the rows in order.  What a restore must give back.
--
-- A table registered with pg_extension_config_dump() under a condition
-- (scoring_rule, reject_reason, tier_metric: the shipped rows are not
-- dumped, CREATE EXTENSION makes them) gets two lines: the rows the dump
-- holds, whole, and the shipped rows without their timestamps (the
-- install stamps them when it runs).
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s t%s;',
              c.oid::regclass::text || CASE WHEN cfg.cond <> '' THEN ' (dumped)' ELSE '' END, c.oid::regclass,
              CASE WHEN cfg.cond <> '' THEN ' ' || cfg.cond ELSE '' END)
       || CASE WHEN cfg.cond <> '' THEN format(
          E'\nSELECT %L, count(*), md5(coalesce(string_agg((to_jsonb(t) - %L::text[])::text, E''\\n'' ORDER BY t::text), '''')) FROM %s t WHERE NOT (%s);',
              c.oid::regclass::text || ' (shipped)',
              (SELECT coalesce(array_agg(a.attname::text), '{}') FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype)),
              c.oid::regclass, regexp_replace(cfg.cond, '^\s*WHERE\s+', '', 'i'))
          ELSE '' END
FROM pg_class c
LEFT JOIN LATERAL (
  SELECT e.extcondition[array_position(e.extconfig, c.oid)] AS cond
  FROM pg_extension e WHERE e.extname = 'channel' AND c.oid = ANY (e.extconfig)) cfg ON true
WHERE c.relnamespace = 'channel'::regnamespace AND c.relkind IN ('r', 'p')
UNION ALL
SELECT format('SELECT %L, last_value, is_called FROM %s;', c.oid::regclass, c.oid::regclass)
FROM pg_class c WHERE c.relnamespace = 'channel'::regnamespace AND c.relkind = 'S'
ORDER BY 1 \gexec
