#!/usr/bin/env bash
# Makes sure the services the AMQP, ZeroMQ and interop specs need are there:
#   - RabbitMQ reachable at AMQP_URL (default amqp://guest:guest@127.0.0.1:5672)
#   - /usr/bin/python3 able to `import oslo_messaging` (the interop peer)
#   - a Redis server answering PING at REDIS_HOST:REDIS_PORT (default 127.0.0.1:6379), the
#     ZeroMQ driver's matchmaker; a local one is started without persistence
# On a Debian machine (as root, or with sudo) whatever is missing is installed with apt-get and
# the broker is started. Elsewhere it prints what is missing and exits 1, so the specs that need
# the services report themselves skipped with that reason.
set -euo pipefail

AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}"
PYTHON=/usr/bin/python3
# How long to wait for a freshly started broker to accept connections (it boots in ~5-20 s).
BROKER_START_TIMEOUT="${BROKER_START_TIMEOUT:-120}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"

# host and port of the first host in AMQP_URL
hostport="${AMQP_URL#*://}"
hostport="${hostport#*@}"
hostport="${hostport%%/*}"
hostport="${hostport%%\?*}"
hostport="${hostport%%,*}"
host="${hostport%:*}"
port="${hostport##*:}"
[[ "$hostport" == *:* ]] || port=5672
[[ -n "$host" ]] || host=127.0.0.1

broker_up() { (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null; }
oslo_up() { [[ -x "$PYTHON" ]] && "$PYTHON" -c 'import oslo_messaging' 2>/dev/null; }
is_local() { [[ "$host" == 127.0.0.1 || "$host" == localhost || "$host" == ::1 ]]; }
# A PING answered by +PONG: something listening on the port is not enough.
redis_up() {
  (
    exec 3<>"/dev/tcp/${REDIS_HOST}/${REDIS_PORT}" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 3 reply <&3 && [[ "$reply" == +PONG* ]]
  ) 2>/dev/null
}
redis_is_local() { [[ "$REDIS_HOST" == 127.0.0.1 || "$REDIS_HOST" == localhost ]] && [[ "$REDIS_PORT" == 6379 ]]; }

check() {
  missing=()
  broker_up || missing+=(broker)
  oslo_up || missing+=(oslo)
  redis_up || missing+=(redis)
}
available() { echo "ensure-services: RabbitMQ at ${host}:${port}, ${PYTHON} oslo_messaging and Redis at ${REDIS_HOST}:${REDIS_PORT} are available"; }

check
if ((${#missing[@]} == 0)); then
  available
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(); fi
fi
can_install() { [[ -r /etc/debian_version ]] && command -v apt-get >/dev/null && { [[ $(id -u) -eq 0 ]] || ((${#as_root[@]})); }; }

explain() {
  for what in "${missing[@]}"; do
    case "$what" in
      broker) echo "ensure-services: RabbitMQ is not reachable at ${host}:${port}: start one (Debian: apt-get install rabbitmq-server && rabbitmq-server -detached; or docker run -p 5672:5672 rabbitmq:3) or set AMQP_URL" >&2 ;;
      oslo) echo "ensure-services: ${PYTHON} cannot import oslo_messaging: install it (Debian: apt-get install python3-oslo.messaging)" >&2 ;;
      redis) echo "ensure-services: Redis does not answer at ${REDIS_HOST}:${REDIS_PORT}: start one (Debian: apt-get install redis-server && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no; or docker run -p 6379:6379 redis:7)" >&2 ;;
    esac
  done
}

if ! can_install; then
  explain
  echo "ensure-services: not a Debian machine where this script may install packages; the specs that need these services will be skipped" >&2
  exit 1
fi
if [[ " ${missing[*]} " == *" broker "* ]] && { ! is_local || [[ "$port" != 5672 ]]; }; then
  explain
  echo "ensure-services: AMQP_URL names ${host}:${port}, not the local default broker this script can start; start it there" >&2
  exit 1
fi
if [[ " ${missing[*]} " == *" redis "* ]] && ! redis_is_local; then
  explain
  echo "ensure-services: REDIS_HOST:REDIS_PORT is ${REDIS_HOST}:${REDIS_PORT}, not the local default this script can start; start it there" >&2
  exit 1
fi

packages=()
[[ " ${missing[*]} " == *" broker "* ]] && ! command -v rabbitmq-server >/dev/null && packages+=(rabbitmq-server)
[[ " ${missing[*]} " == *" oslo "* ]] && packages+=(python3-oslo.messaging)
[[ " ${missing[*]} " == *" redis "* ]] && ! command -v redis-server >/dev/null && packages+=(redis-server)
if ((${#packages[@]})); then
  echo "ensure-services: installing ${packages[*]}"
  "${as_root[@]}" apt-get update -qq
  # Debian's policy-rc.d may forbid starting services from postinst: we start the broker ourselves.
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi

if ! broker_up; then
  echo "ensure-services: starting RabbitMQ"
  "${as_root[@]}" rabbitmq-server -detached
  # `rabbitmqctl await_startup` blocks until the broker has booted (or fails); no polling here.
  if ! "${as_root[@]}" timeout "$BROKER_START_TIMEOUT" rabbitmqctl -q await_startup; then
    echo "ensure-services: RabbitMQ did not finish booting within ${BROKER_START_TIMEOUT} s (see /var/log/rabbitmq)" >&2
    exit 1
  fi
fi

if ! redis_up; then
  echo "ensure-services: starting Redis on ${REDIS_HOST}:${REDIS_PORT} (no persistence)"
  # Debian's package may have started its own service already; this one needs no root and no files.
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no
  # It answers within milliseconds of forking; a few tries cover a slow machine.
  for _ in 1 2 3 4 5 6 7 8 9 10; do redis_up && break; sleep 0.5; done
fi

check
if ((${#missing[@]})); then
  explain
  exit 1
fi
available
