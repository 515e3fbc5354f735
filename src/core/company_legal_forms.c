/*
 * company_legal_forms.c -- the legal-form designations company_normalize
 * drops (step 5 of company_normalize.c): the list of legal_forms.txt,
 * compiled in as legal_forms.inc, tokenized by the rules names are, and
 * indexed by the token a form ends (or, for forms written first, begins)
 * with.
 */
#include "company.h"
#include "company_fold.h"
#include "company_legal_forms.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- legal forms */

static const struct
{
	const char *text;
	bool		before_too;
	const char *jurisdictions;	/* "DE,AT" or "*" */
}			legal_form_source[] = {
#include "legal_forms.inc"
};

#define N_LEGAL_FORMS (sizeof(legal_form_source) / sizeof(legal_form_source[0]))

typedef struct legal_form
{
	company_tokens tokens;
	bool		before_too;
	company_jurisdictions jurisdictions;	/* of every entry tokenized alike */
} legal_form;

static legal_form *legal_forms;
static size_t n_legal_forms;

/* The ISO 3166 codes met in the list, in order of first appearance: bit k is codes[k]. */
static char jurisdiction_codes[COMPANY_MAX_JURISDICTIONS][3];
static int	n_jurisdiction_codes;

/*
 * The set of a "DE,AT"-style list (empty for "*"), codes numbered as first
 * met; false when the list has more distinct codes than the set holds.
 */
static bool
parse_jurisdictions(const char *list, company_jurisdictions *set)
{
	memset(set, 0, sizeof(*set));
	if (strcmp(list, "*") == 0)
		return true;
	for (const char *p = list; p[0] != '\0' && p[1] != '\0'; p += p[2] == ',' ? 3 : 2)
	{
		int			k;

		for (k = 0; k < n_jurisdiction_codes; k++)
			if (jurisdiction_codes[k][0] == p[0] && jurisdiction_codes[k][1] == p[1])
				break;
		if (k == n_jurisdiction_codes)
		{
			if (k == COMPANY_MAX_JURISDICTIONS)
				return false;
			jurisdiction_codes[k][0] = p[0];
			jurisdiction_codes[k][1] = p[1];
			jurisdiction_codes[k][2] = '\0';
			n_jurisdiction_codes++;
		}
		set->bits[k / 64] |= UINT64_C(1) << (k % 64);
		if (p[2] == '\0')
			break;
	}
	return true;
}

static bool
tokens_same(const company_tokens *a, const company_tokens *b)
{
	if (a->n != b->n)
		return false;
	for (int k = 0; k < a->n; k++)
		if (strcmp(company_token(a, k), company_token(b, k)) != 0)
			return false;
	return true;
}

/* Entries that tokenize alike ("AS", "A/S", "a.s.", "A.Ş.") pool their countries. */
static void
pool_jurisdictions(void)
{
	for (size_t i = 0; i < n_legal_forms; i++)
		for (size_t j = i + 1; j < n_legal_forms; j++)
			if (tokens_same(&legal_forms[i].tokens, &legal_forms[j].tokens))
				for (int w = 0; w < 2; w++)
				{
					uint64_t	u = legal_forms[i].jurisdictions.bits[w] | legal_forms[j].jurisdictions.bits[w];

					legal_forms[i].jurisdictions.bits[w] = legal_forms[j].jurisdictions.bits[w] = u;
				}
}


/*
 * A name is checked against every form at each end, so the forms are
 * indexed by the token a match must end with (for forms at the end) and
 * begin with (forms written first): a binary search finds the few that
 * can match.  Within one token, entries keep the longest-first order.
 */
static int *forms_by_last;
static int *forms_by_first;
static int	n_forms_by_last;
static int	n_forms_by_first;

static const char *
form_edge_token(int f, bool last)
{
	const company_tokens *t = &legal_forms[f].tokens;

	return company_token(t, last ? t->n - 1 : 0);
}

/* Orders forms by one edge token, then by their longest-first position. */
static int
compare_edge(int fa, int fb, bool last)
{
	int			c = strcmp(form_edge_token(fa, last), form_edge_token(fb, last));

	return c != 0 ? c : fa - fb;
}

static int
by_last_token(const void *a, const void *b)
{
	return compare_edge(*(const int *) a, *(const int *) b, true);
}

static int
by_first_token(const void *a, const void *b)
{
	return compare_edge(*(const int *) a, *(const int *) b, false);
}

/* Builds both indexes over legal_forms; false on ENOMEM. */
static bool
index_legal_forms(void)
{
	int			n = 0;

	forms_by_last = malloc(sizeof(int) * (n_legal_forms + 1));
	forms_by_first = malloc(sizeof(int) * (n_legal_forms + 1));
	if (forms_by_last == NULL || forms_by_first == NULL)
	{
		free(forms_by_last);
		free(forms_by_first);
		forms_by_last = forms_by_first = NULL;
		return false;
	}
	for (size_t f = 0; f < n_legal_forms; f++)
	{
		if (legal_forms[f].tokens.n == 0)
			continue;			/* a form of punctuation alone never matches */
		forms_by_last[n++] = (int) f;
		if (legal_forms[f].before_too)
			forms_by_first[n_forms_by_first++] = (int) f;
	}
	n_forms_by_last = n;
	qsort(forms_by_last, n, sizeof(int), by_last_token);
	qsort(forms_by_first, n_forms_by_first, sizeof(int), by_first_token);
	forms_by_last[n] = -1;		/* end marker */
	forms_by_first[n_forms_by_first] = -1;
	return true;
}

/* The first entry of index (ending with -1) whose edge token is token. */
static const int *
forms_with_edge(const int *index, int n, const char *token, bool last)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (strcmp(form_edge_token(index[mid], last), token) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &index[lo];
}

static int
longest_first(const void *a, const void *b)
{
	return ((const legal_form *) b)->tokens.n - ((const legal_form *) a)->tokens.n;
}

/* Undoes a half-done load_legal_forms (out of memory); returns false. */
static bool
free_legal_forms(void)
{
	for (size_t k = 0; k < n_legal_forms; k++)
		company_tokens_free(&legal_forms[k].tokens);
	free(legal_forms);
	legal_forms = NULL;
	n_legal_forms = 0;
	n_jurisdiction_codes = 0;
	return false;
}

/* The forms, tokenized by the same rules as names, longest first. */
bool
company_load_legal_forms(void)
{
	if (legal_forms != NULL)
		return true;
	legal_forms = calloc(N_LEGAL_FORMS, sizeof(legal_form));
	if (legal_forms == NULL)
		return false;
	for (size_t i = 0; i < N_LEGAL_FORMS; i++)
	{
		const char *t = legal_form_source[i].text;
		size_t		len = strlen(t);
		char	   *latin = NULL;
		bool		ok;

		/* forms written with accents or in other scripts are read like names */
		if (!company_is_plain_ascii((const unsigned char *) t, len) &&
			company_fold_to_latin(t, len, &latin, &len) == COMPANY_OK)
			t = latin;
		ok = company_tokenize(t, len, &legal_forms[n_legal_forms].tokens);
		free(latin);
		if (!ok)
			return free_legal_forms();
		legal_forms[n_legal_forms].before_too = legal_form_source[i].before_too;
		n_legal_forms++;
		if (!parse_jurisdictions(legal_form_source[i].jurisdictions,
								 &legal_forms[n_legal_forms - 1].jurisdictions))
			return free_legal_forms();
	}
	pool_jurisdictions();
	qsort(legal_forms, n_legal_forms, sizeof(legal_form), longest_first);
	if (!index_legal_forms())
		return free_legal_forms();
	return true;
}

static bool
tokens_equal_at(const company_tokens *t, int at, const company_tokens *form)
{
	for (int k = 0; k < form->n; k++)
		if (strcmp(company_token(t, at + k), company_token(form, k)) != 0)
			return false;
	return true;
}

/*
 * The first form, in longest-first order, that tokens [first, last) end
 * with (at_end) or begin with, leaving at least one token; -1 if none.
 */
static int
matching_form(const company_tokens *t, int first, int last, bool at_end)
{
	const char *edge = company_token(t, at_end ? last - 1 : first);
	const int  *f = at_end ? forms_with_edge(forms_by_last, n_forms_by_last, edge, true)
		: forms_with_edge(forms_by_first, n_forms_by_first, edge, false);

	for (; *f >= 0 && strcmp(form_edge_token(*f, at_end), edge) == 0; f++)
	{
		const company_tokens *form = &legal_forms[*f].tokens;

		if (last - first > form->n &&
			tokens_equal_at(t, at_end ? last - form->n : first, form))
			return *f;
	}
	return -1;
}

static void
add_jurisdictions(company_jurisdictions *found, int form)
{
	if (found != NULL)
		for (int w = 0; w < 2; w++)
			found->bits[w] |= legal_forms[form].jurisdictions.bits[w];
}

/*
 * Drops "the" (first or last), legal forms and the "and" they leave, from [*first, *last);
 * never the last remaining token.  Of the forms that match, the longest
 * goes first, at the end when it matches both ends.  The countries of the
 * forms dropped are added to *found when it is not NULL.
 */
void
company_strip_legal_forms(const company_tokens *t, int *first, int *last,
						  company_jurisdictions *found)
{
	bool		changed = true;

	while (changed && *last - *first > 1)
	{
		int			at_end,
					at_start;

		changed = false;
		if (strcmp(company_token(t, *first), "the") == 0)
		{
			(*first)++;
			changed = true;
			if (*last - *first <= 1)
				break;
		}
		/* the article written after the name, as lists sort it: "Boeing Company, The" */
		if (strcmp(company_token(t, *last - 1), "the") == 0)
		{
			(*last)--;
			changed = true;
			if (*last - *first <= 1)
				break;
		}
		at_end = matching_form(t, *first, *last, true);
		at_start = matching_form(t, *first, *last, false);
		/* a form's letters starting "X & Y" are the name: "AT&T" is no Ukrainian "AT" */
		if (at_start >= 0 &&
			strcmp(company_token(t, *first + legal_forms[at_start].tokens.n), "and") == 0)
			at_start = -1;
		if (at_end >= 0 && (at_start < 0 || at_end <= at_start))
		{
			add_jurisdictions(found, at_end);
			*last -= legal_forms[at_end].tokens.n;
			if (*last - *first > 1 && strcmp(company_token(t, *last - 1), "and") == 0)
				(*last)--;
			changed = true;
		}
		else if (at_start >= 0)
		{
			add_jurisdictions(found, at_start);
			*first += legal_forms[at_start].tokens.n;
			changed = true;
		}
	}
}

bool
company_jurisdictions_conflict(const company_jurisdictions *a, const company_jurisdictions *b)
{
	bool		a_any = (a->bits[0] | a->bits[1]) != 0;
	bool		b_any = (b->bits[0] | b->bits[1]) != 0;

	return a_any && b_any && ((a->bits[0] & b->bits[0]) | (a->bits[1] & b->bits[1])) == 0;
}

int
company_jurisdiction_count(void)
{
	return company_load_legal_forms() ? n_jurisdiction_codes : -1;
}

const char *
company_jurisdiction_code(int k)
{
	return k >= 0 && k < n_jurisdiction_codes ? jurisdiction_codes[k] : NULL;
}

static int
by_code(const void *x, const void *y)
{
	return strcmp(*(const char *const *) x, *(const char *const *) y);
}

int
company_jurisdiction_codes(const company_jurisdictions *j, const char **codes, int max)
{
	int			n = 0;

	for (int k = 0; k < n_jurisdiction_codes && n < max; k++)
		if ((j->bits[k / 64] >> (k % 64)) & 1)
			codes[n++] = jurisdiction_codes[k];
	qsort(codes, (size_t) n, sizeof(const char *), by_code);
	return n;
}

bool
company_jurisdiction_codes_conflict(const char *const *a, int na, const char *const *b, int nb)
{
	if (na == 0 || nb == 0)
		return false;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (strcmp(a[i], b[j]) == 0)
				return false;
	return true;
}
