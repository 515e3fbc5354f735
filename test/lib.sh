# test/lib.sh -- shared set-up for the demo, the tests and the benchmarks.
#
# Sourced, not run.  Provides:
#   channel_install_deps   apt-get the Debian build and run dependencies if missing
#   channel_build          make (warnings are errors when CHANNEL_WERROR is set)
#   channel_sandbox        a private copy of the PostgreSQL 15 tree with channel
#                          installed into it, so tests never touch /usr and two
#                          checkouts can be tested side by side
#   channel_start_cluster  initdb + start a throwaway cluster as user postgres on
#                          a Unix socket in a temp dir (exports PGHOST/PGPORT/PGUSER)
#   channel_init_cluster, channel_start_postmaster
#                          the same in two steps, for tests that need more
#                          clusters (or one whose clock libfaketime moves)
#   channel_run_suites     pg_regress + isolation specs into an output dir
#   channel_stop_cluster   stop it and remove the temp dir
#
# Why a sandbox: the server finds its extension and library directories
# relative to its own binary, so a copied bin/ next to a share/ tree that
# holds our files serves this checkout's build, and nothing system-wide.

set -euo pipefail

CHANNEL_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin
export PG_CONFIG=$PG_BIN/pg_config

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

channel_install_deps() {
	local pkgs="build-essential pkg-config git postgresql-15 postgresql-server-dev-15 postgresql-15-cron
	            libicu-dev libipc-run-perl clang-14 libclang-rt-14-dev faketime pgbouncer"
	local missing=""
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		say "installing Debian packages:$missing"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
}

channel_build() {
	say "building channel"
	make -C "$CHANNEL_SRC" -s ${CHANNEL_WERROR:+CHANNEL_WERROR=-Werror} all >/dev/null
}

channel_sandbox() {
	CHANNEL_TMP=${CHANNEL_TMP:-$(mktemp -d /tmp/channel.XXXXXX)}
	chmod 755 "$CHANNEL_TMP"
	local root=$CHANNEL_TMP/inst
	local bindir=$root/usr/lib/postgresql/15/bin libdir=$root/usr/lib/postgresql/15/lib
	local sharedir=$root/usr/share/postgresql/15
	say "installing channel into a private PostgreSQL tree ($root)"
	mkdir -p "$bindir" "$libdir" "$sharedir/extension"
	# binaries are copied (the server resolves symlinks to find its tree);
	# libraries and shared files are linked
	cp -a "$PG_BIN"/. "$bindir"/
	# bitcode/ is a real directory so that installing our JIT bitcode into
	# the sandbox never writes through a link into the system tree
	mkdir -p "$libdir/bitcode"
	for f in /usr/lib/postgresql/15/lib/*; do
		[ "$(basename "$f")" = bitcode ] || ln -sf "$f" "$libdir"/
	done
	for f in /usr/lib/postgresql/15/lib/bitcode/*; do
		case "$(basename "$f")" in channel|channel.index.bc) ;; *) ln -sf "$f" "$libdir/bitcode"/ ;; esac
	done
	for f in /usr/share/postgresql/15/*; do
		[ "$(basename "$f")" = extension ] || ln -sf "$f" "$sharedir"/
	done
	for f in /usr/share/postgresql/15/extension/*; do ln -sf "$f" "$sharedir/extension"/; done
	make -C "$CHANNEL_SRC" -s install DESTDIR="$root" >/dev/null
	CHANNEL_PG_BIN=$bindir
	export CHANNEL_TMP CHANNEL_PG_BIN
}

run_as_postgres() {
	if [ "$(id -un)" = postgres ]; then "$@"
	elif [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"
	else sudo -u postgres "$@"; fi
}

# channel_init_cluster DATA SOCK [SUPERUSER]: initdb a cluster in DATA that
# listens only on a Unix socket in SOCK, configured like every test cluster;
# its bootstrap superuser is postgres unless SUPERUSER names another (a
# pg_dumpall script re-creates role postgres itself).
channel_init_cluster() {
	local data=$1 sock=$2 su=${3:-postgres}
	mkdir -p "$sock"
	chown postgres:postgres "$sock" 2>/dev/null || as_root chown postgres:postgres "$sock"
	as_root install -d -o postgres -g postgres "$data"
	run_as_postgres "$CHANNEL_PG_BIN/initdb" -D "$data" --encoding=UTF8 --locale=C.UTF-8 \
		--auth=trust --username="$su" >/dev/null
	cat <<-CONF | run_as_postgres tee -a "$data/postgresql.conf" >/dev/null
		listen_addresses = ''
		unix_socket_directories = '$sock'
		unix_socket_permissions = 0777
		shared_preload_libraries = 'pg_cron'
		cron.database_name = 'postgres'
		# pg_cron runs jobs in background workers: there is no TCP listener to connect to
		cron.use_background_workers = on
		max_connections = 60
		shared_buffers = '${CHANNEL_SHARED_BUFFERS:-1GB}'
		work_mem = '64MB'
		maintenance_work_mem = '512MB'
		max_wal_size = '4GB'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		log_min_messages = warning
	CONF
}

# channel_start_postmaster DATA [FAKETIME]: start the cluster in DATA; with
# FAKETIME (libfaketime's syntax, e.g. "@2028-02-29 12:00:00") the server's
# clock starts at that moment and runs on from there, in every backend.
channel_start_postmaster() {
	local data=$1 fake=${2:-}
	if [ -n "$fake" ]; then
		run_as_postgres env LD_PRELOAD="$(channel_faketime_lib)" FAKETIME="$fake" \
			FAKETIME_DONT_FAKE_MONOTONIC=1 \
			"$CHANNEL_PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null
	else
		run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null
	fi
}

channel_faketime_lib() {
	local lib
	lib=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -1)
	[ -n "$lib" ] || { echo "libfaketime is not installed (Debian package faketime)" >&2; return 1; }
	echo "$lib"
}

channel_start_cluster() {
	local data=$CHANNEL_TMP/data sock=$CHANNEL_TMP/sock
	say "starting a throwaway cluster (socket $sock)"
	channel_init_cluster "$data" "$sock"
	channel_start_postmaster "$data"
	export PGHOST=$sock PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	trap channel_stop_cluster EXIT
}

# channel_run_suites OUTDIR: the pg_regress files and the isolation specs
# against the cluster PGHOST/PGPORT point at, with results under OUTDIR
# (not in the source tree, so several runs can keep their own).
channel_run_suites() {
	local out=$1 pgxs regress=() iso=() f rc=0
	pgxs=$(dirname "$("$PG_CONFIG" --pgxs)")/../..
	for f in "$CHANNEL_SRC"/sql/*.sql; do regress+=("$(basename "$f" .sql)"); done
	for f in "$CHANNEL_SRC"/test/isolation/specs/*.spec; do iso+=("$(basename "$f" .spec)"); done
	mkdir -p "$out/regress" "$out/isolation"
	"$pgxs/src/test/regress/pg_regress" --inputdir="$CHANNEL_SRC" --outputdir="$out/regress" \
		--bindir="$CHANNEL_PG_BIN" --load-extension=channel --dbname=contrib_regression \
		"${regress[@]}" || rc=1
	"$pgxs/src/test/isolation/pg_isolation_regress" --inputdir="$CHANNEL_SRC/test/isolation" \
		--outputdir="$out/isolation" --bindir="$CHANNEL_PG_BIN" --load-extension=channel \
		--dbname=isolation_regression_channel "${iso[@]}" || rc=1
	return $rc
}

channel_stop_cluster() {
	[ -n "${CHANNEL_TMP:-}" ] || return 0
	if [ -f "$CHANNEL_TMP/data/postmaster.pid" ]; then
		run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$CHANNEL_TMP/data" -m fast stop >/dev/null 2>&1 || true
	fi
	if [ -z "${CHANNEL_KEEP:-}" ]; then
		as_root rm -rf "$CHANNEL_TMP"
	fi
}
