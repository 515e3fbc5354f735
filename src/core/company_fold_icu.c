/*
 * company_fold_icu.c -- script folding through ICU: any script to (almost)
 * ASCII, for company_normalize (step 1 of company_normalize.c).
 *
 * The reference is ICU's compound transliterator "NFKC; Any-Latin;
 * Latin-ASCII"; text the tables of company_fold_tables.c cover (Latin with
 * accents, punctuation, Han) never reaches ICU's transliterators, and text
 * in other scripts (Cyrillic, Greek, kana, Hangul, ...) takes NFKC and
 * Any-Latin from ICU and the Latin-ASCII step from the table.  The
 * transliterators (one chain per script kind: Russian and Ukrainian BGN,
 * Greek UNGEGN, Any-Latin) are opened once per process (a backend) on first
 * use and kept; one that fails to open is closed and not kept, and the
 * call reports COMPANY_ICU_ERROR.
 */
#include "company.h"
#include "company_fold.h"
#include "company_fold_tables.h"

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
		case COMPANY_TOO_LONG_FOLDED:
			return "the name's NFKC form is longer than 65536 UTF-16 code units";
	}
	return "unknown status";
}

const char *
company_icu_error_name(void)
{
	return u_errorName(last_icu_error);
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
			if (*cache != NULL)
				utrans_close(*cache);	/* ICU returns NULL on failure; never keep a half-made one */
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
 *
 * Cyrillic goes through the BGN/PCGN romanization first, Ukrainian's when
 * the text has a letter only Ukrainian writes (і, ї, є, ґ), Russian's
 * otherwise: ICU's default Cyrillic-Latin is ISO 9, whose "â", "û" and
 * "ŝ" Latin-ASCII flattens to "a", "u", "s" ("Яндекс" became "Andeks",
 * "Полюс" "Polus"), far from the English spellings partners write;
 * BGN writes "Yandeks", "Polyus", "Shchekino", and the spelling fold of
 * company_words.c brings the other schemes to it.  Letters BGN leaves
 * (Serbian, Kazakh) go on through Any-Latin.
 */
typedef enum script_kind
{
	SCRIPT_OTHER = 0,
	SCRIPT_RUSSIAN,
	SCRIPT_UKRAINIAN,
	SCRIPT_GREEK,
	N_SCRIPT_KINDS
} script_kind;

/*
 * Greek goes through the UNGEGN romanization (ELOT 743), the one Greek
 * registers and passports use: "β" v, "η" i, "υ" y, "ου" ou, "χ" ch --
 * "Σκλαβενίτης" Sklavenitis, "Μασούτης" Masoutis, where Any-Latin's
 * classical scheme wrote "Sklabenites", "Masoutes".  The spelling fold
 * brings the informal schemes to it ("Biochalko" / "Viochalko" through
 * b -> v, "Masutis" through ou -> u).
 */
static const char *const script_chain[N_SCRIPT_KINDS] = {"Any-Latin", "Russian-Latin/BGN; Any-Latin",
	"Ukrainian-Latin/BGN; Any-Latin", "Greek-Latin/UNGEGN; Any-Latin"};
static const char *const reference_chain[N_SCRIPT_KINDS] = {"NFKC; Any-Latin; Latin-ASCII",
	"NFKC; Russian-Latin/BGN; Any-Latin; Latin-ASCII",
	"NFKC; Ukrainian-Latin/BGN; Any-Latin; Latin-ASCII",
	"NFKC; Greek-Latin/UNGEGN; Any-Latin; Latin-ASCII"};

static UTransliterator *
script_transliterator(script_kind kind)
{
	static UTransliterator *trans[N_SCRIPT_KINDS];

	return open_transliterator(&trans[kind], script_chain[kind]);
}

/* The reference chain with the same script step, for what the tables do not cover. */
static UTransliterator *
script_reference_transliterator(script_kind kind)
{
	static UTransliterator *trans[N_SCRIPT_KINDS];

	return open_transliterator(&trans[kind], reference_chain[kind]);
}

/* Which script step valid UTF-8 text takes (Cyrillic before Greek when both are there). */
static script_kind
script_of(const unsigned char *s, size_t len)
{
	script_kind kind = SCRIPT_OTHER;

	for (size_t i = 0; i + 1 < len; i++)
	{
		/* Cyrillic U+0400..U+04FF is 0xD0 0x80 .. 0xD3 0xBF */
		if (s[i] >= 0xD0 && s[i] <= 0xD3 && (s[i + 1] & 0xC0) == 0x80)
		{
			uint32_t	cp = ((uint32_t) (s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F);

			if (cp == 0x404 || cp == 0x406 || cp == 0x407 || cp == 0x454 || cp == 0x456 ||
				cp == 0x457 || cp == 0x490 || cp == 0x491)
				return SCRIPT_UKRAINIAN;
			kind = SCRIPT_RUSSIAN;
		}
		/* Greek and Coptic U+0370..U+03FF is 0xCD 0xB0 .. 0xCF 0xBF; Greek Extended 0xE1 0xBC..0xBF */
		else if (kind == SCRIPT_OTHER && (s[i + 1] & 0xC0) == 0x80 &&
				 ((s[i] == 0xCD && s[i + 1] >= 0xB0) || s[i] == 0xCE || s[i] == 0xCF ||
				  (s[i] == 0xE1 && s[i + 1] >= 0xBC && s[i + 1] <= 0xBF)))
			kind = SCRIPT_GREEK;
	}
	return kind;
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
company_status
company_transliterate_reference(const char *s, size_t len, char **out, size_t *outlen)
{
	UTransliterator *trans = full_transliterator();

	if (trans == NULL)
		return COMPANY_ICU_ERROR;
	return transliterate_with(trans, s, len, out, outlen);
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
	/*
	 * The work that follows (Any-Latin rewrites its buffer in place, so it
	 * grows faster than the text) is bounded by the NFKC form, not by the
	 * input: 64 kB of U+FDFA spell out to 393,000 characters.
	 */
	if (dlen > COMPANY_MAX_FOLDED)
	{
		free(src);
		return COMPANY_TOO_LONG_FOLDED;
	}
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
	script_kind kind = script_of((const unsigned char *) s, len);
	UTransliterator *trans = script_transliterator(kind);
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
	if (!company_fold_by_table((const unsigned char *) composed, clen, true, &read, &rlen))
	{
		free(composed);
		return COMPANY_NO_MEMORY;
	}
	free(composed);
	st = transliterate_with(trans, read, rlen, &latin, &llen);
	if (st == COMPANY_OK)
	{
		/* what the table does not cover: the whole chain, from before the script step */
		if (!company_fold_by_table((const unsigned char *) latin, llen, false, out, outlen))
			st = transliterate_with(script_reference_transliterator(kind), read, rlen, out, outlen);
		free(latin);
	}
	free(read);
	return st;
}

/*
 * Text not plain ASCII to (almost) ASCII: through the tables when they
 * cover it, else through the other-scripts path.
 */
company_status
company_fold_to_latin(const char *s, size_t len, char **out, size_t *outlen)
{
	if (company_fold_by_table((const unsigned char *) s, len, false, out, outlen))
		return COMPANY_OK;
	return fold_other_script(s, len, out, outlen);
}
