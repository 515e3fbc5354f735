#!/usr/bin/env bash
# test/bench/match_cost.sh -- instructions per comparison of two prepared
# company names (company_similarity_names, the matchers' inner loop),
# counted by callgrind: a figure that does not move with the machine's load.
#
#   bash test/bench/match_cost.sh [N]          this checkout, N x N names (default 300)
#   SRC=/path/to/other/checkout bash test/bench/match_cost.sh
#       # the same harness over another checkout's src/core, to compare two
#       # commits (same pairs file, same names: the checksums must agree)
#
# The names are the two columns of test/data/company_pairs_world.tsv.
# Needs valgrind, gcc and libicu-dev.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
src=${SRC:-$here}
n=${1:-300}
work=$(mktemp -d /tmp/match_cost.XXXXXX)
trap 'rm -rf "$work"' EXIT
make -s -C "$src" src/core/legal_forms.inc src/core/company_words.inc src/core/english_words.inc >/dev/null
gcc -std=c11 -O2 -g -I"$src/src/core" $(pkg-config --cflags icu-uc icu-i18n) -o "$work/match_cost" \
	"$here/test/bench/match_cost.c" "$src"/src/core/*.c $(pkg-config --libs icu-uc icu-i18n) -lm
"$work/match_cost" "$here/test/data/company_pairs_world.tsv" "$n" >"$work/out"
# the same names prepared and not compared, then compared: the difference is the comparisons'
valgrind --tool=callgrind --callgrind-out-file="$work/cg1" "$work/match_cost" \
	"$here/test/data/company_pairs_world.tsv" "$n" 0 >/dev/null 2>"$work/v1"
valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$work/match_cost" \
	"$here/test/data/company_pairs_world.tsv" "$n" >/dev/null 2>"$work/v"
total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/v")
base=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/v1")
read -r _ comparisons _ checksum <"$work/out"
echo "source: $src ($(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "comparisons: $comparisons, checksum of the scores: $checksum"
echo "instructions: $total in all, $(( (total - base) / comparisons )) per comparison (less the $base of preparing the names)"
