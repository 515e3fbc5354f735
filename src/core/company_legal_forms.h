/*
 * company_legal_forms.h -- dropping legal-form designations from a
 * tokenized name (company_legal_forms.c).
 */
#ifndef CHANNEL_COMPANY_LEGAL_FORMS_H
#define CHANNEL_COMPANY_LEGAL_FORMS_H

#include <stdbool.h>

#include "company_tokens.h"

/* Tokenizes the compiled-in list once per process; false on ENOMEM. */
bool		company_load_legal_forms(void);

/*
 * Drops "the" (first or last), legal forms and the "and" they leave, from tokens
 * [*first, *last); never the last remaining token.  The list must be
 * loaded.
 */
void		company_strip_legal_forms(const company_tokens *t, int *first, int *last,
									  company_jurisdictions *found);

/* The distinct countries of the list (-1 if it cannot load) and the code of the k-th. */
int			company_jurisdiction_count(void);
const char *company_jurisdiction_code(int k);

#endif
