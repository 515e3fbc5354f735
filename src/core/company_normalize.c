/*
 * company_normalize.c -- the normalized form of a company name.
 *
 * Two registrations of one end customer rarely spell it the same way:
 * "Société Générale S.A.", "SOCIETE GENERALE", "Societe Generale SA".  The
 * normalized form erases what does not identify the company:
 *
 *   1. any script becomes Latin ASCII (ICU "NFKC; Any-Latin; Latin-ASCII":
 *      NFKC folds full-width and compatibility forms first, so "ＩＢＭ" and
 *      "IBM" meet); plain ASCII input skips ICU entirely (the fast path);
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
 */
#include "company.h"
#include "company_tokens.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utrans.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

static UErrorCode last_icu_error = U_ZERO_ERROR;

const char *
company_status_text(company_status status)
{
	switch (status)
	{
		case COMPANY_OK:
			return "ok";
		case COMPANY_INVALID_UTF8:
			return "the name is not valid UTF-8";
		case COMPANY_TOO_LONG:
			return "the name is longer than 65536 bytes";
		case COMPANY_NO_MEMORY:
			return "out of memory";
		case COMPANY_ICU_ERROR:
			return "ICU transliteration failed";
	}
	return "unknown status";
}

const char *
company_icu_error_name(void)
{
	return u_errorName(last_icu_error);
}

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

static bool
is_plain_ascii(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 0x80)
			return false;
	return true;
}

/*
 * The transliterator is costly to build (milliseconds) and cheap to reuse,
 * so it is opened on first use and kept for the life of the process.
 */
static UTransliterator *
transliterator(void)
{
	static UTransliterator *trans = NULL;

	if (trans == NULL)
	{
		static const char id[] = "NFKC; Any-Latin; Latin-ASCII";
		UChar		uid[sizeof(id)];
		UErrorCode	err = U_ZERO_ERROR;

		u_charsToUChars(id, uid, (int32_t) sizeof(id));
		trans = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
		if (U_FAILURE(err))
		{
			last_icu_error = err;
			trans = NULL;
		}
	}
	return trans;
}

/*
 * UTF-8 in, mostly-ASCII UTF-8 out (malloc'd): what ICU cannot bring to
 * ASCII stays and is treated as a separator by the tokenizer.
 */
static company_status
transliterate(const char *s, size_t len, char **out, size_t *outlen)
{
	UTransliterator *trans = transliterator();
	UErrorCode	err = U_ZERO_ERROR;
	int32_t		ulen = 0;
	UChar	   *ubuf = NULL;
	int32_t		cap;
	int32_t		limit;
	int32_t		olen = 0;
	char	   *obuf = NULL;

	if (trans == NULL)
		return COMPANY_ICU_ERROR;

	/* UTF-8 -> UTF-16; transliteration can grow text (one CJK character
	 * becomes a syllable), so leave generous room and retry if short */
	u_strFromUTF8(NULL, 0, &ulen, s, (int32_t) len, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		goto icu_failed;
	for (int32_t factor = 8; factor <= 128; factor *= 4)
	{
		int32_t		textlen = ulen;

		err = U_ZERO_ERROR;
		cap = ulen * factor + 64;
		free(ubuf);
		ubuf = malloc(sizeof(UChar) * (size_t) cap);
		if (ubuf == NULL)
			return COMPANY_NO_MEMORY;
		u_strFromUTF8(ubuf, cap, NULL, s, (int32_t) len, &err);
		if (U_FAILURE(err))
			goto icu_failed;
		limit = ulen;
		utrans_transUChars(trans, ubuf, &textlen, cap, 0, &limit, &err);
		if (err != U_BUFFER_OVERFLOW_ERROR)
		{
			ulen = textlen;
			break;
		}
		/* the buffer's content is undefined after an overflow: start over */
	}
	if (U_FAILURE(err))
		goto icu_failed;

	err = U_ZERO_ERROR;
	u_strToUTF8(NULL, 0, &olen, ubuf, ulen, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		goto icu_failed;
	err = U_ZERO_ERROR;
	obuf = malloc((size_t) olen + 1);
	if (obuf == NULL)
	{
		free(ubuf);
		return COMPANY_NO_MEMORY;
	}
	u_strToUTF8(obuf, olen + 1, NULL, ubuf, ulen, &err);
	if (U_FAILURE(err))
		goto icu_failed;
	free(ubuf);
	*out = obuf;
	*outlen = (size_t) olen;
	return COMPANY_OK;

icu_failed:
	last_icu_error = err;
	free(ubuf);
	free(obuf);
	return COMPANY_ICU_ERROR;
}

/* ---------------------------------------------------------------- Latin fast path */

/*
 * Most names that are not plain ASCII are Latin with accents ("Société",
 * "Müller", "Łódź") and typographic punctuation.  Running ICU's compound
 * transliterator over a whole string costs microseconds per character, so
 * text whose code points all lie in Latin-1, Latin Extended-A/B, the
 * combining diacritics or General Punctuation is mapped character by
 * character instead, through a table filled, once, by that same
 * transliterator -- the two paths cannot disagree.  Any other code point
 * sends the whole string through ICU.
 */
#define LATIN_TABLE_END 0x2070

static char **latin_table;		/* code point -> ASCII, NULL = not covered */

static bool
latin_covered(uint32_t cp)
{
	return (cp >= 0x80 && cp < 0x250) || (cp >= 0x300 && cp < 0x370) ||
		(cp >= 0x2000 && cp < LATIN_TABLE_END);
}

static company_status transliterate(const char *s, size_t len, char **out, size_t *outlen);

static bool
load_latin_table(void)
{
	if (latin_table != NULL)
		return true;
	latin_table = calloc(LATIN_TABLE_END, sizeof(char *));
	if (latin_table == NULL)
		return false;
	for (uint32_t cp = 0x80; cp < LATIN_TABLE_END; cp++)
	{
		char		utf8[4];
		size_t		n;
		char	   *ascii = NULL;
		size_t		alen = 0;

		if (!latin_covered(cp))
			continue;
		if (cp < 0x800)
		{
			utf8[0] = (char) (0xC0 | (cp >> 6));
			utf8[1] = (char) (0x80 | (cp & 0x3F));
			n = 2;
		}
		else
		{
			utf8[0] = (char) (0xE0 | (cp >> 12));
			utf8[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
			utf8[2] = (char) (0x80 | (cp & 0x3F));
			n = 3;
		}
		if (transliterate(utf8, n, &ascii, &alen) != COMPANY_OK)
			continue;
		if (is_plain_ascii((const unsigned char *) ascii, alen))
			latin_table[cp] = ascii;
		else
			free(ascii);
	}
	return true;
}

/*
 * The ASCII form of Latin text through the table; false (and nothing
 * allocated) when a code point is not covered.
 */
static bool
fold_latin(const unsigned char *s, size_t len, char **out, size_t *outlen)
{
	char	   *buf;
	size_t		o = 0;

	if (!load_latin_table())
		return false;
	buf = malloc(len * 4 + 1);	/* no table entry is longer than 4x its UTF-8 */
	if (buf == NULL)
		return false;
	for (size_t i = 0; i < len;)
	{
		uint32_t	cp;
		const char *ascii;
		size_t		l;

		if (s[i] < 0x80)
		{
			buf[o++] = (char) s[i++];
			continue;
		}
		/* input is valid UTF-8 here; decode one code point */
		if (s[i] < 0xE0)
			cp = ((uint32_t) (s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F), i += 2;
		else if (s[i] < 0xF0)
			cp = ((uint32_t) (s[i] & 0x0F) << 12) | ((uint32_t) (s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F), i += 3;
		else
			cp = LATIN_TABLE_END, i += 4;
		if (cp >= LATIN_TABLE_END || (ascii = latin_table[cp]) == NULL || (l = strlen(ascii)) > 8)
		{
			free(buf);
			return false;
		}
		memcpy(buf + o, ascii, l);
		o += l;
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return true;
}

/* ---------------------------------------------------------------- legal forms */

static const struct
{
	const char *text;
	bool		before_too;
}			legal_form_source[] = {
#include "legal_forms.inc"
};

#define N_LEGAL_FORMS (sizeof(legal_form_source) / sizeof(legal_form_source[0]))

typedef struct legal_form
{
	company_tokens tokens;
	bool		before_too;
} legal_form;

static legal_form *legal_forms;
static size_t n_legal_forms;

static int
longest_first(const void *a, const void *b)
{
	return ((const legal_form *) b)->tokens.n - ((const legal_form *) a)->tokens.n;
}

/* The forms, tokenized by the same rules as names, longest first. */
static bool
load_legal_forms(void)
{
	if (legal_forms != NULL)
		return true;
	legal_forms = calloc(N_LEGAL_FORMS, sizeof(legal_form));
	if (legal_forms == NULL)
		return false;
	for (size_t i = 0; i < N_LEGAL_FORMS; i++)
	{
		const char *t = legal_form_source[i].text;
		size_t		len = strlen(t);
		char	   *latin = NULL;
		bool		ok;

		/* forms written with accents go through ICU like names do */
		if (!is_plain_ascii((const unsigned char *) t, len) &&
			transliterate(t, len, &latin, &len) == COMPANY_OK)
			t = latin;
		ok = company_tokenize(t, len, &legal_forms[n_legal_forms].tokens);
		free(latin);
		if (!ok)
		{
			for (size_t k = 0; k < n_legal_forms; k++)
				company_tokens_free(&legal_forms[k].tokens);
			free(legal_forms);
			legal_forms = NULL;
			n_legal_forms = 0;
			return false;
		}
		legal_forms[n_legal_forms].before_too = legal_form_source[i].before_too;
		n_legal_forms++;
	}
	qsort(legal_forms, n_legal_forms, sizeof(legal_form), longest_first);
	return true;
}

static bool
tokens_equal_at(const company_tokens *t, int at, const company_tokens *form)
{
	for (int k = 0; k < form->n; k++)
		if (strcmp(company_token(t, at + k), company_token(form, k)) != 0)
			return false;
	return true;
}

/*
 * Drops "the", legal forms and the "and" they leave, from [*first, *last);
 * never the last remaining token.
 */
static void
strip_legal_forms(const company_tokens *t, int *first, int *last)
{
	bool		changed = true;

	while (changed)
	{
		changed = false;
		if (*last - *first > 1 && strcmp(company_token(t, *first), "the") == 0)
		{
			(*first)++;
			changed = true;
		}
		for (size_t f = 0; f < n_legal_forms; f++)
		{
			const legal_form *form = &legal_forms[f];
			int			n = form->tokens.n;

			if (n == 0 || *last - *first <= n)
				continue;
			if (tokens_equal_at(t, *last - n, &form->tokens))
			{
				*last -= n;
				if (*last - *first > 1 && strcmp(company_token(t, *last - 1), "and") == 0)
					(*last)--;
				changed = true;
				break;
			}
			if (form->before_too && tokens_equal_at(t, *first, &form->tokens))
			{
				*first += n;
				changed = true;
				break;
			}
		}
	}
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
	if (len > COMPANY_MAX_BYTES)
		return COMPANY_TOO_LONG;
	if (!utf8_is_valid((const unsigned char *) name, len))
		return COMPANY_INVALID_UTF8;
	if (!load_legal_forms())
		return COMPANY_NO_MEMORY;

	if (!is_plain_ascii((const unsigned char *) name, len))
	{
		if (!fold_latin((const unsigned char *) name, len, &latin, &latin_len))
		{
			company_status st = transliterate(name, len, &latin, &latin_len);

			if (st != COMPANY_OK)
				return st;
		}
		text = latin;
	}
	if (!company_tokenize(text, latin_len, &tokens))
	{
		free(latin);
		return COMPANY_NO_MEMORY;
	}
	free(latin);

	first = 0;
	last = tokens.n;
	strip_legal_forms(&tokens, &first, &last);

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
