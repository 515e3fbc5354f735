/*
 * company_fold.h -- script folding, as normalization needs it: text in any
 * script to (almost) ASCII (company_fold_icu.c, company_fold_tables.c).
 */
#ifndef CHANNEL_COMPANY_FOLD_H
#define CHANNEL_COMPANY_FOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "company.h"

/*
 * Valid UTF-8 not plain ASCII to mostly-ASCII UTF-8 (malloc'd, *outlen
 * bytes, NUL-terminated): what ICU cannot bring to ASCII stays and is
 * treated as a separator by the tokenizer.
 */
company_status company_fold_to_latin(const char *s, size_t len, char **out, size_t *outlen);

static inline bool
company_is_plain_ascii(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 0x80)
			return false;
	return true;
}

#endif
