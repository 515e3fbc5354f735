/*
 * match_cost.c -- what comparing prepared names costs, the inner loop of
 * the end-customer and registration matchers (cmatch_find): every name of
 * one column of a pairs file against every name of the other, each name
 * normalized and prepared once.  Prints the comparisons made and a
 * checksum of the scores (so that two builds can be seen to agree); run
 * under callgrind by match_cost.sh, whose instruction count per comparison
 * is the figure -- stable where wall time on a shared machine is not.
 *
 *   match_cost PAIRS.tsv N      the first N names of each column
 *   match_cost PAIRS.tsv N 0    the same names prepared, none compared
 */
#include "company.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 4096

static int
read_column(const char *path, int col, int limit, company_name **out, char **texts)
{
	FILE	   *f = fopen(path, "r");
	char		line[4096];
	int			n = 0;

	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) == NULL)	/* the header */
	{
		fclose(f);
		return 0;
	}
	while (n < limit && fgets(line, sizeof(line), f) != NULL)
	{
		char	   *field = line;
		char	   *tab;
		char	   *normalized = NULL;

		for (int c = 0; c < col && field != NULL; c++)
			field = (tab = strchr(field, '\t')) ? tab + 1 : NULL;
		if (field == NULL)
			continue;
		if ((tab = strpbrk(field, "\t\n")) != NULL)
			*tab = '\0';
		if (company_normalize(field, strlen(field), &normalized) != COMPANY_OK || normalized == NULL)
			continue;
		/* the prepared name points into normalized: kept to the end */
		out[n] = company_name_prepare(normalized);
		if (out[n] != NULL)
			texts[n++] = normalized;
		else
			free(normalized);
	}
	fclose(f);
	return n;
}

int
main(int argc, char **argv)
{
	static company_name *a[MAX_NAMES],
			   *b[MAX_NAMES];
	static char *ta[MAX_NAMES],
			   *tb[MAX_NAMES];
	int			limit = argc > 2 ? atoi(argv[2]) : 300;
	int			compare = argc > 3 ? atoi(argv[3]) : 1;
	int			na,
				nb;
	double		checksum = 0;
	long		compared = 0;

	if (argc < 2 || limit <= 0 || limit > MAX_NAMES)
	{
		fprintf(stderr, "usage: match_cost PAIRS.tsv [N <= %d]\n", MAX_NAMES);
		return 2;
	}
	na = read_column(argv[1], 0, limit, a, ta);
	nb = read_column(argv[1], 1, limit, b, tb);
	if (na <= 0 || nb <= 0)
	{
		fprintf(stderr, "match_cost: no names read from %s\n", argv[1]);
		return 1;
	}
	for (int i = 0; compare && i < na; i++)
		for (int j = 0; j < nb; j++)
		{
			checksum += company_similarity_names(a[i], b[j], NULL);
			compared++;
		}
	printf("comparisons %ld checksum %.6f\n", compared, checksum);
	for (int i = 0; i < na; i++)
	{
		company_name_free(a[i]);
		free(ta[i]);
	}
	for (int j = 0; j < nb; j++)
	{
		company_name_free(b[j]);
		free(tb[j]);
	}
	return 0;
}
