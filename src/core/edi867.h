/*
 * edi867.h -- the ANSI X12 867 (product transfer and resale report) reader
 * of sell-through reports (pure C, no PostgreSQL headers).
 *
 * A document is an interchange (ISA ... IEA) whose ISA segment gives the
 * element separator (its 4th byte), the component separator (byte 105) and
 * the segment terminator (byte 106): ASCII punctuation, so that a field is
 * never cut inside a UTF-8 character.  What is read of each 867 transaction
 * (ST*867 ... SE), doc/channel_data.md "EDI 867":
 *
 *   CUR*SE*EUR              currency of the prices that follow
 *   PTD*SS                  a product transfer: one invoice to one customer
 *     DTM*003*20240115      its invoice date (any DTM qualifier; the last wins)
 *     REF*IV*INV-1001       its invoice number (REF01 IV or IN)
 *     N1*ST*Acme SARL       the end customer (N101 ST, BY or EN)
 *     N4*Paris**75001*FR    its city, postcode, country
 *     N1*SE**91*4711        the reseller that sold (N101 SE: its partner id, N104)
 *     LIN*1*VP*SKU-1        an item: its line number, product id (first id pair)
 *     QTY*39*2*EA           its quantity (QTY02)
 *     CTP**RES*100.50       its unit price (CTP03)
 *
 * Each LIN makes one line, with the PTD's invoice, date, customer and
 * reseller and the currency in force: the same twelve fields the CSV path
 * stages, as text.  Whether they are valid is the ingestion's business (a
 * bad value is a rejected line, not a refused file); what this refuses is a
 * document it cannot read: no ISA envelope, an ST that is not 867, an item
 * outside a PTD, a segment outside a transaction, an element longer than
 * EDI867_MAX_ELEMENT bytes or more than EDI867_MAX_LINES lines.
 */
#ifndef CHANNEL_EDI867_H
#define CHANNEL_EDI867_H

#include <stdbool.h>
#include <stddef.h>

#define EDI867_MAX_ELEMENT 1000
#define EDI867_MAX_LINES 10000000
#define EDI867_NFIELDS 12

/* the fields of a line, in the order of channel.sell_through_staging */
typedef enum Edi867Field
{
	E867_LINE_NO,
	E867_INVOICE_NO,
	E867_INVOICE_DATE,
	E867_SKU,
	E867_QUANTITY,
	E867_UNIT_PRICE,
	E867_CURRENCY,
	E867_CUSTOMER_NAME,
	E867_CUSTOMER_COUNTRY,
	E867_CUSTOMER_CITY,
	E867_CUSTOMER_POSTCODE,
	E867_RESELLER_ID
} Edi867Field;

typedef struct Edi867Line
{
	char	   *field[EDI867_NFIELDS];	/* NUL-terminated; "" when absent */
} Edi867Line;

typedef struct Edi867Result
{
	Edi867Line *lines;
	size_t		nlines;
	size_t		cap;
	size_t		transactions;	/* ST*867 ... SE read */
	size_t		error_segment;	/* 1-based segment of the error, 0 none */
	char		error[256];
} Edi867Result;

/*
 * Read doc (len bytes, need not be NUL-terminated).  Returns true with the
 * lines in *out, or false with out->error (and out->error_segment) set;
 * either way edi867_free(out) releases what it holds.
 */
bool		edi867_parse(const char *doc, size_t len, Edi867Result *out);
void		edi867_free(Edi867Result *out);

/* The column name of a field (channel.sell_through_staging). */
const char *edi867_field_name(Edi867Field f);

#endif
