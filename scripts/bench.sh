#!/usr/bin/env bash
# Runs the Passerelle benchmark (issue 6) and writes its report to bench/results/.
#
#   scripts/bench.sh                 # 1,000,000 referrals (and 10,000 for the comparison), about 20 minutes
#   scripts/bench.sh --reuse         # keep the generated databases of an earlier run when they have the right size
#                                    # (and still 65,000 referrals waiting for a company: (d) answers that many)
#   scripts/bench.sh --referrals 100000 --duration 5   # a quicker look (any option of `Passerelle.Bench run`)
#
# Installs PostgreSQL from Debian packages when absent (as root or with sudo), starts a cluster of its own on a
# free loopback port (kept in ./artifacts/bench-pg so --reuse can find the data again), publishes Passerelle in
# Release, and runs bench/Passerelle.Bench against it. Set PASSERELLE_BENCH_POSTGRES to use your own server
# instead (a role that may create databases).
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)
pg_dir="$root_dir/artifacts/bench-pg"
server_dir="$root_dir/artifacts/bench-server"
started_pg=""

source "$root_dir/scripts/lib.sh"

cleanup() {
  if [ -n "$started_pg" ]; then as_postgres "$started_pg/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

start_postgres() {
  local bin port
  bin=$(pg_bin_dir)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    apt_install postgresql || true
    bin=$(pg_bin_dir)
  fi
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || die "PostgreSQL could not be installed (apt-get install postgresql)"
  mkdir -p "$pg_dir"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$pg_dir"; fi
  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  port=$(free_port)
  log "Starting PostgreSQL ($("$bin/postgres" --version)) on 127.0.0.1:$port"
  # A throwaway cluster: durability off (fsync), memory as a small production server would have it.
  as_postgres "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 120 \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=512MB -c maintenance_work_mem=512MB -c max_wal_size=4GB" \
    start >/dev/null || { cat "$pg_dir/log" >&2; die "PostgreSQL did not start"; }
  started_pg="$bin"
  PASSERELLE_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"
[ -n "${PASSERELLE_BENCH_POSTGRES:-}" ] || start_postgres

log "Publishing Passerelle (Release) and building the benchmark"
dotnet publish src/Passerelle -c Release -o "$server_dir" --nologo -v q -clp:ErrorsOnly
dotnet build bench/Passerelle.Bench -c Release --nologo -v q -clp:ErrorsOnly

log "Running the benchmark"
dotnet bench/Passerelle.Bench/bin/Release/net10.0/Passerelle.Bench.dll run "$PASSERELLE_BENCH_POSTGRES" "$server_dir/Passerelle.dll" \
  --results "$root_dir/bench/results" "$@"
