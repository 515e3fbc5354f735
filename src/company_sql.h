/*
 * company_sql.h -- the company-name helpers of company_sql.c that other
 * wrappers share (the registration trigger): the core's status as an
 * ereport, a text normalized, blocking keys as a text[].
 */
#ifndef COMPANY_SQL_H
#define COMPANY_SQL_H

#include "utils/array.h"

#include "company.h"

void		channel_company_check(company_status st, const char *what);
char	   *channel_normalize_text(text *name, const char *what);
char	   *channel_normalize_text_jurisdictions(text *name, const char *what,
												 company_jurisdictions *jurisdictions);
Datum		channel_jurisdictions_array(const company_jurisdictions *jurisdictions, bool *isnull);
ArrayType  *channel_match_keys_array(const char *normalized, const char *prefix);

#endif
