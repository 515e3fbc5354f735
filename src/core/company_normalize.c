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
 */
#include "company.h"
#include "company_tokens.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
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
 * Transliterators are costly to build (milliseconds) and cheap to reuse, so
 * each is opened on first use and kept for the life of the process.
 */
static UTransliterator *
open_transliterator(UTransliterator **cache, const char *id)
{
	if (*cache == NULL)
	{
		UChar		uid[64];
		UErrorCode	err = U_ZERO_ERROR;

		u_charsToUChars(id, uid, (int32_t) strlen(id) + 1);
		*cache = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
		if (U_FAILURE(err))
		{
			last_icu_error = err;
			*cache = NULL;
		}
	}
	return *cache;
}

/* The reference transliteration: every path below must agree with it. */
static UTransliterator *
full_transliterator(void)
{
	static UTransliterator *trans = NULL;

	return open_transliterator(&trans, "NFKC; Any-Latin; Latin-ASCII");
}

/*
 * The script step alone.  Latin-ASCII is the costliest part of the full
 * chain, and the Latin table below does the same per character, so text
 * already in NFKC runs through this one and then through the table.
 */
static UTransliterator *
script_transliterator(void)
{
	static UTransliterator *trans = NULL;

	return open_transliterator(&trans, "Any-Latin");
}

/* UTF-16 to malloc'd, NUL-terminated UTF-8. */
static company_status
utf16_to_utf8(const UChar *u, int32_t ulen, char **out, size_t *outlen)
{
	UErrorCode	err = U_ZERO_ERROR;
	int32_t		olen = 0;
	char	   *obuf;

	u_strToUTF8(NULL, 0, &olen, u, ulen, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
	{
		last_icu_error = err;
		return COMPANY_ICU_ERROR;
	}
	err = U_ZERO_ERROR;
	obuf = malloc((size_t) olen + 1);
	if (obuf == NULL)
		return COMPANY_NO_MEMORY;
	u_strToUTF8(obuf, olen + 1, NULL, u, ulen, &err);
	if (U_FAILURE(err))
	{
		last_icu_error = err;
		free(obuf);
		return COMPANY_ICU_ERROR;
	}
	*out = obuf;
	*outlen = (size_t) olen;
	return COMPANY_OK;
}

/*
 * UTF-8 in, mostly-ASCII UTF-8 out (malloc'd): what ICU cannot bring to
 * ASCII stays and is treated as a separator by the tokenizer.
 */
static company_status
transliterate_with(UTransliterator *trans, const char *s, size_t len, char **out, size_t *outlen)
{
	UErrorCode	err = U_ZERO_ERROR;
	int32_t		ulen = 0;
	UChar	   *ubuf = NULL;
	int32_t		cap;
	int32_t		limit;
	company_status st;

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
	st = utf16_to_utf8(ubuf, ulen, out, outlen);
	free(ubuf);
	return st;

icu_failed:
	last_icu_error = err;
	free(ubuf);
	return COMPANY_ICU_ERROR;
}

/* Through the reference chain. */
static company_status
transliterate(const char *s, size_t len, char **out, size_t *outlen)
{
	UTransliterator *trans = full_transliterator();

	if (trans == NULL)
		return COMPANY_ICU_ERROR;
	return transliterate_with(trans, s, len, out, outlen);
}

/* ---------------------------------------------------------------- UTF-8 helpers */

/* One code point of valid UTF-8 at s; *n gets its length in bytes. */
static uint32_t
utf8_decode(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80)
		return *n = 1, s[0];
	if (s[0] < 0xE0)
		return *n = 2, ((uint32_t) (s[0] & 0x1F) << 6) | (s[1] & 0x3F);
	if (s[0] < 0xF0)
		return *n = 3, ((uint32_t) (s[0] & 0x0F) << 12) | ((uint32_t) (s[1] & 0x3F) << 6) | (s[2] & 0x3F);
	return *n = 4, ((uint32_t) (s[0] & 0x07) << 18) | ((uint32_t) (s[1] & 0x3F) << 12) |
		((uint32_t) (s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

/* UTF-8 of a code point; returns its length. */
static size_t
utf8_encode(uint32_t cp, char *utf8)
{
	if (cp < 0x80)
		return utf8[0] = (char) cp, 1;
	if (cp < 0x800)
	{
		utf8[0] = (char) (0xC0 | (cp >> 6));
		utf8[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		utf8[0] = (char) (0xE0 | (cp >> 12));
		utf8[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		utf8[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	utf8[0] = (char) (0xF0 | (cp >> 18));
	utf8[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	utf8[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	utf8[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* The reference transliteration of one code point, if it is plain ASCII. */
static char *
ascii_of_code_point(uint32_t cp)
{
	char		utf8[4];
	char	   *ascii = NULL;
	size_t		alen = 0;

	if (transliterate(utf8, utf8_encode(cp, utf8), &ascii, &alen) != COMPANY_OK)
		return NULL;
	if (!is_plain_ascii((const unsigned char *) ascii, alen))
	{
		free(ascii);
		return NULL;
	}
	return ascii;
}

/* ---------------------------------------------------------------- Latin table */

/*
 * Most names that are not plain ASCII are Latin with accents ("Société",
 * "Müller", "Łódź", Vietnamese "Nguyễn") and typographic punctuation.
 * Running ICU's compound transliterator over a whole string costs
 * microseconds per character, so text whose code points all lie in
 * Latin-1, Latin Extended-A/B, IPA and spacing modifiers, the combining
 * diacritics, Latin Extended Additional or General Punctuation is mapped
 * character by character instead, through a table filled, once, by that
 * same transliterator -- the two paths cannot disagree.
 */
#define LATIN_TABLE_END 0x2070

static char **latin_table;		/* code point -> ASCII, NULL = not covered */

static bool
latin_covered(uint32_t cp)
{
	return (cp >= 0x80 && cp < 0x370) || (cp >= 0x1E00 && cp < 0x1F00) ||
		(cp >= 0x2000 && cp < LATIN_TABLE_END);
}

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
		char	   *ascii;

		if (!latin_covered(cp) || (ascii = ascii_of_code_point(cp)) == NULL)
			continue;
		if (strlen(ascii) <= 8)	/* fold_by_table's buffer allows 4x the UTF-8 */
			latin_table[cp] = ascii;
		else
			free(ascii);
	}
	return true;
}

/* ---------------------------------------------------------------- Han table */

/*
 * Han characters are read one by one: ICU's Han-Latin gives each its
 * Mandarin reading, and a whole-string pass costs ~60 µs a name whatever
 * its length, twenty times the rest of normalization.  A character's
 * reading is looked up once, on first sight, and kept.  Reading character
 * by character drops the few phrase readings Han-Latin knows (重庆 is
 * "zhong qing", not "chong qing"), which is also what makes the reading of
 * a character the same in every name it appears in.  Han-Latin puts a
 * space before a reading after some characters and not others ("ABC中国"
 * = "ABC zhong guo", "1中" = "1zhong", "&中" = "&zhong"); which, is
 * learned from ICU itself, once per preceding character.
 */
#define HAN_FIRST 0x3400
#define HAN_END 0xA000

static char **han_table;		/* cp - HAN_FIRST -> reading, NULL = not read yet */
static char han_unreadable[] = "";	/* ICU gave no ASCII reading */

static bool
is_han(uint32_t cp)
{
	return (cp >= 0x3400 && cp < 0x4DC0) || (cp >= 0x4E00 && cp < HAN_END);
}

/* The ASCII reading of a Han character, or NULL if it has none. */
static const char *
han_reading(uint32_t cp)
{
	char	  **slot;

	if (han_table == NULL && (han_table = calloc(HAN_END - HAN_FIRST, sizeof(char *))) == NULL)
		return NULL;
	slot = &han_table[cp - HAN_FIRST];
	if (*slot == NULL)
	{
		char	   *ascii = ascii_of_code_point(cp);

		/* at most 10 bytes: with its space it stays within 4x the UTF-8 */
		if (ascii == NULL || ascii[0] == '\0' || strlen(ascii) > 10)
		{
			free(ascii);
			*slot = han_unreadable;
		}
		else
			*slot = ascii;
	}
	return *slot == han_unreadable ? NULL : *slot;
}

/*
 * Whether the reference chain writes a space between prev and the reading
 * of a Han character that follows it: asked of ICU with U+4E2D, and kept
 * for characters of the Basic Multilingual Plane.
 */
static bool
space_before_han(uint32_t prev)
{
	static unsigned char *learned;	/* BMP: 0 = not asked, 1 = no, 2 = yes */
	char		text[8];
	size_t		n;
	char	   *latin = NULL;
	size_t		llen = 0;
	const char *reading = han_reading(0x4E2D);
	bool		space;

	if (is_han(prev))
		return true;
	if (prev < 0x10000 && learned != NULL && learned[prev] != 0)
		return learned[prev] == 2;
	n = utf8_encode(prev, text);
	n += utf8_encode(0x4E2D, text + n);
	if (reading == NULL || transliterate(text, n, &latin, &llen) != COMPANY_OK)
		return true;
	space = llen > strlen(reading) && latin[llen - strlen(reading) - 1] == ' ';
	free(latin);
	if (prev < 0x10000 && (learned != NULL || (learned = calloc(0x10000, 1)) != NULL))
		learned[prev] = space ? 2 : 1;
	return space;
}

/* Appends a Han character's reading after prev (0: none); false if it has none. */
static bool
append_han(char *buf, size_t *o, uint32_t cp, uint32_t prev)
{
	const char *reading = han_reading(cp);
	size_t		l;

	if (reading == NULL)
		return false;
	if (prev != 0 && space_before_han(prev))
		buf[(*o)++] = ' ';
	l = strlen(reading);
	memcpy(buf + *o, reading, l);
	*o += l;
	return true;
}

/* ---------------------------------------------------------------- table fold */

/*
 * The ASCII form of text through the Latin and Han tables; false (and
 * nothing allocated) when a code point is in neither.  With keep_other,
 * such code points are copied as they are instead, for ICU to take on.
 */
static bool
fold_by_table(const unsigned char *s, size_t len, bool keep_other, char **out, size_t *outlen)
{
	char	   *buf;
	size_t		o = 0;
	uint32_t	prev = 0;

	if (!load_latin_table())
		return false;
	buf = malloc(len * 4 + 1);	/* no entry is longer than 4x its UTF-8 */
	if (buf == NULL)
		return false;
	for (size_t i = 0; i < len;)
	{
		size_t		n;
		uint32_t	cp = utf8_decode(s + i, &n);
		const char *ascii;

		if (cp < 0x80)
			buf[o++] = (char) cp;
		else if (cp < LATIN_TABLE_END && (ascii = latin_table[cp]) != NULL)
		{
			memcpy(buf + o, ascii, strlen(ascii));
			o += strlen(ascii);
		}
		else if (is_han(cp) && append_han(buf, &o, cp, prev))
			 /* appended */ ;
		else if (keep_other)
		{
			memcpy(buf + o, s + i, n);
			o += n;
		}
		else
		{
			free(buf);
			return false;
		}
		prev = cp;
		i += n;
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return true;
}

/* ---------------------------------------------------------------- other scripts */

/* NFKC of UTF-8 text, through ICU's normalizer (not a transliterator). */
static company_status
nfkc(const char *s, size_t len, char **out, size_t *outlen)
{
	UErrorCode	err = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFKCInstance(&err);
	UChar	   *src = NULL,
			   *dst = NULL;
	int32_t		slen = 0,
				dlen = 0;
	company_status st;

	if (U_FAILURE(err))
		goto icu_failed;
	u_strFromUTF8(NULL, 0, &slen, s, (int32_t) len, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		goto icu_failed;
	err = U_ZERO_ERROR;
	src = malloc(sizeof(UChar) * ((size_t) slen + 1));
	if (src == NULL)
		return COMPANY_NO_MEMORY;
	u_strFromUTF8(src, slen + 1, NULL, s, (int32_t) len, &err);
	if (U_FAILURE(err))
		goto icu_failed;
	dlen = unorm2_normalize(norm, src, slen, NULL, 0, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		goto icu_failed;
	err = U_ZERO_ERROR;
	dst = malloc(sizeof(UChar) * ((size_t) dlen + 1));
	if (dst == NULL)
	{
		free(src);
		return COMPANY_NO_MEMORY;
	}
	unorm2_normalize(norm, src, slen, dst, dlen + 1, &err);
	if (U_FAILURE(err))
		goto icu_failed;
	st = utf16_to_utf8(dst, dlen, out, outlen);
	free(src);
	free(dst);
	return st;

icu_failed:
	last_icu_error = err;
	free(src);
	free(dst);
	return COMPANY_ICU_ERROR;
}

/*
 * Text in other scripts (Cyrillic, Greek, kana, Hangul, ...): NFKC, Han
 * read through the table as everywhere else, ICU's Any-Latin for the
 * script, then the Latin table for Latin-ASCII -- the costly last step of
 * the reference chain, done per character.  What the table does not cover
 * after Any-Latin goes through the reference chain instead.
 */
static company_status
fold_other_script(const char *s, size_t len, char **out, size_t *outlen)
{
	UTransliterator *trans = script_transliterator();
	char	   *composed = NULL,
			   *read = NULL,
			   *latin = NULL;
	size_t		clen,
				rlen,
				llen;
	company_status st;

	if (trans == NULL)
		return COMPANY_ICU_ERROR;
	if ((st = nfkc(s, len, &composed, &clen)) != COMPANY_OK)
		return st;
	if (!fold_by_table((const unsigned char *) composed, clen, true, &read, &rlen))
	{
		free(composed);
		return COMPANY_NO_MEMORY;
	}
	free(composed);
	st = transliterate_with(trans, read, rlen, &latin, &llen);
	if (st == COMPANY_OK)
	{
		/* what the table does not cover: the reference chain, from before Any-Latin */
		if (!fold_by_table((const unsigned char *) latin, llen, false, out, outlen))
			st = transliterate(read, rlen, out, outlen);
		free(latin);
	}
	free(read);
	return st;
}

/*
 * Text not plain ASCII to (almost) ASCII: through the tables when they
 * cover it, else through the other-scripts path.
 */
static company_status
fold_to_latin(const char *s, size_t len, char **out, size_t *outlen)
{
	if (fold_by_table((const unsigned char *) s, len, false, out, outlen))
		return COMPANY_OK;
	return fold_other_script(s, len, out, outlen);
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

/*
 * A name is checked against every form at each end, so the forms are
 * indexed by the token a match must end with (for forms at the end) and
 * begin with (forms written first): a binary search finds the few that
 * can match.  Within one token, entries keep the longest-first order.
 */
static int *forms_by_last;
static int *forms_by_first;
static int	n_forms_by_last;
static int	n_forms_by_first;

static const char *
form_edge_token(int f, bool last)
{
	const company_tokens *t = &legal_forms[f].tokens;

	return company_token(t, last ? t->n - 1 : 0);
}

/* Orders forms by one edge token, then by their longest-first position. */
static int
compare_edge(int fa, int fb, bool last)
{
	int			c = strcmp(form_edge_token(fa, last), form_edge_token(fb, last));

	return c != 0 ? c : fa - fb;
}

static int
by_last_token(const void *a, const void *b)
{
	return compare_edge(*(const int *) a, *(const int *) b, true);
}

static int
by_first_token(const void *a, const void *b)
{
	return compare_edge(*(const int *) a, *(const int *) b, false);
}

/* Builds both indexes over legal_forms; false on ENOMEM. */
static bool
index_legal_forms(void)
{
	int			n = 0;

	forms_by_last = malloc(sizeof(int) * (n_legal_forms + 1));
	forms_by_first = malloc(sizeof(int) * (n_legal_forms + 1));
	if (forms_by_last == NULL || forms_by_first == NULL)
	{
		free(forms_by_last);
		free(forms_by_first);
		forms_by_last = forms_by_first = NULL;
		return false;
	}
	for (size_t f = 0; f < n_legal_forms; f++)
	{
		if (legal_forms[f].tokens.n == 0)
			continue;			/* a form of punctuation alone never matches */
		forms_by_last[n++] = (int) f;
		if (legal_forms[f].before_too)
			forms_by_first[n_forms_by_first++] = (int) f;
	}
	n_forms_by_last = n;
	qsort(forms_by_last, n, sizeof(int), by_last_token);
	qsort(forms_by_first, n_forms_by_first, sizeof(int), by_first_token);
	forms_by_last[n] = -1;		/* end marker */
	forms_by_first[n_forms_by_first] = -1;
	return true;
}

/* The first entry of index (ending with -1) whose edge token is token. */
static const int *
forms_with_edge(const int *index, int n, const char *token, bool last)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (strcmp(form_edge_token(index[mid], last), token) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &index[lo];
}

static int
longest_first(const void *a, const void *b)
{
	return ((const legal_form *) b)->tokens.n - ((const legal_form *) a)->tokens.n;
}

/* Undoes a half-done load_legal_forms (out of memory); returns false. */
static bool
free_legal_forms(void)
{
	for (size_t k = 0; k < n_legal_forms; k++)
		company_tokens_free(&legal_forms[k].tokens);
	free(legal_forms);
	legal_forms = NULL;
	n_legal_forms = 0;
	return false;
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

		/* forms written with accents or in other scripts are read like names */
		if (!is_plain_ascii((const unsigned char *) t, len) &&
			fold_to_latin(t, len, &latin, &len) == COMPANY_OK)
			t = latin;
		ok = company_tokenize(t, len, &legal_forms[n_legal_forms].tokens);
		free(latin);
		if (!ok)
			return free_legal_forms();
		legal_forms[n_legal_forms].before_too = legal_form_source[i].before_too;
		n_legal_forms++;
	}
	qsort(legal_forms, n_legal_forms, sizeof(legal_form), longest_first);
	if (!index_legal_forms())
		return free_legal_forms();
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
 * The first form, in longest-first order, that tokens [first, last) end
 * with (at_end) or begin with, leaving at least one token; -1 if none.
 */
static int
matching_form(const company_tokens *t, int first, int last, bool at_end)
{
	const char *edge = company_token(t, at_end ? last - 1 : first);
	const int  *f = at_end ? forms_with_edge(forms_by_last, n_forms_by_last, edge, true)
		: forms_with_edge(forms_by_first, n_forms_by_first, edge, false);

	for (; *f >= 0 && strcmp(form_edge_token(*f, at_end), edge) == 0; f++)
	{
		const company_tokens *form = &legal_forms[*f].tokens;

		if (last - first > form->n &&
			tokens_equal_at(t, at_end ? last - form->n : first, form))
			return *f;
	}
	return -1;
}

/*
 * Drops "the", legal forms and the "and" they leave, from [*first, *last);
 * never the last remaining token.  Of the forms that match, the longest
 * goes first, at the end when it matches both ends.
 */
static void
strip_legal_forms(const company_tokens *t, int *first, int *last)
{
	bool		changed = true;

	while (changed && *last - *first > 1)
	{
		int			at_end,
					at_start;

		changed = false;
		if (strcmp(company_token(t, *first), "the") == 0)
		{
			(*first)++;
			changed = true;
			if (*last - *first <= 1)
				break;
		}
		at_end = matching_form(t, *first, *last, true);
		at_start = matching_form(t, *first, *last, false);
		if (at_end >= 0 && (at_start < 0 || at_end <= at_start))
		{
			*last -= legal_forms[at_end].tokens.n;
			if (*last - *first > 1 && strcmp(company_token(t, *last - 1), "and") == 0)
				(*last)--;
			changed = true;
		}
		else if (at_start >= 0)
		{
			*first += legal_forms[at_start].tokens.n;
			changed = true;
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
		company_status st = fold_to_latin(name, len, &latin, &latin_len);

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
