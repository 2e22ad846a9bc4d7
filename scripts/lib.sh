# Shell functions shared by scripts/test.sh and scripts/bench.sh (sourced, not run).

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'scripts/%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apt_updated=""
apt_install() {
  local packages=("$@")
  if [ "$(id -u)" = 0 ]; then
    log "Installing ${packages[*]} from Debian packages"
    [ -n "$apt_updated" ] || { apt-get update -qq && apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    log "Installing ${packages[*]} from Debian packages (sudo)"
    [ -n "$apt_updated" ] || { sudo apt-get update -qq && apt_updated=1; }
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  else
    return 1
  fi
}

pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free loopback port found"
}
