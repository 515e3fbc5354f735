/*
 * text_rules.c -- the "not blank" rule every name, description and reason
 * of the extension follows: the text has a letter or digit as company-name
 * normalization sees it (src/core/company_normalize.c), the rule deal
 * customer names have always had.  Text made only of spaces, punctuation,
 * invisible characters (U+200B, U+FEFF, U+202E, ...) or lone combining
 * marks has none.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"

#include "company.h"
#include "company_sql.h"

PG_FUNCTION_INFO_V1(channel_has_letter_or_digit);

/*
 * Bytes normalized at a time: the work per call is bounded by the chunk
 * (NFKC may expand a character many times over), and a letter or digit
 * shows in the chunk that holds it.
 */
#define RULE_CHUNK 1024

static bool
channel_text_has_letter_or_digit(const char *s, int len)
{
	int			start = 0;

	/* an ASCII letter or digit always survives normalization */
	for (int i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return true;
	}
	while (start < len)
	{
		int			end = Min(len, start + RULE_CHUNK);
		char	   *out = NULL;
		bool		found;

		/* cut before a UTF-8 lead byte, never inside a character */
		while (end < len && end > start && ((unsigned char) s[end] & 0xC0) == 0x80)
			end--;
		if (end == start)
			end = Min(len, start + RULE_CHUNK);
		channel_company_check(company_normalize(s + start, (size_t) (end - start), &out), "the text");
		found = out != NULL && out[0] != '\0';
		free(out);
		if (found)
			return true;
		start = end;
	}
	return false;
}

/* channel.has_letter_or_digit(t text) RETURNS boolean */
Datum
channel_has_letter_or_digit(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		s = (char *) pg_do_encoding_conversion((unsigned char *) s, len, GetDatabaseEncoding(), PG_UTF8);
		len = strlen(s);
	}
	PG_RETURN_BOOL(channel_text_has_letter_or_digit(s, len));
}
