/*
 * fuzz_edi867.c -- libFuzzer target for the X12 867 reader (src/core/edi867.c).
 *
 * Any bytes are parsed twice: as given, and behind a valid ISA segment (so
 * that the fuzzer reaches the transaction grammar without having to find a
 * 106-byte envelope first).  Invariants, checked with abort():
 *   - a success has at least one transaction, no error, and every line has
 *     its twelve fields, NUL-terminated, none longer than an element, none
 *     holding the segment terminator;
 *   - a failure has an error message and the segment it happened in;
 *   - parsing is deterministic (the same input, the same lines).
 * AddressSanitizer and LeakSanitizer catch memory errors and leaks.
 *
 *   make fuzz && ./test/fuzz/fuzz_edi867.fuzz test/fuzz/corpus-edi867
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edi867.h"

#define ISA "ISA*00*          *00*          *ZZ*DISTRIBUTOR    *ZZ*VENDOR         *240115*1200*U*00401*000000001*0*P*:~"

static void
check(const char *doc, size_t len, char term)
{
	Edi867Result a,
				b;
	bool		ok = edi867_parse(doc, len, &a);
	bool		ok2 = edi867_parse(doc, len, &b);

	if (ok != ok2 || a.nlines != b.nlines)
		abort();
	if (ok)
	{
		if (a.transactions == 0 || a.error[0] != '\0' || a.error_segment != 0)
			abort();
		for (size_t i = 0; i < a.nlines; i++)
			for (int f = 0; f < EDI867_NFIELDS; f++)
			{
				const char *s = a.lines[i].field[f];

				if (s == NULL || strlen(s) > EDI867_MAX_ELEMENT || strcmp(s, b.lines[i].field[f]) != 0)
					abort();
				if (term != '\0' && strchr(s, term) != NULL)
					abort();
			}
	}
	else if (a.error[0] == '\0' || a.error_segment == 0)
		abort();
	edi867_free(&a);
	edi867_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		n = strlen(ISA);
	char	   *buf = malloc(n + size + 1);
	size_t		i = 0;

	/* the terminator the reader takes: byte 106 of the ISA, after leading white space */
	while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	check((const char *) data, size, size - i >= 106 ? (char) data[i + 105] : '\0');
	memcpy(buf, ISA, n);
	memcpy(buf + n, data, size);
	check(buf, n + size, '~');
	free(buf);
	return 0;
}
