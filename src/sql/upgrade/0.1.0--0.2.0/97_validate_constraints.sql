-- 0.2.0: the CHECK constraints this upgrade adds to tables that already hold
-- rows (issue 27: finite money, dates in range, names with a letter or a
-- digit, ...) are added NOT VALID by their pieces and validated here, one
-- by one.  A 0.1.0 database may hold rows 0.1.0 accepted and 0.2.0 refuses
-- (a NaN budget, an expected close in the year 20000): instead of the bare
-- "violated by some row", the update then stops with the constraint, how many
-- rows break it, the first of their keys and the condition to meet.  The whole
-- ALTER EXTENSION rolls back, so the database stays 0.1.0, unchanged, until
-- those rows are corrected and the update is run again.
DO $validate$
DECLARE
  c record;
  condition text;
  key_list text;
  bad bigint;
  first_keys text;
BEGIN
  FOR c IN SELECT con.conname, 'channel.' || pg_catalog.quote_ident(t.relname) AS rel, con.conrelid,
                  pg_catalog.pg_get_constraintdef(con.oid) AS def
           FROM pg_catalog.pg_constraint con
           JOIN pg_catalog.pg_class t ON t.oid = con.conrelid
           WHERE t.relnamespace = 'channel'::regnamespace AND con.contype = 'c' AND NOT con.convalidated
           ORDER BY 2::text, 1
  LOOP
    BEGIN
      EXECUTE pg_catalog.format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.rel, c.conname);
    EXCEPTION WHEN check_violation THEN
      condition := pg_catalog.regexp_replace(c.def, '^CHECK \((.*)\)( NOT VALID)?$', '\1');
      SELECT coalesce(pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.ord), 'ctid')
      INTO key_list
      FROM pg_catalog.pg_index i
      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = c.conrelid AND i.indisprimary;
      EXECUTE pg_catalog.format('SELECT count(*), pg_catalog.string_agg(k, '', '') FILTER (WHERE n <= 5)
                                 FROM (SELECT ROW(%s)::text AS k, row_number() OVER (ORDER BY %s) AS n
                                       FROM %s WHERE NOT coalesce((%s), true)) bad',
                                key_list, key_list, c.rel, condition)
      INTO bad, first_keys;
      RAISE EXCEPTION 'cannot update channel to 0.2.0: % row(s) of % break the new constraint %', bad, c.rel, c.conname
        USING ERRCODE = 'check_violation',
              DETAIL = pg_catalog.format('The rows must satisfy %s. The first of them, by (%s): %s.', condition, key_list, first_keys),
              HINT = pg_catalog.format('Correct or remove these rows in version 0.1.0 (e.g. SELECT * FROM %s WHERE NOT (%s)), then run ALTER EXTENSION channel UPDATE again; nothing was changed.',
                                       c.rel, condition);
    END;
  END LOOP;
END
$validate$;
