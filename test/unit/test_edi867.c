/* test_edi867.c -- the X12 867 reader of src/core/edi867.c. */
#include <stdlib.h>

#include "unit.h"
#include "edi867.h"

/* a 106-byte ISA with * elements, : components and ~ segments */
#define ISA "ISA*00*          *00*          *ZZ*DISTRIBUTOR    *ZZ*VENDOR         *240115*1200*U*00401*000000001*0*P*:~"

static const char doc[] =
	ISA "\n"
	"GS*PT*DISTRIBUTOR*VENDOR*20240115*1200*1*X*004010~\n"
	"ST*867*0001~\n"
	"BPT*00*RPT-1*20240115*DD~\n"
	"N1*DS*The Distributor*91*6001~\n"
	"CUR*SE*EUR~\n"
	"PTD*SS~\n"
	"DTM*003*20240110~\n"
	"REF*IV*INV-1001~\n"
	"N1*ST*Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale~\n"
	"N3*29 Boulevard Haussmann~\n"
	"N4*Paris**75009*FR~\n"
	"N1*SE**91*6002~\n"
	"LIN*1*VP*ST-100~\n"
	"QTY*39*2*EA~\n"
	"CTP**RES*9500.00~\n"
	"LIN*2*VP*NET-5~\n"
	"CTP**RES*1900~\n"
	"QTY*39*3*EA~\n"
	"PTD*SS~\n"
	"REF*IV*INV-1002~\n"
	"N1*BY*Carrefour SA~\n"
	"N4*Massy**91300*FR~\n"
	"DTM*003*2024-01-12~\n"
	"LIN*1*BP*D-ST100~\n"
	"QTY*39*1~\n"
	"CTP**RES*9000~\n"
	"SE*26*0001~\n"
	"GE*1*1~\n"
	"IEA*1*000000001~\n";

static const char *
f(const Edi867Result *r, size_t line, Edi867Field k)
{
	return line < r->nlines ? r->lines[line].field[k] : NULL;
}

UNIT_TEST(edi867_reads_items_with_their_transfer)
{
	Edi867Result r;

	CHECK(edi867_parse(doc, sizeof doc - 1, &r));
	CHECK(r.nlines == 3);
	CHECK(r.transactions == 1);
	CHECK_STR(f(&r, 0, E867_LINE_NO), "1");
	CHECK_STR(f(&r, 0, E867_INVOICE_NO), "INV-1001");
	CHECK_STR(f(&r, 0, E867_INVOICE_DATE), "20240110");
	CHECK_STR(f(&r, 0, E867_SKU), "ST-100");
	CHECK_STR(f(&r, 0, E867_QUANTITY), "2");
	CHECK_STR(f(&r, 0, E867_UNIT_PRICE), "9500.00");
	CHECK_STR(f(&r, 0, E867_CURRENCY), "EUR");
	CHECK_STR(f(&r, 0, E867_CUSTOMER_NAME), "Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale");
	CHECK_STR(f(&r, 0, E867_CUSTOMER_CITY), "Paris");
	CHECK_STR(f(&r, 0, E867_CUSTOMER_POSTCODE), "75009");
	CHECK_STR(f(&r, 0, E867_CUSTOMER_COUNTRY), "FR");
	CHECK_STR(f(&r, 0, E867_RESELLER_ID), "6002");
	/* segments of an item in any order; the transfer's values are shared */
	CHECK_STR(f(&r, 1, E867_SKU), "NET-5");
	CHECK_STR(f(&r, 1, E867_QUANTITY), "3");
	CHECK_STR(f(&r, 1, E867_UNIT_PRICE), "1900");
	CHECK_STR(f(&r, 1, E867_INVOICE_NO), "INV-1001");
	CHECK_STR(f(&r, 1, E867_RESELLER_ID), "6002");
	/* a later transfer: its own customer, a date given after its items' start, no reseller */
	CHECK_STR(f(&r, 2, E867_INVOICE_NO), "INV-1002");
	CHECK_STR(f(&r, 2, E867_INVOICE_DATE), "2024-01-12");
	CHECK_STR(f(&r, 2, E867_CUSTOMER_NAME), "Carrefour SA");
	CHECK_STR(f(&r, 2, E867_CUSTOMER_CITY), "Massy");
	CHECK_STR(f(&r, 2, E867_SKU), "D-ST100");
	CHECK_STR(f(&r, 2, E867_RESELLER_ID), "");
	CHECK_STR(f(&r, 2, E867_CURRENCY), "EUR");
	edi867_free(&r);
	CHECK_STR(edi867_field_name(E867_CUSTOMER_POSTCODE), "customer_postcode");
	CHECK(edi867_field_name((Edi867Field) 12) == NULL);
}

UNIT_TEST(edi867_takes_the_separators_of_the_isa)
{
	/* | elements, newline-free, ! terminator */
	static const char d[] =
		"ISA|00|          |00|          |ZZ|DISTRIBUTOR    |ZZ|VENDOR         |240115|1200|U|00401|000000001|0|P|>!"
		"ST|867|1!PTD|SS!REF|IN|A*B~C!N1|EN|Name*With~Stars!LIN|7|VP|X!QTY|39|1!SE|5|1!";
	Edi867Result r;

	CHECK(sizeof d - 1 > 106);
	CHECK(edi867_parse(d, sizeof d - 1, &r));
	CHECK(r.nlines == 1);
	CHECK_STR(f(&r, 0, E867_INVOICE_NO), "A*B~C");
	CHECK_STR(f(&r, 0, E867_CUSTOMER_NAME), "Name*With~Stars");
	CHECK_STR(f(&r, 0, E867_LINE_NO), "7");
	CHECK_STR(f(&r, 0, E867_UNIT_PRICE), "");
	edi867_free(&r);
}

static void
refused(const char *d, size_t segment, const char *words)
{
	Edi867Result r;

	CHECK(!edi867_parse(d, strlen(d), &r));
	CHECK(r.error_segment == segment);
	if (strstr(r.error, words) == NULL)
	{
		fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", r.error, words);
		CHECK(!"error message");
	}
	edi867_free(&r);
}

UNIT_TEST(edi867_refuses_what_it_cannot_read)
{
	refused("", 1, "ISA");
	refused("ST*867*1~SE*1*1~", 1, "ISA");
	refused(ISA "ST*850*1~SE*1*1~", 2, "not an 867");
	refused(ISA "ST*867*1~PTD*SS~LIN*1*VP*X~", 4, "ends inside a transaction");
	refused(ISA "ST*867*1~LIN*1*VP*X~SE*2*1~", 3, "outside a PTD");
	refused(ISA "PTD*SS~", 2, "outside a transaction");
	refused(ISA "ST*867*1~ST*867*2~", 3, "ST inside");
	refused(ISA "GS*PT~IEA*1~", 3, "no 867 transaction");
	/* separators that are letters */
	refused("ISA*00*          *00*          *ZZ*DISTRIBUTOR    *ZZ*VENDOR         *240115*1200*U*00401*000000001*0*P*:X", 1,
			"separators");
}

UNIT_TEST(edi867_bounds_elements)
{
	size_t		n = strlen(ISA) + 40 + EDI867_MAX_ELEMENT + 2;
	char	   *d = malloc(n + 1);
	Edi867Result r;

	snprintf(d, n + 1, "%sST*867*1~PTD*SS~N1*ST*", ISA);
	memset(d + strlen(d), 'A', EDI867_MAX_ELEMENT + 1);
	d[strlen(ISA) + strlen("ST*867*1~PTD*SS~N1*ST*") + EDI867_MAX_ELEMENT + 1] = '\0';
	CHECK(!edi867_parse(d, strlen(d), &r));
	CHECK(strstr(r.error, "longer than") != NULL);
	edi867_free(&r);
	free(d);
}
