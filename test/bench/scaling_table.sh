#!/usr/bin/env bash
# test/bench/scaling_table.sh LOG... -- the tables of doc/benchmarks.md
# ("Scale and concurrency") from the output of test/bench/scaling.sh:
# per scale, path and client count the median tps of the runs with its
# range and the median p99; per scale and BI query the median of the runs'
# medians with its range.
set -euo pipefail
cat "$@" | awk -F' [|] ' '
	function med(list,    n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		lo = a[1]; hi = a[n]
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	/^#/ || NF < 4 { next }
	$2 == "bi" { k = $1 SUBSEP $3; if (!(k in bi)) border[++nb] = k; bi[k] = bi[k] " " $4; next }
	$2 == "load" || $2 == "size" { next }
	NF == 5 { k = $1 SUBSEP $2 SUBSEP $3; if (!(k in tps)) corder[++nc] = k; tps[k] = tps[k] " " $4; p99[k] = p99[k] " " $5 }
	END {
		print "scale | path | clients | tps median (min-max) | p99 ms median | runs"
		for (i = 1; i <= nc; i++) {
			k = corder[i]; split(k, f, SUBSEP)
			m = med(tps[k]); l = lo; h = hi; n = split(tps[k], x, " ")
			printf "%s | %s | %s | %.0f (%s-%s) | %.0f | %d\n", f[1], f[2], f[3], m, l, h, med(p99[k]), n
		}
		print ""
		print "scale | BI query | ms median (min-max) | runs"
		for (i = 1; i <= nb; i++) {
			k = border[i]; split(k, f, SUBSEP)
			m = med(bi[k]); n = split(bi[k], x, " ")
			printf "%s | %s | %.0f (%.0f-%.0f) | %d\n", f[1], f[2], m, lo, hi, n
		}
	}'
