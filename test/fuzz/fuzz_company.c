/*
 * fuzz_company.c -- libFuzzer target for the company-name core.
 *
 * Any bytes go to company_normalize(); the input split at its first NUL
 * (or in the middle) gives two names for company_similarity(); every
 * successful normalization also gets its blocking keys.  Invariants are
 * checked with abort(), so a violation is a crash the fuzzer reports:
 *   - normalized output is [a-z0-9] words separated by single spaces;
 *   - normalizing it again changes nothing;
 *   - similarity is in [0, 1], symmetric, and 1 for equal normalized names;
 *   - every blocking key is non-empty, every word key ("w:") comes with its
 *     other form ("r:", the word reversed) and meets it, as the GIN
 *     operator class relies on;
 *   - each word's compared form (company_words.c) is [a-z0-9], and folding
 *     it again changes nothing (keys and similarity see the same word);
 *   - an input refused (too long, or too long once NFKC spells it out)
 *     returns nothing;
 *   - the raw-name similarity is symmetric and equals the normalized names'
 *     one, times COMPANY_JURISDICTION_PENALTY exactly when the legal forms
 *     dropped (company_normalize_jurisdictions, which gives the same
 *     normalized form) are of different jurisdictions, and the country codes
 *     the registration trigger stores for each (company_jurisdiction_codes,
 *     sorted) conflict exactly then;
 *   - acronyms, counted letters ("3m") included, never read past a token;
 *   - the registration's lock keys (company_lock_keys) are sorted, each
 *     once, and whenever a key of one name meets a key of the other, the
 *     two names' locks conflict (two registrations the conflict lookup can
 *     match serialize).
 * AddressSanitizer and LeakSanitizer catch memory errors and leaks.
 *
 *   make fuzz && ./test/fuzz/fuzz_company.fuzz test/fuzz/corpus
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "company.h"
#include "company_words.h"

static void
check_normalized(const char *s)
{
	size_t		len = strlen(s);

	if (len == 0)
		return;
	if (s[0] == ' ' || s[len - 1] == ' ')
		abort();
	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == ' ')
		{
			if (s[i + 1] == ' ')
				abort();
		}
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			abort();
	}
}

/* Each token's compared form: lower-case letters and digits, a fixed point of the fold. */
static void
check_folds(const char *normalized)
{
	char	   *copy = strdup(normalized);

	if (copy == NULL)
		abort();
	for (char *tok = strtok(copy, " "); tok != NULL; tok = strtok(NULL, " "))
	{
		const char *as = company_word_canonical(tok);
		size_t		n = strlen(as);
		char	   *f = malloc(2 * n + 1);
		char	   *g = malloc(4 * n + 1);
		size_t		fl,
					gl;

		if (f == NULL || g == NULL)
			abort();
		fl = company_fold_spelling(as, n, f);
		if (fl != strlen(f) || fl > 2 * n)
			abort();
		for (size_t i = 0; i < fl; i++)
			if (!((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= '0' && f[i] <= '9')))
				abort();
		gl = company_fold_spelling(f, fl, g);
		if (gl != fl || memcmp(f, g, fl) != 0)
			abort();
		free(f);
		free(g);
	}
	free(copy);
}

static char *
normalize_checked(const uint8_t *data, size_t size)
{
	char	   *out = NULL;
	char	   *again = NULL;

	if (company_normalize((const char *) data, size, &out) != COMPANY_OK)
	{
		if (out != NULL)
			abort();			/* nothing is returned on error */
		return NULL;
	}
	check_normalized(out);
	if (company_normalize(out, strlen(out), &again) != COMPANY_OK || strcmp(out, again) != 0)
		abort();
	free(again);
	return out;
}

static void
check_keys(const char *normalized)
{
	char	  **keys = NULL;
	int			nkeys = 0;

	if (company_match_keys(normalized, &keys, &nkeys) != COMPANY_OK)
		abort();
	for (int i = 0; i < nkeys; i++)
	{
		size_t		len = strlen(keys[i]);

		if (len == 0)
			abort();
		size_t		body;

		/* a key meets itself (initials only meet acronyms), and its probe prefix is its own */
		if (company_keys_meet(keys[i], len, keys[i], len) != (company_key_kind(keys[i], len, &body) != 'i') ||
			company_key_probe_len(keys[i], len) > len)
			abort();
		/* a word key's other form is there too, and meets it */
		if (company_key_kind(keys[i], len, &body) == 'w')
		{
			bool		twin = false;

			for (int j = 0; j < nkeys && !twin; j++)
			{
				size_t		tb;

				if (strlen(keys[j]) != len || company_key_kind(keys[j], len, &tb) != 'r' || tb != body)
					continue;
				twin = true;
				for (size_t c = 0; twin && c < len - body; c++)
					twin = keys[j][body + c] == keys[i][len - 1 - c];
				if (twin && !company_keys_meet(keys[i], len, keys[j], len))
					abort();
			}
			if (!twin)
				abort();
		}
	}
	free(keys);
}

/*
 * The registration's lock keys (company_lock_keys) of a name's blocking
 * keys: sorted, each once, non-empty when there are keys, and conflicting
 * with themselves.
 */
static company_lock *
checked_locks(char **keys, int nkeys, int *nlocks)
{
	size_t	   *lens = malloc(sizeof(size_t) * (size_t) (nkeys > 0 ? nkeys : 1));
	company_lock *locks = NULL;

	if (lens == NULL)
		abort();
	for (int i = 0; i < nkeys; i++)
		lens[i] = strlen(keys[i]);
	if (company_lock_keys((const char *const *) keys, lens, nkeys, &locks, nlocks) != COMPANY_OK ||
		(nkeys > 0) != (*nlocks > 0))
		abort();
	for (int i = 0; i < *nlocks; i++)
	{
		if (strlen(locks[i].key) != locks[i].len)
			abort();
		if (i > 0)
		{
			size_t		n = locks[i - 1].len < locks[i].len ? locks[i - 1].len : locks[i].len;
			int			c = memcmp(locks[i - 1].key, locks[i].key, n);

			if (c > 0 || (c == 0 && locks[i - 1].len >= locks[i].len))
				abort();
		}
	}
	/* a name's registration waits for another of the same name, unless it has only initials */
	if (*nlocks > 0 && !company_locks_conflict(locks, *nlocks, locks, *nlocks))
	{
		for (int i = 0; i < nkeys; i++)
		{
			size_t		body;

			if (company_key_kind(keys[i], lens[i], &body) != 'i')
				abort();
		}
	}
	free(lens);
	return locks;
}

/*
 * Keys of a and b meet the same both ways round; and when they meet, the
 * lock keys of the two names conflict (the registration trigger's
 * race-freedom: two registrations the conflict lookup can match wait for
 * each other).
 */
static void
check_keys_meet(const char *a, const char *b)
{
	char	  **ka = NULL,
			  **kb = NULL;
	int			na = 0,
				nb = 0,
				nla = 0,
				nlb = 0;
	bool		meet = false;
	company_lock *la,
			   *lb;

	if (company_match_keys(a, &ka, &na) != COMPANY_OK || company_match_keys(b, &kb, &nb) != COMPANY_OK)
		abort();
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
		{
			bool		ab = company_keys_meet(ka[i], strlen(ka[i]), kb[j], strlen(kb[j]));

			if (ab != company_keys_meet(kb[j], strlen(kb[j]), ka[i], strlen(ka[i])))
				abort();
			meet = meet || ab;
		}
	la = checked_locks(ka, na, &nla);
	lb = checked_locks(kb, nb, &nlb);
	if (company_locks_conflict(la, nla, lb, nlb) != company_locks_conflict(lb, nlb, la, nla) ||
		(meet && !company_locks_conflict(la, nla, lb, nlb)))
		abort();
	free(la);
	free(lb);
	free(ka);
	free(kb);
}

/* A prepared name scores what the plain call scores, and says the same kind. */
static void
check_prepared(const char *a, const char *b, float ab)
{
	company_name *p = company_name_prepare(a);
	company_match_kind plain_kind,
				prepared_kind;

	if (p == NULL)
		abort();
	(void) company_similarity_normalized(a, b, &plain_kind);
	if (company_similarity_prepared(p, b, &prepared_kind) != ab || prepared_kind != plain_kind)
		abort();
	company_name_free(p);
}

/*
 * The raw-name measure: the jurisdictions of the forms dropped come with
 * the same normalized form, the conflict is symmetric, and the score is the
 * normalized names' one, times the penalty when the forms conflict.
 */
static void
check_raw(const uint8_t *x, size_t xl, const uint8_t *y, size_t yl, const char *a, const char *b, float ab)
{
	company_jurisdictions ja,
				jb;
	char	   *na = NULL,
			   *nb = NULL;
	float		raw = -1,
				rev = -1;
	bool		conflict;

	if (company_normalize_jurisdictions((const char *) x, xl, &na, &ja) != COMPANY_OK ||
		company_normalize_jurisdictions((const char *) y, yl, &nb, &jb) != COMPANY_OK ||
		strcmp(na, a) != 0 || strcmp(nb, b) != 0)
		abort();
	conflict = company_jurisdictions_conflict(&ja, &jb);
	if (conflict != company_jurisdictions_conflict(&jb, &ja) || company_jurisdictions_conflict(&ja, &ja) &&
		(ja.bits[0] | ja.bits[1]) != 0)
		abort();
	/* the codes the registration trigger stores conflict exactly when the sets do */
	{
		const char *ca[COMPANY_MAX_JURISDICTIONS],
				   *cb[COMPANY_MAX_JURISDICTIONS];
		int			nca = company_jurisdiction_codes(&ja, ca, COMPANY_MAX_JURISDICTIONS);
		int			ncb = company_jurisdiction_codes(&jb, cb, COMPANY_MAX_JURISDICTIONS);

		for (int i = 1; i < nca; i++)
			if (strcmp(ca[i - 1], ca[i]) >= 0)
				abort();
		if (company_jurisdiction_codes_conflict(ca, nca, cb, ncb) != conflict ||
			(nca == 0) != ((ja.bits[0] | ja.bits[1]) == 0))
			abort();
	}
	if (company_similarity((const char *) x, xl, (const char *) y, yl, &raw, NULL) != COMPANY_OK ||
		company_similarity((const char *) y, yl, (const char *) x, xl, &rev, NULL) != COMPANY_OK ||
		raw != rev || raw != (conflict ? ab * COMPANY_JURISDICTION_PENALTY : ab))
		abort();
	free(na);
	free(nb);
}

/*
 * a with one typo (the letter at pos dropped, replaced, or swapped with the
 * next one), normalized again: a near-miss spelling whose keys mostly meet
 * a's, for check_keys_meet.  NULL when nothing is left.
 */
static char *
typo_of(const char *a, size_t pos, int op)
{
	size_t		len = strlen(a);
	char	   *t,
			   *out = NULL;

	if (len < 2)
		return NULL;
	pos %= len;
	t = strdup(a);
	if (t == NULL)
		abort();
	if (op == 0)
		memmove(t + pos, t + pos + 1, len - pos);
	else if (op == 1)
		t[pos] = t[pos] == 'x' ? 'q' : 'x';
	else if (pos + 1 < len)
	{
		char		c = t[pos];

		t[pos] = t[pos + 1];
		t[pos + 1] = c;
	}
	if (company_normalize(t, strlen(t), &out) != COMPANY_OK)
		abort();
	free(t);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t		split = nul ? (size_t) (nul - data) : size / 2;
	size_t		rest = nul ? split + 1 : split;
	char	   *whole = normalize_checked(data, size);
	char	   *a = normalize_checked(data, split);
	char	   *b = normalize_checked(data + rest, size - rest);

	if (whole)
	{
		check_keys(whole);
		check_folds(whole);
	}
	if (a && b)
	{
		float		ab = company_similarity_normalized(a, b, NULL);
		float		ba = company_similarity_normalized(b, a, NULL);

		if (!(ab >= 0.0f && ab <= 1.0f) || ab != ba)
			abort();
		if ((strcmp(a, b) == 0) != (ab == 1.0f))
			abort();
		check_prepared(a, b, ab);
		check_raw(data, split, data + rest, size - rest, a, b, ab);
		check_keys(a);
		check_keys_meet(a, b);
	}
	if (whole)
		for (int op = 0; op < 3; op++)
		{
			char	   *t = typo_of(whole, size, op);

			if (t != NULL)
				check_keys_meet(whole, t);
			free(t);
		}
	free(whole);
	free(a);
	free(b);
	return 0;
}
