/*
 * company_fold_tables.h -- between the two rooms of script folding: the
 * tables (company_fold_tables.c) are filled from ICU's reference chain,
 * and the ICU path (company_fold_icu.c) uses the tables for what they cover.
 */
#ifndef CHANNEL_COMPANY_FOLD_TABLES_H
#define CHANNEL_COMPANY_FOLD_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "company.h"

/* Through ICU's "NFKC; Any-Latin; Latin-ASCII" (malloc'd result). */
company_status company_transliterate_reference(const char *s, size_t len, char **out, size_t *outlen);

/*
 * The ASCII form of valid UTF-8 through the Latin and Han tables; false
 * (and nothing allocated) when a code point is in neither.  With
 * keep_other, such code points are copied as they are instead, for ICU
 * to take on.
 */
bool		company_fold_by_table(const unsigned char *s, size_t len, bool keep_other,
								  char **out, size_t *outlen);

#endif
