#!/usr/bin/env bash
# Runs the whole Passerelle test suite, on SQLite and on PostgreSQL.
#
#   scripts/test.sh          everything (what CI runs, through .ci/run)
#   scripts/test.sh --fast   only the tests of no category: no PostgreSQL, SMTP sink, Chromium or child process,
#                            nothing installed or started; the SQLite side of the theories still runs
#
# Tests that need more than .NET carry [Trait("Category", …)]: Browser, Smtp, Process (tests/…/Infrastructure/
# Category.cs); every test case run on PostgreSQL is tagged PostgreSQL by the test framework itself. In the fast set
# a test that starts one of those without its trait fails, so the set stays honest.
#
# Parallelism (tests/Passerelle.Tests/xunit.runner.json): test classes run in parallel, as many at once as the machine
# has cores ("1x", the "conservative" algorithm: a test holds its slot until it ends). Most tests wait on a database,
# the SMTP sink or a child process rather than on the CPU, but each also starts a whole app, a sink or a Chromium; one
# test per core keeps the timing-sensitive ones honest on a two-core CI machine without leaving it idle.
#
# Installs what it needs from Debian packages when absent (PostgreSQL, python3-aiosmtpd as the SMTP sink of
# the e-mail tests, Chromium for the browser tests; axe-core from npm), starts a throwaway PostgreSQL
# cluster on a free loopback port, runs every test project, and stops what it started.
# Under CI=true a missing prerequisite fails the run: nothing is skipped silently.
set -euo pipefail
fast=""
for argument in "$@"; do
  case "$argument" in
    --fast) fast=1 ;;
    *) printf 'usage: scripts/test.sh [--fast]\n' >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
root_dir=$(pwd)
ci=${CI:-false}
results_dir="$root_dir/artifacts/test-results"
work_dir=$(mktemp -d /tmp/passerelle-test.XXXXXX)
started_pg=""

source "$root_dir/scripts/lib.sh"
is_ci() { [ "$ci" = "true" ] || [ "$ci" = "1" ]; }

cleanup() {
  if [ -n "$started_pg" ]; then
    as_postgres "$started_pg/pg_ctl" -D "$work_dir/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work_dir"
}
trap cleanup EXIT
if [ -n "$fast" ] && is_ci; then
  die "--fast leaves out the PostgreSQL, SMTP, browser and process tests: not under CI=true, where nothing is skipped"
fi

start_postgres() {
  local bin
  bin=$(pg_bin_dir)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    apt_install postgresql || true
    bin=$(pg_bin_dir)
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if is_ci; then die "PostgreSQL is not installed and could not be installed (apt-get install postgresql): the PostgreSQL tests cannot run."; fi
    printf 'WARNING: PostgreSQL unavailable: only the SQLite tests run (under CI=true this fails).\n' >&2
    return
  fi

  local port
  port=$(free_port)
  mkdir -p "$work_dir/pg"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$work_dir"; fi
  log "Starting a throwaway PostgreSQL ($("$bin/postgres" --version)) on 127.0.0.1:$port"
  as_postgres "$bin/initdb" -D "$work_dir/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  # fsync off: a throwaway cluster needs speed, not durability.
  as_postgres "$bin/pg_ctl" -D "$work_dir/pg" -l "$work_dir/pg.log" -w -t 60 \
    -o "-p $port -k $work_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$work_dir/pg.log" >&2; die "PostgreSQL did not start"; }
  started_pg="$bin"
  export PASSERELLE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

# The e-mail tests talk SMTP to a real server: Debian's aiosmtpd, started by the tests on loopback ports; the DKIM
# test checks the signature with Debian's python3-dkim, independent of the library that signs.
ensure_smtp_sink() {
  if /usr/bin/python3 -c 'import aiosmtpd, dkim' >/dev/null 2>&1; then return; fi
  apt_install python3-aiosmtpd python3-dkim || true
  if ! /usr/bin/python3 -c 'import aiosmtpd, dkim' >/dev/null 2>&1; then
    if is_ci; then die "python3-aiosmtpd or python3-dkim is not installed and could not be installed: the SMTP tests cannot run."; fi
    printf 'WARNING: python3-aiosmtpd or python3-dkim unavailable: the SMTP tests will fail (under CI=true this stops the run).\n' >&2
  fi
}

# The browser tests drive Debian's Chromium with Playwright and check pages with axe-core (npm).
ensure_browser() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium || true
  fi
  if [ ! -x /usr/bin/chromium ]; then
    if is_ci; then die "Chromium is not installed and could not be installed (apt-get install chromium): the browser tests cannot run."; fi
    printf 'WARNING: Chromium unavailable: the browser tests will fail (under CI=true this stops the run).\n' >&2
  fi
  log "Installing axe-core for the accessibility checks (npm ci)"
  (cd tests/Passerelle.Tests && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in tests/Passerelle.Tests"
}

command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"

if [ -n "$fast" ]; then
  # Nothing to install or start: a test that would need it is filtered out (or fails, if it lacks its trait).
  export PASSERELLE_TEST_SET=fast
  unset PASSERELLE_TEST_POSTGRES
else
  ensure_smtp_sink
  ensure_browser
  start_postgres
  if is_ci && [ -z "${PASSERELLE_TEST_POSTGRES:-}" ]; then die "PASSERELLE_TEST_POSTGRES is not set under CI"; fi
fi

log "Restoring and building (warnings are errors)"
dotnet restore --nologo -v q
dotnet build --nologo --no-restore -c Release -v q -clp:ErrorsOnly

if [ -z "$fast" ]; then
  log "Checking formatting (dotnet format --verify-no-changes)"
  dotnet format --verify-no-changes --no-restore -v q || die "formatting differs: run 'dotnet format' and commit"
fi

rm -rf "$results_dir"
status=0
run_tests() { # name, filter
  dotnet test --nologo --no-build -c Release --results-directory "$results_dir" --filter "$2" \
    --logger "trx;LogFilePrefix=$1" --logger "console;verbosity=minimal" || status=$?
}
# The TRX does not record traits, so the PostgreSQL tests run apart: their TRX holds exactly the tests that talked
# to PostgreSQL, and the guard below counts those (a test that only has "PostgreSQL" in its name is not one).
if [ -n "$fast" ]; then
  log "Running the fast set (no Browser, PostgreSQL, Smtp or Process test)"
  run_tests fast "Category!=Browser&Category!=PostgreSQL&Category!=Smtp&Category!=Process"
else
  # The fast set runs as it would with --fast, so a test that starts a server without its trait fails here, in CI, not
  # on the next developer's --fast; the tests of the other categories follow, then PostgreSQL's.
  log "Running the fast set (no Browser, PostgreSQL, Smtp or Process test; one that needs them without its trait fails)"
  PASSERELLE_TEST_SET=fast run_tests fast "Category!=Browser&Category!=PostgreSQL&Category!=Smtp&Category!=Process"
  log "Running the Browser, Smtp and Process tests but PostgreSQL's"
  run_tests servers "(Category=Browser|Category=Smtp|Category=Process)&Category!=PostgreSQL"
  log "Running the tests on PostgreSQL"
  run_tests postgresql "Category=PostgreSQL"
fi

# One summary over every run, read from the TRX files.
total=0; passed=0; failed=0; skipped=0; pg=0
counter() { grep -o '<Counters [^>]*>' "$1" | head -n 1 | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]*'; }
for trx in "$results_dir"/*.trx; do
  [ -f "$trx" ] || continue
  total=$((total + $(counter "$trx" total))); passed=$((passed + $(counter "$trx" passed)))
  failed=$((failed + $(counter "$trx" failed))); skipped=$((skipped + $(counter "$trx" notExecuted)))
  case "${trx##*/}" in postgresql*) pg=$((pg + $(counter "$trx" passed))) ;; esac
done
[ "$total" -gt 0 ] || die "no test was executed"
if [ -n "$fast" ]; then
  printf '\nFast set only: the PostgreSQL, SMTP, browser and process tests did not run (scripts/test.sh runs them).\n'
else
  printf '\nPostgreSQL tests executed and passed: %s\n' "$pg"
  if is_ci && [ "$pg" -eq 0 ]; then die "no PostgreSQL test ran under CI"; fi
fi
if is_ci && [ "$skipped" -gt 0 ]; then printf 'scripts/test.sh: %s test(s) skipped under CI\n' "$skipped" >&2; status=1; fi
printf 'Tests: %s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
exit "$status"
