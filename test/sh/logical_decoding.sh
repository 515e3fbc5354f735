#!/usr/bin/env bash
# test/sh/logical_decoding.sh -- the change feed's outbox (channel.change_event)
# decodes through PostgreSQL's logical decoding, in commit order.
#
# The issue names two ways to hand out outbox events without the classic
# gap: batches between snapshots (what channel.read_events does) or commit
# order through logical decoding.  read_events is the supported interface
# (it needs no replication slot, no wal_level = logical and no replication
# privilege, and filters a partner's feed under row-level security); this
# test shows that a site which prefers logical decoding (Debezium, a
# wal2json or pgoutput subscriber) gets the same events from the same
# table: every event row is decoded once, in commit order (an event whose
# transaction drew its id first but committed last comes last), with its
# type, partner and payload; a rolled-back transaction's events never
# appear.  doc/integration.md, "Logical decoding".
#
# Needs wal_level = logical, so it starts a throwaway cluster of its own (on
# a socket of its own) rather than reconfiguring test/run-tests.sh's.  Uses
# the test_decoding plugin and dblink (a second session holding its
# transaction open), both shipped with PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${CHANNEL_PG_BIN:?run me from test/run-tests.sh}"

work=$(mktemp -d /tmp/channel-decoding.XXXXXX)
chmod 755 "$work"
q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/sock" -p 5432 -U postgres -d channel_decoding "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
	[ -f "$work/data/postmaster.pid" ] && run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
	as_root rm -rf "$work"
}
trap cleanup EXIT

CHANNEL_SHARED_BUFFERS=128MB channel_init_cluster "$work/data" "$work/sock"
run_as_postgres tee -a "$work/data/postgresql.conf" >/dev/null <<-CONF
	wal_level = logical
	# decoding reads flushed WAL only: every commit flushed at once
	synchronous_commit = on
	max_replication_slots = 4
	max_wal_senders = 4
CONF
channel_start_postmaster "$work/data"
"$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$work/sock" -p 5432 -U postgres -d postgres -c "CREATE DATABASE channel_decoding"
q -c "CREATE EXTENSION channel" -c "CREATE EXTENSION dblink"
q -c "INSERT INTO channel.product_line (code, name) VALUES ('DEC_NET', 'Decoding test networking')"
q -c "SELECT 'slot' FROM pg_create_logical_replication_slot('channel_feed', 'test_decoding')" >/dev/null

# early draws its event id first and commits last; late commits in between;
# a third transaction rolls back
q -v sock="$work/sock" >/dev/null <<-'SQL'
	SELECT dblink_connect('early', format('host=%s dbname=channel_decoding user=postgres', :'sock'));
	SELECT dblink_exec('early', 'BEGIN');
	SELECT dblink_exec('early', $$INSERT INTO channel.partner (partner_id, name, status, country) VALUES (9701, 'Decoding early', 'active', 'FR')$$);
	INSERT INTO channel.partner (partner_id, name, status, country) VALUES (9702, 'Decoding late', 'active', 'DE');
	BEGIN;
	INSERT INTO channel.partner (partner_id, name, status, country) VALUES (9703, 'Decoding rolled back', 'active', 'FR');
	ROLLBACK;
	SELECT dblink_exec('early', 'COMMIT');
	SELECT dblink_disconnect('early');
	UPDATE channel.partner SET tier = 'gold' WHERE partner_id = 9701;
SQL

# what the outbox holds, in id order, and what decoding delivers, in commit order
ids=$(q -c "SELECT string_agg(event_id || ':' || event_type || ':' || partner_id, ' ' ORDER BY event_id)
            FROM channel.change_event WHERE entity = 'partner'")
decoded=$(q -c "SELECT data FROM pg_logical_slot_get_changes('channel_feed', NULL, NULL,
                  'include-xids', '0', 'skip-empty-xacts', '1')
                WHERE data LIKE 'table channel.change_event: INSERT:%'")
echo "outbox (id order): $ids"
echo "decoded (commit order):"
echo "$decoded"

n=$(printf '%s\n' "$decoded" | grep -c 'table channel.change_event: INSERT:' || true)
[ "$n" = 3 ] || fail "3 committed events decoded, got $n"
printf '%s\n' "$decoded" | grep -q 'Decoding rolled back' && fail "an event of a rolled-back transaction was decoded"
# commit order: late, early, then early's tier change
order=$(printf '%s\n' "$decoded" | sed -n "s/.*event_type\[text\]:'\([^']*\)'.*partner_id\[bigint\]:\([0-9]*\).*/\1:\2/p" | tr '\n' ' ')
[ "$order" = "partner.created:9702 partner.created:9701 partner.tier_changed:9701 " ] \
	|| fail "decoded in commit order late, early, tier change; got: $order"
# ... while early's event id is the smaller: the order of ids is not the order of commits
early_id=$(q -c "SELECT event_id FROM channel.change_event WHERE event_type = 'partner.created' AND partner_id = 9701")
late_id=$(q -c "SELECT event_id FROM channel.change_event WHERE event_type = 'partner.created' AND partner_id = 9702")
[ "$early_id" -lt "$late_id" ] || fail "early drew the smaller id ($early_id vs $late_id)"
# each decoded row carries the payload the consumer would read
printf '%s\n' "$decoded" | head -1 | grep -q "payload\[jsonb\]:'{\"v\": 1, \"kind\": \"reseller\"" \
	|| fail "the decoded row carries the versioned payload"
# and read_events, from the start, hands out the same three events
got=$(q -c "SELECT channel.create_consumer('decoding-check', true)" \
        -c "SELECT string_agg(event_type || ':' || partner_id, ' ' ORDER BY cursor) FROM channel.read_events('decoding-check')
            WHERE entity = 'partner'")
[ "$(printf '%s\n' "$got" | tail -1)" = "partner.created:9701 partner.created:9702 partner.tier_changed:9701" ] \
	|| fail "read_events hands out the same events; got: $got"
q -c "SELECT pg_drop_replication_slot('channel_feed')" >/dev/null
echo "logical decoding: the outbox decodes once per committed event, in commit order"
