/*
 * edi867_sql.c -- channel.stage_edi_867(document, batch_id): an X12 867
 * report read by src/core/edi867.c and staged, line by line, into
 * channel.sell_through_staging, the rows the CSV path's COPY would make
 * (doc/channel_data.md, "EDI 867").  Runs with the caller's privileges:
 * a partner stages into its own open batches only (the staging table's
 * row-level security and column grants decide, as for COPY).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "channel_spi.h"
#include "edi867.h"

PG_FUNCTION_INFO_V1(channel_stage_edi_867);

Datum
channel_stage_edi_867(PG_FUNCTION_ARGS)
{
	text	   *doc;
	Edi867Result r;
	Datum	   *cols[EDI867_NFIELDS];
	bool	   *nulls[EDI867_NFIELDS];
	Oid			types[1 + EDI867_NFIELDS];
	Datum		values[1 + EDI867_NFIELDS];
	char		argnulls[1 + EDI867_NFIELDS];
	int			dims[1];
	int			lbs[1] = {1};
	int			n;
	uint64		staged;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("document must not be NULL"),
				 errhint("Pass the X12 867 interchange as text (ISA ... IEA).")));
	doc = PG_GETARG_TEXT_PP(0);
	if (!edi867_parse(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), &r))
	{
		char		msg[sizeof r.error];
		size_t		seg = r.error_segment;

		memcpy(msg, r.error, sizeof msg);
		edi867_free(&r);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("the EDI 867 document cannot be read"),
				 errdetail("Segment %zu: %s.", seg, msg),
				 errhint("Send one X12 interchange: the 106-byte ISA segment, then ST*867 ... SE transactions whose items (LIN) are inside PTD loops; nothing was staged.")));
	}
	if (r.nlines > (size_t) (MaxAllocSize / sizeof(Datum)) || r.nlines > (size_t) INT_MAX)
	{
		edi867_free(&r);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the EDI 867 document has too many lines"),
				 errhint("Split it into several reports.")));
	}
	n = (int) r.nlines;
	/* the lines as text arrays, the malloc'd result released before any SPI call can fail */
	for (int f = 0; f < EDI867_NFIELDS; f++)
	{
		cols[f] = palloc(sizeof(Datum) * Max(n, 1));
		nulls[f] = palloc(sizeof(bool) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			const char *s = r.lines[i].field[f];

			/* empty as NULL, as COPY ... CSV stages an empty field */
			nulls[f][i] = (s[0] == '\0');
			cols[f][i] = nulls[f][i] ? (Datum) 0 : PointerGetDatum(cstring_to_text(s));
		}
	}
	edi867_free(&r);

	types[0] = INT8OID;
	values[0] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	argnulls[0] = PG_ARGISNULL(1) ? 'n' : ' ';
	dims[0] = n;
	for (int f = 0; f < EDI867_NFIELDS; f++)
	{
		types[1 + f] = TEXTARRAYOID;
		values[1 + f] = PointerGetDatum(construct_md_array(cols[f], nulls[f], 1, dims, lbs,
															 TEXTOID, -1, false, TYPALIGN_INT));
		argnulls[1 + f] = ' ';
	}
	channel_spi_connect();
	staged = channel_spi_run("staging the EDI 867 lines", SPI_OK_INSERT,
							 "INSERT INTO channel.sell_through_staging "
							 "  (batch_id, line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency, "
							 "   customer_name, customer_country, customer_city, customer_postcode, reseller_id) "
							 "SELECT coalesce($1, channel.staging_batch()), u.line_no, u.invoice_no, u.invoice_date, u.sku, "
							 "       u.quantity, u.unit_price, u.currency, u.customer_name, u.customer_country, "
							 "       u.customer_city, u.customer_postcode, u.reseller_id "
							 "FROM unnest($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
							 "  WITH ORDINALITY AS u(line_no, invoice_no, invoice_date, sku, quantity, unit_price, "
							 "     currency, customer_name, customer_country, customer_city, customer_postcode, reseller_id, k) "
							 "ORDER BY u.k",
							 1 + EDI867_NFIELDS, types, values, argnulls, false, 0);
	SPI_finish();
	PG_RETURN_INT32((int32) staged);
}
