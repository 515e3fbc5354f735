#!/usr/bin/env bash
# test/bench/load_pairs.sh <database> -- (re)creates table pairs (a, b, same, phenomenon, part)
# from test/data/company_pairs_world.tsv (every fifth data line is the held-out part) and
# test/data/company_pairs.tsv (part 'project').
set -euo pipefail
data=$(cd "$(dirname "$0")/../data" && pwd)
psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS pairs, pairs_world, pairs_project;
CREATE TABLE pairs_world (n serial, a text, b text, same int, phenomenon text, country text);
\copy pairs_world (a, b, same, phenomenon, country) FROM '$data/company_pairs_world.tsv' WITH (FORMAT text, HEADER true)
CREATE TABLE pairs_project (a text, b text, same int, variant text);
\copy pairs_project FROM '$data/company_pairs.tsv' WITH (FORMAT text, HEADER true)
CREATE TABLE pairs AS
SELECT a, b, same, phenomenon, CASE WHEN n % 5 = 0 THEN 'held-out' ELSE 'tuning' END AS part FROM pairs_world
UNION ALL SELECT a, b, same, variant, 'project' FROM pairs_project;
SQL
