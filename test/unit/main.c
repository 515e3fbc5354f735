/*
 * main.c -- runs every registered unit test and prints "N passed, N failed".
 */
#include <stdlib.h>

#include "unit.h"

#define MAX_TESTS 1024

static struct
{
	const char *name;
	unit_fn		fn;
}			tests[MAX_TESTS];
static int	ntests;
static int	current_failures;

void
unit_register(const char *name, unit_fn fn)
{
	if (ntests == MAX_TESTS)
	{
		fprintf(stderr, "too many unit tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void
unit_fail(const char *file, int line, const char *expr)
{
	fprintf(stderr, "  %s:%d: CHECK failed: %s\n", file, line, expr);
	current_failures++;
}

int
main(void)
{
	int			passed = 0,
				failed = 0;

	for (int i = 0; i < ntests; i++)
	{
		current_failures = 0;
		tests[i].fn();
		if (current_failures == 0)
		{
			passed++;
			printf("ok %d - %s\n", i + 1, tests[i].name);
		}
		else
		{
			failed++;
			printf("not ok %d - %s\n", i + 1, tests[i].name);
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
