/*
 * company_tokens.h -- splitting a (transliterated) company name into
 * lower-case ASCII tokens; shared by normalization and similarity.
 */
#ifndef CHANNEL_COMPANY_TOKENS_H
#define CHANNEL_COMPANY_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct company_tokens
{
	char	   *buf;			/* the tokens, each NUL-terminated */
	int		   *offset;			/* start of token i in buf */
	int			n;
} company_tokens;

/* Tokenizes text (see company_tokens.c for the rules); false on ENOMEM. */
bool		company_tokenize(const char *text, size_t len, company_tokens *out);

/* Splits an already normalized name on its single spaces. */
bool		company_split(const char *normalized, company_tokens *out);

/* Joins runs of one-letter tokens into one token ("i b m" -> "ibm"). */
void		company_join_letters(company_tokens *t);

void		company_tokens_free(company_tokens *t);

static inline const char *
company_token(const company_tokens *t, int i)
{
	return t->buf + t->offset[i];
}

#endif
