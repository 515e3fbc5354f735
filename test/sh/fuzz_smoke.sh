#!/usr/bin/env bash
# test/sh/fuzz_smoke.sh -- a short libFuzzer run (AddressSanitizer, UBSan)
# over the company-name core; any crash, leak or broken invariant fails it.
# Ten seconds per fuzzer in the suite; longer runs: make fuzzcheck FUZZ_SECONDS=600.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
make -C "$src" -s fuzzcheck FUZZ_SECONDS="${FUZZ_SECONDS:-10}" 2>&1 | tail -15
