/*
 * company_words.c -- a word of a normalized name, as names are compared.
 *
 * Partners write the same word of a company name several ways: the SEC's
 * conformed abbreviations ("Finl", "Hldgs"), singular and plural, British
 * and American spellings, and trade words in their own language
 * ("Optik" / "Optics", "Sistemas" / "Systems").  company_words.txt folds
 * each to one form.  Then the spelling fold below brings together what
 * transliteration schemes and spelling habits write differently:
 *
 *   shch, sch, sh -> s      (Щ, Ш: "Shchekino" / "Schekino", "Sheremetyevo" / "Šeremet'evo")
 *   ch, ck, c, q -> k       (Ч: "Mechel" / "Mečel"; "Dickson" / "Dikson", "Clark" / "Klark")
 *   ts, tz -> k             (Ц written "ts", "tz" or "c": "Tsentr" / "Centr")
 *   kh -> h, zh -> s, ph -> f, th -> t, x -> ks
 *   y, j -> i               (Й, Я, Ю: "Lukoil" / "Lukojl", "Yandex" / "Jandeks")
 *   z -> s                  ("Surgutneftegaz" / "Surgutneftegas", "-ize" / "-ise")
 *   w -> v                  ("Wärtsilä" and German ASCII spellings)
 *   b -> v                  (Greek β: "Viohalco" / "Biochalko", Cyrillic в written "b")
 *   ae -> a, oe -> o, ue -> u, ou -> u
 *                           (German and Nordic ASCII spellings of ä, ö, ü; Greek ου)
 *   doubled letters -> one  ("Kellogg" / "Kelogg", "Aalborg" / "Ålborg", "ij" / "y")
 *   a leading ie, iu -> e, u  (Е, Ю at the start: "Yevraz" / "Evraz", "Yunipro" / "Unipro")
 *
 * The fold runs to a fixed point (a folded token folds to itself).  It
 * makes different words equal now and then ("Sysco" and "Cisco" fold to
 * "sisko" and "kisko"), which the weights and the typo rules of
 * company_similarity absorb: two names still need most of their weight in
 * common to match.  Tokens with a digit are left alone.
 */
#include "company_words.h"

#include <stdlib.h>
#include <string.h>

static const struct word_entry
{
	const char *word;
	const char *as;
}			word_table[] = {
#include "company_words.inc"
};

static const char *const english_words[] = {
#include "english_words.inc"
};

#define N_WORDS (sizeof(word_table) / sizeof(word_table[0]))
#define N_ENGLISH (sizeof(english_words) / sizeof(english_words[0]))

const char *
company_word_canonical(const char *token)
{
	size_t		lo = 0,
				hi = N_WORDS;

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		int			c = strcmp(token, word_table[mid].word);

		if (c == 0)
			return word_table[mid].as;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return token;
}

bool
company_is_english_word(const char *token)
{
	size_t		lo = 0,
				hi = N_ENGLISH;
	size_t		len = 0;

	while (len < 15 && token[len] != '\0')
		len++;

	/* the list holds words of 5 to 14 letters */
	if (len < 5 || len > 14)
		return false;

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		int			c = strcmp(token, english_words[mid]);

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* s[i], s[i + 1] and s[i + 2] are (a, b, c), for the rules below */
#define AT2(a, b) (i + 1 < len && s[i] == (a) && s[i + 1] == (b))
#define AT3(a, b, c) (i + 2 < len && s[i] == (a) && s[i + 1] == (b) && s[i + 2] == (c))

/*
 * One pass of the letter rules; returns the length written to out.  The
 * longest rule starting at a letter goes first.
 */
static size_t
fold_once(const char *s, size_t len, char *out, bool vowel_pairs)
{
	size_t		o = 0;

	for (size_t i = 0; i < len;)
	{
		char		c = s[i];

		switch (c)
		{
			case 's':
				if (i + 3 < len && AT3('s', 'h', 'c') && s[i + 3] == 'h')
					i += 4;
				else if (AT3('s', 'c', 'h'))
					i += 3;
				else if (AT2('s', 'h'))
					i += 2;
				else
					i++;
				out[o++] = 's';
				continue;
			case 'c':
				i += AT2('c', 'h') || AT2('c', 'k') ? 2 : 1;
				out[o++] = 'k';
				continue;
			case 'k':
				if (AT2('k', 'h'))
				{
					i += 2;
					out[o++] = 'h';
					continue;
				}
				break;
			case 'z':
				i += AT2('z', 'h') ? 2 : 1;
				out[o++] = 's';
				continue;
			case 'p':
				if (AT2('p', 'h'))
				{
					i += 2;
					out[o++] = 'f';
					continue;
				}
				break;
			case 't':
				if (AT2('t', 'h'))
				{
					i += 2;
					out[o++] = 't';
					continue;
				}
				if (AT2('t', 's') || AT2('t', 'z'))
				{
					i += 2;
					out[o++] = 'k';
					continue;
				}
				break;
			case 'e':
				if (vowel_pairs && AT2('e', 'i'))
				{
					i += 2;
					out[o++] = 'i';
					continue;
				}
				break;
			case 'a':
			case 'o':
			case 'u':
				if (vowel_pairs && c == 'a' && AT2('a', 'i'))
				{
					i += 2;
					out[o++] = 'e';
					continue;
				}
				if (vowel_pairs && c == 'o' && AT2('o', 'i'))
				{
					i += 2;
					out[o++] = 'i';
					continue;
				}
				if (AT2(c, 'e'))
				{
					i += 2;
					out[o++] = c;
					continue;
				}
				if (c == 'o' && AT2('o', 'u'))
				{
					i += 2;
					out[o++] = 'u';
					continue;
				}
				break;
			case 'x':
				i++;
				out[o++] = 'k';
				out[o++] = 's';
				continue;
			case 'q':
				c = 'k';
				break;
			case 'w':
			case 'b':
				c = 'v';
				break;
			case 'y':
			case 'j':
				c = 'i';
				break;
		}
		out[o++] = c;
		i++;
	}
	/* doubled letters */
	{
		size_t		k = 0;

		for (size_t i = 0; i < o; i++)
			if (k == 0 || out[k - 1] != out[i])
				out[k++] = out[i];
		o = k;
	}
	/* a leading "ie" or "iu": Е and Ю at the start of a word */
	if (o >= 3 && out[0] == 'i' && (out[1] == 'e' || out[1] == 'u'))
	{
		memmove(out, out + 1, o - 1);
		o--;
	}
	out[o] = '\0';
	return o;
}

/*
 * Greek's vowel pairs, read as spoken in the Latin spellings of Greek names
 * ("Mytilinaios" / "Mytilineos", "Peiraios" / "Pireos": the letters' scheme
 * writes "ai", "ei", "oi", the sound's "e", "i", "i"), in words of
 * VOWEL_PAIRS_MIN_LEN letters or more once folded by the other rules only:
 * in a short word they are too much of it ("Meiji", "Seiko", "Bain" are not
 * "Miji", "Siko", "Ben").  They run after the other rules have reached their
 * fixed point, to a fixed point of all of them, so the fold stays
 * idempotent: its result is a fixed point of the other rules, and has no
 * vowel pair left whatever its length.
 */
#define VOWEL_PAIRS_MIN_LEN 8

size_t
company_fold_spelling(const char *token, size_t len, char *out)
{
	char		a[2 * COMPANY_FOLD_MAX + 1],
				b[2 * COMPANY_FOLD_MAX + 1];
	size_t		n;

	bool		as_is = len > COMPANY_FOLD_MAX;

	for (size_t i = 0; i < len && !as_is; i++)
		as_is = token[i] >= '0' && token[i] <= '9';
	if (as_is)
	{
		memcpy(out, token, len);
		out[len] = '\0';
		return len;
	}
	/*
	 * To a fixed point: a pass can make a new pair ("aee" -> "ae").  It
	 * ends: the first pass leaves none of the letters the one-letter rules
	 * rewrite (b, c, j, q, w, x, y, z: no rule writes one), so every later
	 * pass that changes anything makes the text shorter.
	 */
	n = fold_once(token, len, a, false);
	for (bool vowel_pairs = false;;)
	{
		size_t		m = fold_once(a, n, b, vowel_pairs);

		if (m == n && memcmp(a, b, n) == 0)
		{
			/* the Greek vowel pairs then, in a word long once folded */
			if (vowel_pairs || n < VOWEL_PAIRS_MIN_LEN)
				break;
			vowel_pairs = true;
			continue;
		}
		memcpy(a, b, m + 1);
		n = m;
	}
	memcpy(out, a, n + 1);
	return n;
}
