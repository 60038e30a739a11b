#!/usr/bin/env bash
# A local Redis Sentinel for the ZeroMQ driver's Sentinel specs, without docker:
#   scripts/redis-sentinel.sh up      a master, a replica of it and a sentinel monitoring them
#   scripts/redis-sentinel.sh down    stops exactly those three (by their pid files) and removes their data
#   scripts/redis-sentinel.sh status  prints what runs
# Everything lives in RXM_SENTINEL_DIR (default ${TMPDIR:-/tmp}/rxm-redis-sentinel-$(id -u)), nothing
# is persisted, and the Redis on 6379 is never touched. Debian ships no redis-sentinel binary:
# the sentinel is `redis-server <conf> --sentinel`, with a conf it may rewrite (it must be writable).
# `up` prints the settings as KEY=VALUE lines (SENTINEL_HOST, SENTINEL_PORT, SENTINEL_MASTER, ...).
set -euo pipefail

DIR="${RXM_SENTINEL_DIR:-${TMPDIR:-/tmp}/rxm-redis-sentinel-$(id -u)}"
MASTER_PORT="${RXM_SENTINEL_MASTER_PORT:-6381}"
REPLICA_PORT="${RXM_SENTINEL_REPLICA_PORT:-6382}"
SENTINEL_PORT="${RXM_SENTINEL_PORT:-26381}"
MASTER_NAME="${RXM_SENTINEL_MASTER:-rxm-sentinel-master}"
# How long `up` waits for the sentinel to see the replica (a failover needs it; ~1-10 s).
READY_TIMEOUT="${RXM_SENTINEL_READY_TIMEOUT:-30}"
HOST=127.0.0.1
NODES=(master replica sentinel)

usage() { echo "usage: $0 up|down|status" >&2; exit 2; }
pidfile() { echo "${DIR}/$1/redis.pid"; }
# The pid in a node's pid file when that process is still a redis-server: a stale file naming a reused pid is not ours.
live_pid() {
  local file pid
  file=$(pidfile "$1")
  [[ -r "$file" ]] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/${pid}/cmdline" ]] && tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -q redis-server && echo "$pid"
}
port_of() { case "$1" in master) echo "$MASTER_PORT" ;; replica) echo "$REPLICA_PORT" ;; sentinel) echo "$SENTINEL_PORT" ;; esac; }
port_busy() { (exec 3<>"/dev/tcp/${HOST}/$1") 2>/dev/null; }
settings() {
  echo "SENTINEL_HOST=${HOST}"
  echo "SENTINEL_PORT=${SENTINEL_PORT}"
  echo "SENTINEL_MASTER=${MASTER_NAME}"
  echo "SENTINEL_MASTER_PORT=${MASTER_PORT}"
  echo "SENTINEL_REPLICA_PORT=${REPLICA_PORT}"
  echo "SENTINEL_DIR=${DIR}"
}

up() {
  command -v redis-server >/dev/null || { echo "redis-sentinel: redis-server is not installed (Debian: apt-get install redis-server)" >&2; exit 1; }
  command -v redis-cli >/dev/null || { echo "redis-sentinel: redis-cli is not installed (Debian: apt-get install redis-tools)" >&2; exit 1; }
  local running=0 node
  for node in "${NODES[@]}"; do live_pid "$node" >/dev/null && running=$((running + 1)); done
  if ((running == ${#NODES[@]})); then settings; return; fi
  ((running == 0)) || { echo "redis-sentinel: only part of the nodes in ${DIR} run; run '$0 down' first" >&2; exit 1; }
  for node in "${NODES[@]}"; do
    if port_busy "$(port_of "$node")"; then echo "redis-sentinel: port $(port_of "$node") (the ${node}) is in use; set RXM_SENTINEL_*PORT" >&2; exit 1; fi
  done
  rm -rf "$DIR"
  mkdir -p "${DIR}/master" "${DIR}/replica" "${DIR}/sentinel"
  local common=(--bind "$HOST" --daemonize yes --save "" --appendonly no)
  redis-server --port "$MASTER_PORT" "${common[@]}" --dir "${DIR}/master" --pidfile "$(pidfile master)" --logfile "${DIR}/master/redis.log"
  redis-server --port "$REPLICA_PORT" "${common[@]}" --dir "${DIR}/replica" --pidfile "$(pidfile replica)" --logfile "${DIR}/replica/redis.log" --replicaof "$HOST" "$MASTER_PORT"
  cat >"${DIR}/sentinel/sentinel.conf" <<CONF
port ${SENTINEL_PORT}
bind ${HOST}
daemonize yes
pidfile $(pidfile sentinel)
logfile ${DIR}/sentinel/redis.log
dir ${DIR}/sentinel
sentinel monitor ${MASTER_NAME} ${HOST} ${MASTER_PORT} 1
sentinel down-after-milliseconds ${MASTER_NAME} 2000
sentinel failover-timeout ${MASTER_NAME} 10000
CONF
  redis-server "${DIR}/sentinel/sentinel.conf" --sentinel
  # Ready when the sentinel knows the master and its replica (without the replica a failover aborts).
  local waited=0
  until redis-cli -h "$HOST" -p "$SENTINEL_PORT" info sentinel 2>/dev/null | grep -q "name=${MASTER_NAME},status=ok,.*slaves=1"; do
    if ((waited >= READY_TIMEOUT * 2)); then
      echo "redis-sentinel: the sentinel did not see ${MASTER_NAME} with its replica within ${READY_TIMEOUT} s (logs in ${DIR})" >&2
      exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  settings
}

down() {
  local node pid
  for node in sentinel replica master; do
    if pid=$(live_pid "$node"); then
      kill "$pid"
      # A redis-server without persistence exits at once on SIGTERM; wait so its port is free on return.
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "redis-sentinel: stopped the ${node} (pid ${pid})"
    fi
  done
  rm -rf "$DIR"
}

status() {
  local node pid
  for node in "${NODES[@]}"; do
    if pid=$(live_pid "$node"); then echo "${node}: pid ${pid}, port $(port_of "$node")"; else echo "${node}: not running"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) usage ;;
esac
