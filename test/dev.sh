#!/usr/bin/env bash
# test/dev.sh -- a long-lived development cluster for this checkout.
#
#   bash test/dev.sh start      build, install into tmp/dev/inst, start a cluster
#   bash test/dev.sh reinstall  rebuild and reinstall, restart the server (new .so)
#   bash test/dev.sh stop       stop the cluster and remove tmp/dev
#   eval "$(bash test/dev.sh env)"   PGHOST/PGPORT/PGUSER for psql, pgbench, make installcheck
#
# Unlike run-tests.sh and demo.sh the cluster outlives the command, so it
# can be used across many shells.
source "$(dirname "$0")/lib.sh"

CHANNEL_TMP=$CHANNEL_SRC/tmp/dev
CHANNEL_PG_BIN=$CHANNEL_TMP/inst/usr/lib/postgresql/15/bin
export CHANNEL_TMP CHANNEL_PG_BIN

case "${1:-}" in
start)
	[ -f "$CHANNEL_TMP/data/postmaster.pid" ] && { echo "already running"; exit 0; }
	as_root rm -rf "$CHANNEL_TMP"; mkdir -p "$CHANNEL_TMP"
	channel_install_deps
	channel_build
	channel_sandbox
	channel_start_cluster
	trap - EXIT
	echo "export PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER"
	;;
reinstall)
	channel_build
	make -C "$CHANNEL_SRC" -s install DESTDIR="$CHANNEL_TMP/inst" >/dev/null
	run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$CHANNEL_TMP/data" -w -m fast restart >/dev/null
	;;
stop)
	trap - EXIT
	channel_stop_cluster
	;;
env)
	echo "export PGHOST=$CHANNEL_TMP/sock PGPORT=5432 PGUSER=postgres"
	;;
*)
	sed -n '2,12p' "$0"; exit 2 ;;
esac
