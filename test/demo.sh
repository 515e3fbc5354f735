#!/usr/bin/env bash
# test/demo.sh -- the channel demo, from a fresh Debian 12 machine.
#
# Installs missing build dependencies, builds, installs into a private
# PostgreSQL tree, starts a throwaway cluster, creates the extension, loads a
# realistic channel with channel.generate_demo() and then runs each step of
# test/demo.d/*.sql in order (routing, registrations, reports), printing what
# it finds.  The cluster is kept running at the end so you can look around.
#
#   DEMO_PARTNERS=27500 DEMO_LEADS=200000 DEMO_SEED=1 bash test/demo.sh
source "$(dirname "$0")/lib.sh"

partners=${DEMO_PARTNERS:-27500}
leads=${DEMO_LEADS:-200000}
seed=${DEMO_SEED:-1}

channel_install_deps
channel_build
channel_sandbox
channel_start_cluster

psql_demo() { psql -X -q -v ON_ERROR_STOP=1 -d channel_demo "$@"; }

say "creating database channel_demo and the extension"
createdb channel_demo
psql_demo -c "CREATE EXTENSION channel CASCADE"

say "loading the demo channel: $partners partners, $leads leads (seed $seed); this takes a minute"
psql_demo -c "SELECT * FROM channel.generate_demo($partners, $leads, $seed)"

for step in "$(dirname "$0")"/demo.d/*.sql; do
	[ -e "$step" ] || continue
	say "$(sed -n '1s/^-- *//p' "$step")"
	psql_demo -P pager=off -f "$step"
done

trap - EXIT
say "done. The cluster is still running; connect with:"
echo "    psql -h $PGHOST -p $PGPORT -U postgres channel_demo"
echo "  stop and remove it with:"
echo "    runuser -u postgres -- $CHANNEL_PG_BIN/pg_ctl -D $CHANNEL_TMP/data stop && rm -rf $CHANNEL_TMP"
