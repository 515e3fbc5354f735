/*
 * company_sql.c -- SQL wrappers of the company-name functions in
 * src/core/company_*.c: normalize_company, company_similarity and
 * company_match_keys.
 */
#include "postgres.h"

#include <stdlib.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "company_sql.h"

PG_FUNCTION_INFO_V1(channel_normalize_company);
PG_FUNCTION_INFO_V1(channel_company_similarity);
PG_FUNCTION_INFO_V1(channel_company_match_keys);
PG_FUNCTION_INFO_V1(channel_company_jurisdictions);

/* Raises the error a core status stands for; returns on COMPANY_OK. */
void
channel_company_check(company_status st, const char *what)
{
	switch (st)
	{
		case COMPANY_OK:
			return;
		case COMPANY_INVALID_UTF8:
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("%s is not valid UTF-8", what),
					 errhint("Company names are compared as Unicode text.")));
			break;
		case COMPANY_TOO_LONG:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s is too long to compare", what),
					 errdetail("Company names of up to %d bytes are normalized.", COMPANY_MAX_BYTES),
					 errhint("Pass the company's name, not a document.")));
			break;
		case COMPANY_TOO_LONG_FOLDED:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s is too long to compare once its compatibility characters are spelled out", what),
					 errdetail("The NFKC form of a company name may have up to %d UTF-16 code units.",
							   COMPANY_MAX_FOLDED),
					 errhint("Pass the company's name, not a document.")));
			break;
		case COMPANY_NO_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while normalizing %s", what)));
			break;
		case COMPANY_ICU_ERROR:
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("ICU could not transliterate %s", what),
					 errdetail("ICU reported %s.", company_icu_error_name()),
					 errhint("Check that the ICU data files of the server's ICU version are installed.")));
			break;
	}
}


/*
 * The name as UTF-8 (palloc'd when the database encoding is another), so
 * the pure-C core always sees Unicode.
 */
static char *
text_as_utf8(text *t, int *len)
{
	char	   *s = VARDATA_ANY(t);
	int			l = VARSIZE_ANY_EXHDR(t);

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		s = (char *) pg_do_encoding_conversion((unsigned char *) s, l, GetDatabaseEncoding(), PG_UTF8);
		l = strlen(s);
	}
	*len = l;
	return s;
}

/* Normalizes a text datum into a palloc'd C string (errors raised). */
char *
channel_normalize_text(text *name, const char *what)
{
	return channel_normalize_text_jurisdictions(name, what, NULL);
}

/* The same, and the countries of the legal forms dropped (jurisdictions may be NULL). */
char *
channel_normalize_text_jurisdictions(text *name, const char *what, company_jurisdictions *jurisdictions)
{
	int			len;
	char	   *s = text_as_utf8(name, &len);
	char	   *out = NULL;
	char	   *result;
	company_status st = company_normalize_jurisdictions(s, (size_t) len, &out, jurisdictions);

	channel_company_check(st, what);
	result = pstrdup(out);
	free(out);
	return result;
}

/* channel.normalize_company(name text) RETURNS text */
Datum
channel_normalize_company(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(channel_normalize_text(PG_GETARG_TEXT_PP(0), "the company name")));
}

/* channel.company_similarity(a text, b text) RETURNS float4 */
Datum
channel_company_similarity(PG_FUNCTION_ARGS)
{
	company_jurisdictions ja,
				jb;
	char	   *a = channel_normalize_text_jurisdictions(PG_GETARG_TEXT_PP(0), "the first company name", &ja);
	char	   *b = channel_normalize_text_jurisdictions(PG_GETARG_TEXT_PP(1), "the second company name", &jb);
	float4		score = company_similarity_normalized(a, b, NULL);

	/* legal forms of different jurisdictions: evidence against (as company_similarity in src/core) */
	if (company_jurisdictions_conflict(&ja, &jb))
		score *= COMPANY_JURISDICTION_PENALTY;
	PG_RETURN_FLOAT4(score);
}

/* The blocking keys of a normalized name, each prefixed, as a text[]. */
ArrayType *
channel_match_keys_array(const char *normalized, const char *prefix)
{
	char	  **keys = NULL;
	int			nkeys = 0;
	Datum	   *elems;
	ArrayType  *result;

	channel_company_check(company_match_keys(normalized, &keys, &nkeys), "the company name");
	elems = palloc(sizeof(Datum) * (nkeys > 0 ? nkeys : 1));
	for (int i = 0; i < nkeys; i++)
		elems[i] = PointerGetDatum(cstring_to_text(psprintf("%s%s", prefix, keys[i])));
	free(keys);
	result = construct_array(elems, nkeys, TEXTOID, -1, false, TYPALIGN_INT);
	return result;
}

/* channel.company_match_keys(name text) RETURNS text[] */
Datum
channel_company_match_keys(PG_FUNCTION_ARGS)
{
	char	   *normalized = channel_normalize_text(PG_GETARG_TEXT_PP(0), "the company name");

	PG_RETURN_ARRAYTYPE_P(channel_match_keys_array(normalized, ""));
}

/*
 * The countries of a name's legal forms as a sorted text[] of ISO 3166
 * codes, or NULL (*isnull) when its forms name no country: what the
 * registration trigger stores in channel.deal.customer_jurisdictions.
 */
Datum
channel_jurisdictions_array(const company_jurisdictions *jurisdictions, bool *isnull)
{
	const char *codes[COMPANY_MAX_JURISDICTIONS];
	Datum		elems[COMPANY_MAX_JURISDICTIONS];
	int			n = company_jurisdiction_codes(jurisdictions, codes, COMPANY_MAX_JURISDICTIONS);

	*isnull = n == 0;
	if (n == 0)
		return (Datum) 0;
	for (int i = 0; i < n; i++)
		elems[i] = PointerGetDatum(cstring_to_text(codes[i]));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* channel.company_jurisdictions(name text) RETURNS text[] */
Datum
channel_company_jurisdictions(PG_FUNCTION_ARGS)
{
	company_jurisdictions jurisdictions;
	bool		isnull;
	Datum		codes;

	(void) channel_normalize_text_jurisdictions(PG_GETARG_TEXT_PP(0), "the company name", &jurisdictions);
	codes = channel_jurisdictions_array(&jurisdictions, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(codes);
}
