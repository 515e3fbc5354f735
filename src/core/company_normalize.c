/*
 * company_normalize.c -- the normalized form of a company name.
 *
 * Two registrations of one end customer rarely spell it the same way:
 * "Société Générale S.A.", "SOCIETE GENERALE", "Societe Generale SA".  The
 * normalized form erases what does not identify the company:
 *
 *   1. any script becomes Latin ASCII (ICU "NFKC; Any-Latin; Latin-ASCII":
 *      NFKC folds full-width and compatibility forms first, so "ＩＢＭ" and
 *      "IBM" meet; Han characters take their own reading one by one, see
 *      han_reading); plain ASCII input skips ICU entirely, and the common
 *      scripts take faster paths that give the same result (below);
 *   2. letters are lower-cased; "&" and "+" become "and"; apostrophes vanish
 *      ("McDonald's" = "McDonalds");
 *   3. dotted or slashed abbreviations whose parts are one or two letters are
 *      joined ("S.A." = "SA", "I.B.M." = "IBM", "A/S" = "AS", "E.ON" = "EON");
 *      any other punctuation separates tokens;
 *   4. common abbreviations are spelled out ("Bros" = "Brothers", "Intl" =
 *      "International", "St" = "Saint", "Mfg" = "Manufacturing");
 *   5. a leading "the" goes, then legal-form designations (legal_forms.txt)
 *      at the end -- and, for forms written first such as "OOO" or "PT", at
 *      the start -- repeatedly, along with an "and" they leave dangling;
 *      the name itself always keeps at least one token;
 *   6. tokens are joined with single spaces.
 *
 * The result only ever contains [a-z0-9 ], so it is the same whatever the
 * database encoding or collation, and stable across releases as long as the
 * legal-form list and ICU's transliteration rules are (doc/deals.md).
 *
 * The steps live in their own files: script folding in company_fold_icu.c
 * and company_fold_tables.c, tokens in company_tokens.c, legal forms in
 * company_legal_forms.c; this file validates the input, spells out
 * abbreviations and joins the result.
 */
#include "company.h"
#include "company_fold.h"
#include "company_legal_forms.h"
#include "company_tokens.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Well-formed UTF-8 as RFC 3629 defines it: no overlongs, no surrogates. */
static bool
utf8_is_valid(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		uint32_t	cp;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		else if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			return false;
		if (i + n >= len)
			return false;
		for (size_t k = 1; k <= n; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

/* ---------------------------------------------------------------- abbreviations */

/* Abbreviations registrants write for words of company names, sorted. */
static const struct
{
	const char *abbreviation;
	const char *word;
}			abbreviations[] = {
	{"assn", "association"}, {"assoc", "associates"}, {"bros", "brothers"}, {"ctr", "center"},
	{"dept", "department"}, {"ft", "fort"}, {"grp", "group"}, {"hldgs", "holdings"},
	{"inst", "institute"}, {"intl", "international"}, {"labs", "laboratories"},
	{"mfg", "manufacturing"}, {"mt", "mount"}, {"natl", "national"}, {"st", "saint"},
	{"svcs", "services"}, {"univ", "university"}
};

static const char *
spelled_out(const char *token)
{
	size_t		lo = 0,
				hi = sizeof(abbreviations) / sizeof(abbreviations[0]);

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		int			c = strcmp(token, abbreviations[mid].abbreviation);

		if (c == 0)
			return abbreviations[mid].word;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return token;
}

/* ---------------------------------------------------------------- entry point */

company_status
company_normalize(const char *name, size_t len, char **out)
{
	return company_normalize_jurisdictions(name, len, out, NULL);
}

company_status
company_normalize_jurisdictions(const char *name, size_t len, char **out,
								company_jurisdictions *jurisdictions)
{
	char	   *latin = NULL;
	size_t		latin_len = len;
	const char *text = name;
	company_tokens tokens;
	int			first,
				last;
	size_t		size = 1;
	char	   *result;
	char	   *p;

	*out = NULL;
	if (jurisdictions != NULL)
		memset(jurisdictions, 0, sizeof(*jurisdictions));
	if (len > COMPANY_MAX_BYTES)
		return COMPANY_TOO_LONG;
	if (!utf8_is_valid((const unsigned char *) name, len))
		return COMPANY_INVALID_UTF8;
	if (!company_load_legal_forms())
		return COMPANY_NO_MEMORY;

	if (!company_is_plain_ascii((const unsigned char *) name, len))
	{
		company_status st = company_fold_to_latin(name, len, &latin, &latin_len);

		if (st != COMPANY_OK)
			return st;
		text = latin;
	}
	if (!company_tokenize(text, latin_len, &tokens))
	{
		free(latin);
		return COMPANY_NO_MEMORY;
	}
	free(latin);

	company_join_letters(&tokens);
	first = 0;
	last = tokens.n;
	company_strip_legal_forms(&tokens, &first, &last, jurisdictions);

	for (int i = first; i < last; i++)
		size += strlen(spelled_out(company_token(&tokens, i))) + 1;
	result = malloc(size);
	if (result == NULL)
	{
		company_tokens_free(&tokens);
		return COMPANY_NO_MEMORY;
	}
	p = result;
	for (int i = first; i < last; i++)
	{
		const char *word = spelled_out(company_token(&tokens, i));
		size_t		l = strlen(word);

		if (p != result)
			*p++ = ' ';
		memcpy(p, word, l);
		p += l;
	}
	*p = '\0';
	company_tokens_free(&tokens);
	*out = result;
	return COMPANY_OK;
}
