-- 62_edi867.sql: sell-through reports sent as ANSI X12 867 (product transfer
-- and resale report), the EDI distributors send (doc/channel_data.md, "EDI
-- 867").  The document is read in C (src/core/edi867.c, unit-tested and
-- fuzzed) into the same staged lines as a CSV file's COPY; ingestion is then
-- the same channel.ingest_sell_through().

CREATE FUNCTION channel.stage_edi_867(document text, batch_id bigint DEFAULT NULL) RETURNS integer
AS 'MODULE_PATHNAME', 'channel_stage_edi_867'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION channel.stage_edi_867(text, bigint) IS
  'Stages the lines of an X12 867 interchange into channel.sell_through_staging, in batch batch_id (default: the session''s open batch, channel.open_report()): one line per LIN item, with its PTD loop''s invoice (REF*IV), date (DTM), end customer (N1*ST/BY/EN and N4) and reseller (N1*SE, N104), and the currency of CUR. Returns how many lines it staged. A document it cannot read stages nothing (22P02, with the segment). Runs with the caller''s privileges: a partner stages into its own staged batches only.';
REVOKE EXECUTE ON FUNCTION channel.stage_edi_867(text, bigint) FROM PUBLIC;
-- partners submit their own reports (channel_admin gets every routine)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES ('channel_partner', 'stage_edi_867');
