/*
 * company_tokens.c -- the tokenizer behind company_normalize().
 *
 * Input is ASCII or UTF-8 that transliteration has brought (almost) to
 * ASCII; any byte that is not an ASCII letter or digit separates tokens,
 * except inside a word: apostrophes vanish, and dots or slashes join
 * one- and two-letter parts ("s.p.a." -> "spa", "a/s" -> "as") or else
 * split the word ("www.acme.com" -> "www acme com").
 */
#include "company_tokens.h"

#include <stdlib.h>
#include <string.h>

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : (char) c;
}

static bool
is_joiner(unsigned char c)
{
	return c == '.' || c == '/';
}

typedef struct builder
{
	company_tokens *t;
	char	   *p;				/* next free byte of buf */
} builder;

static void
emit(builder *b, const char *s, size_t len)
{
	b->t->offset[b->t->n++] = (int) (b->p - b->t->buf);
	memcpy(b->p, s, len);
	b->p += len;
	*b->p++ = '\0';
}

/*
 * One word: letters, digits, apostrophes, dots and slashes, starting with a
 * letter or digit.  Emits its token(s).
 */
static void
emit_word(builder *b, const char *w, size_t len, char *scratch)
{
	size_t		n = 0;
	size_t		parts = 0;
	size_t		longest = 0;
	size_t		cur = 0;

	/* lower-case, drop apostrophes, trim trailing joiners */
	for (size_t i = 0; i < len; i++)
		if (w[i] != '\'')
			scratch[n++] = lower((unsigned char) w[i]);
	while (n > 0 && is_joiner((unsigned char) scratch[n - 1]))
		n--;
	for (size_t i = 0; i <= n; i++)
	{
		if (i == n || is_joiner((unsigned char) scratch[i]))
		{
			if (cur > 0)
				parts++;
			if (cur > longest)
				longest = cur;
			cur = 0;
		}
		else
			cur++;
	}
	if (parts >= 2 && longest <= 2)
	{
		/* an abbreviation: join its parts */
		size_t		k = 0;

		for (size_t i = 0; i < n; i++)
			if (!is_joiner((unsigned char) scratch[i]))
				scratch[k++] = scratch[i];
		emit(b, scratch, k);
		return;
	}
	for (size_t i = 0, start = 0; i <= n; i++)
	{
		if (i == n || is_joiner((unsigned char) scratch[i]))
		{
			if (i > start)
				emit(b, scratch + start, i - start);
			start = i + 1;
		}
	}
}

bool
company_tokenize(const char *text, size_t len, company_tokens *out)
{
	builder		b;
	char	   *scratch;
	size_t		i = 0;

	/* "&" -> "and" grows text by at most 4 bytes per input byte */
	out->n = 0;
	out->buf = malloc(len * 5 + 1);
	out->offset = malloc(sizeof(int) * (len + 1));
	scratch = malloc(len + 1);
	if (out->buf == NULL || out->offset == NULL || scratch == NULL)
	{
		free(out->buf);
		free(out->offset);
		free(scratch);
		out->buf = NULL;
		out->offset = NULL;
		return false;
	}
	b.t = out;
	b.p = out->buf;
	while (i < len)
	{
		unsigned char c = (unsigned char) text[i];

		if (is_alnum(c))
		{
			size_t		start = i;

			while (i < len && (is_alnum((unsigned char) text[i]) || is_joiner((unsigned char) text[i]) ||
							   text[i] == '\''))
				i++;
			emit_word(&b, text + start, i - start, scratch);
		}
		else
		{
			if (c == '&' || c == '+')
				emit(&b, "and", 3);
			i++;
		}
	}
	free(scratch);
	return true;
}

bool
company_split(const char *normalized, company_tokens *out)
{
	size_t		len = strlen(normalized);

	out->n = 0;
	out->buf = malloc(len + 1);
	out->offset = malloc(sizeof(int) * (len / 2 + 2));
	if (out->buf == NULL || out->offset == NULL)
	{
		free(out->buf);
		free(out->offset);
		out->buf = NULL;
		out->offset = NULL;
		return false;
	}
	memcpy(out->buf, normalized, len + 1);
	for (size_t i = 0; i < len;)
	{
		while (i < len && out->buf[i] == ' ')
			out->buf[i++] = '\0';
		if (i == len)
			break;
		out->offset[out->n++] = (int) i;
		while (i < len && out->buf[i] != ' ')
			i++;
	}
	return true;
}

void
company_tokens_free(company_tokens *t)
{
	free(t->buf);
	free(t->offset);
	t->buf = NULL;
	t->offset = NULL;
	t->n = 0;
}

static bool
is_letter_token(const company_tokens *t, int i)
{
	const char *tok = company_token(t, i);

	return tok[0] >= 'a' && tok[0] <= 'z' && tok[1] == '\0';
}

/*
 * Runs of two or more one-letter tokens become one token: "I B M" is
 * "ibm" as "I.B.M." is, "S A" the legal form "sa", and "P & G" (an "and"
 * between two single letters) "pg".  In place: the run's letters move
 * into its first token's bytes.
 */
void
company_join_letters(company_tokens *t)
{
	int			n = 0;

	for (int i = 0; i < t->n;)
	{
		int			j = i,
					letters = 0;

		while (j < t->n && (is_letter_token(t, j) ||
							(j > i && j + 1 < t->n && strcmp(company_token(t, j), "and") == 0 &&
							 is_letter_token(t, j + 1))))
		{
			letters += is_letter_token(t, j);
			j++;
		}
		if (letters >= 2)
		{
			char	   *dst = t->buf + t->offset[i];
			int			o = 1;

			for (int k = i + 1; k < j; k++)
				if (is_letter_token(t, k))
					dst[o++] = company_token(t, k)[0];
			dst[o] = '\0';
			t->offset[n++] = t->offset[i];
			i = j;
		}
		else
			t->offset[n++] = t->offset[i++];
	}
	t->n = n;
}
