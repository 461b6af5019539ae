#!/usr/bin/env bash
# Make sure the services Refrain needs answer; start local ones that do not.
#
#   scripts/ensure-services.sh redis            # make run
#   scripts/ensure-services.sh postgres redis   # make test
#
# Addresses come from DATABASE_URL and REDIS_URL (defaults: the local test database
# and Redis). Only services on this machine are started; a remote one is just waited
# for. Safe to run again and again. Each service gets SERVICE_WAIT_SECONDS (30) to
# answer; if one never does, the script exits non-zero with one line saying which.
set -euo pipefail

WAIT_SECONDS="${SERVICE_WAIT_SECONDS:-30}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "ensure-services: $*"; }
die() { echo "ensure-services: $*" >&2; exit 1; }

# Sets HOST and PORT from a URL such as postgres://user:pw@host:5432/db or
# redis://:pw@[::1]:6379/0; an empty host means this machine.
parse_url() {
    local url="$1" default_port="$2" rest
    rest="${url#*://}"
    rest="${rest%%[/?]*}"
    rest="${rest##*@}"
    if [[ "$rest" =~ ^\[([^]]*)\](:([0-9]+))?$ ]]; then
        HOST="${BASH_REMATCH[1]}"
        PORT="${BASH_REMATCH[3]:-$default_port}"
    elif [[ "$rest" =~ ^([^:]*)(:([0-9]+))?$ ]]; then
        HOST="${BASH_REMATCH[1]}"
        PORT="${BASH_REMATCH[3]:-$default_port}"
    else
        die "cannot read a host and port from ${url%%@*}@…"
    fi
    HOST="${HOST:-127.0.0.1}"
}

is_local() {
    case "$1" in 127.0.0.1 | localhost | ::1 | 0.0.0.0) return 0 ;; *) return 1 ;; esac
}

wait_for() {  # wait_for <check command…>
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$@"; do
        if ((SECONDS >= deadline)); then
            return 1
        fi
        sleep 1
    done
}

# --- PostgreSQL -------------------------------------------------------------------

postgres_answers() {
    if command -v pg_isready >/dev/null; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
    else
        timeout 3 bash -c "exec 3<>/dev/tcp/$PG_HOST/$PG_PORT" 2>/dev/null
    fi
}

ensure_postgres() {
    local url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/refrain}"
    case "$url" in
        postgres://* | postgresql://* | pgsql://* | postgis://*) ;;
        *) say "DATABASE_URL is not PostgreSQL; nothing to check"; return 0 ;;
    esac
    parse_url "$url" 5432
    PG_HOST="$HOST" PG_PORT="$PORT"
    if postgres_answers; then
        say "PostgreSQL answers at $PG_HOST:$PG_PORT"
        return 0
    fi
    if is_local "$PG_HOST"; then
        local version
        version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)"
        if ! command -v pg_ctlcluster >/dev/null || [[ -z "$version" ]]; then
            die "PostgreSQL is not running at $PG_HOST:$PG_PORT and no local cluster was found (install it: apt-get install postgresql)"
        fi
        say "starting PostgreSQL $version (cluster main)"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
            say "pg_ctlcluster could not start PostgreSQL $version/main (as root it can); waiting in case it is coming up"
    fi
    wait_for postgres_answers ||
        die "PostgreSQL did not answer at $PG_HOST:$PG_PORT within ${WAIT_SECONDS}s"
    say "PostgreSQL answers at $PG_HOST:$PG_PORT"
}

# --- Redis ------------------------------------------------------------------------

redis_answers() {
    # A bare PING over TCP: "+PONG", or "-NOAUTH" from a Redis that wants a password,
    # both mean it is up. Needs no client beyond bash.
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$0/$1" || exit 1
        printf "PING\r\n" >&3
        IFS= read -r reply <&3 || exit 1
        [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]
    ' "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null
}

ensure_redis() {
    local url="${REDIS_URL:-redis://127.0.0.1:6379/0}" dir logfile
    case "$url" in
        redis://* | rediss://*) ;;
        *) die "REDIS_URL must start with redis:// or rediss://" ;;
    esac
    parse_url "$url" 6379
    REDIS_HOST="$HOST" REDIS_PORT="$PORT"
    if [[ "$url" == rediss://* ]]; then
        # A plain-text PING means nothing to a TLS port; Celery will say if it fails.
        say "Redis at $REDIS_HOST:$REDIS_PORT uses TLS; not checked"
        return 0
    fi
    if redis_answers; then
        say "Redis answers at $REDIS_HOST:$REDIS_PORT"
        return 0
    fi
    if ! is_local "$REDIS_HOST"; then
        wait_for redis_answers ||
            die "Redis did not answer at $REDIS_HOST:$REDIS_PORT within ${WAIT_SECONDS}s"
        say "Redis answers at $REDIS_HOST:$REDIS_PORT"
        return 0
    fi
    if ! command -v redis-server >/dev/null; then
        die "Redis is not running at $REDIS_HOST:$REDIS_PORT and redis-server is not installed (install it: apt-get install redis-server)"
    fi
    if [[ "$(id -u)" == 0 ]]; then
        dir=/var/lib/redis
        logfile=/var/log/redis/ci.log
        mkdir -p "$dir" "$(dirname "$logfile")"
    else
        # Without root the system directories are not writable; keep Redis's files
        # with the project's other runtime files.
        dir="$REPO_ROOT/var"
        logfile="$REPO_ROOT/var/redis.log"
        mkdir -p "$dir"
    fi
    say "starting redis-server on port $REDIS_PORT (log: $logfile)"
    # No persistence: this Redis only carries the Celery broker queue and the beat
    # tick, both of which are rebuilt on their own.
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
        --save "" --appendonly no --dir "$dir" --logfile "$logfile" ||
        die "redis-server failed to start (see $logfile)"
    wait_for redis_answers ||
        die "Redis did not answer at $REDIS_HOST:$REDIS_PORT within ${WAIT_SECONDS}s (see $logfile)"
    say "Redis answers at $REDIS_HOST:$REDIS_PORT"
}

if (($# == 0)); then
    set -- postgres redis
fi
for service in "$@"; do
    case "$service" in
        postgres) ensure_postgres ;;
        redis) ensure_redis ;;
        *) die "unknown service '$service' (expected postgres or redis)" ;;
    esac
done
