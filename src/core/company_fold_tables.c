/*
 * company_fold_tables.c -- script folding character by character: the
 * Latin table (accented Latin and typographic punctuation to ASCII) and
 * the Han table (each Han character's reading), both filled from ICU's
 * reference transliteration (company_fold_icu.c), so the fast paths and
 * the reference cannot disagree.
 */
#include "company.h"
#include "company_fold.h"
#include "company_fold_tables.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

	if (company_transliterate_reference(utf8, utf8_encode(cp, utf8), &ascii, &alen) != COMPANY_OK)
		return NULL;
	if (!company_is_plain_ascii((const unsigned char *) ascii, alen))
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
		if (strlen(ascii) <= 8)	/* company_fold_by_table's buffer allows 4x the UTF-8 */
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

/* Hiragana, katakana and their extensions (NFKC has made half-width kana full-width). */
static bool
is_kana(uint32_t cp)
{
	return (cp >= 0x3040 && cp < 0x3100) || (cp >= 0x31F0 && cp < 0x3200);
}

/*
 * Japanese legal forms, read as Japanese: the Han table reads every
 * character in Mandarin, which makes 株式会社 "zhu shi hui she"; these are
 * Japanese words (Chinese writes 股份有限公司), read as Japan writes them
 * in Latin letters, and a legal form of legal_forms.txt either way.
 */
static const struct
{
	const char *han;
	const char *reading;
}			japanese_forms[] = {
	{"\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe", " kabushiki kaisha "},	/* 株式会社 */
	{"\xe6\x9c\x89\xe9\x99\x90\xe4\xbc\x9a\xe7\xa4\xbe", " yugen kaisha "},	/* 有限会社 */
	{"\xe5\x90\x88\xe5\x90\x8c\xe4\xbc\x9a\xe7\xa4\xbe", " godo kaisha "},	/* 合同会社 */
	{"\xe5\x90\x88\xe8\xb3\x87\xe4\xbc\x9a\xe7\xa4\xbe", " goshi kaisha "},	/* 合資会社 */
	{"\xe5\x90\x88\xe5\x90\x8d\xe4\xbc\x9a\xe7\xa4\xbe", " gomei kaisha "}	/* 合名会社 */
};

/* The reading of a Japanese legal form starting at s (12 bytes: four Han characters), or NULL. */
static const char *
japanese_form_at(const unsigned char *s, size_t left)
{
	if (left < 12)
		return NULL;
	for (size_t f = 0; f < sizeof(japanese_forms) / sizeof(japanese_forms[0]); f++)
		if (memcmp(s, japanese_forms[f].han, 12) == 0)
			return japanese_forms[f].reading;
	return NULL;
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

	if (is_han(prev) || is_kana(prev))
		return true;
	if (prev < 0x10000 && learned != NULL && learned[prev] != 0)
		return learned[prev] == 2;
	n = utf8_encode(prev, text);
	n += utf8_encode(0x4E2D, text + n);
	if (reading == NULL || company_transliterate_reference(text, n, &latin, &llen) != COMPANY_OK)
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
bool
company_fold_by_table(const unsigned char *s, size_t len, bool keep_other, char **out, size_t *outlen)
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
		else if (is_han(cp) && (ascii = japanese_form_at(s + i, len - i)) != NULL)
		{
			/* 18 bytes at most for 12: within 4x */
			memcpy(buf + o, ascii, strlen(ascii));
			o += strlen(ascii);
			i += 12;
			prev = 0x793E;		/* 社 */
			continue;
		}
		else if (cp < LATIN_TABLE_END && (ascii = latin_table[cp]) != NULL)
		{
			memcpy(buf + o, ascii, strlen(ascii));
			o += strlen(ascii);
		}
		else if (is_han(cp) && append_han(buf, &o, cp, prev))
			 /* appended */ ;
		else if (keep_other)
		{
			/* a word ends between Han and kana: 株式会社ニコン is "... nikon" */
			if (is_kana(cp) && is_han(prev))
				buf[o++] = ' ';
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
