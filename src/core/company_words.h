/*
 * company_words.h -- one word of a normalized name as company_similarity
 * and the blocking keys compare it (company_words.c): business words
 * written several ways folded to one form (company_words.txt), then a
 * spelling fold under which transliteration schemes and spelling habits
 * meet; and the English word list that tells two words from a typo.
 */
#ifndef CHANNEL_COMPANY_WORDS_H
#define CHANNEL_COMPANY_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* Longest token folded; longer ones are compared as they are. */
#define COMPANY_FOLD_MAX 64

/* The form a word is compared as (company_words.txt), or the word itself. */
const char *company_word_canonical(const char *token);

/*
 * The spelling fold of a lower-case ASCII token of len bytes into out
 * (room for 2 * len + 1 bytes), NUL-terminated; returns its length.
 * Tokens with a digit, and tokens longer than COMPANY_FOLD_MAX, are
 * copied as they are.  Idempotent: folding a folded token changes nothing.
 */
size_t		company_fold_spelling(const char *token, size_t len, char *out);

/* Whether token is in the English word list (english_words.txt). */
bool		company_is_english_word(const char *token);

#endif
