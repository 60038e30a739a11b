#!/usr/bin/env bash
# A local three-node RabbitMQ cluster for the cluster specs and the fault soak:
#   rxm1@localhost, rxm2@localhost, rxm3@localhost on AMQP ports 5681, 5682, 5683
#   (distribution ports 25681-25683, no management plugin), joined to rxm1.
# Usage: scripts/cluster.sh up | down | status      (npm run cluster -- up)
#        scripts/cluster.sh ctl rxmN <rabbitmqctl args>  (e.g. ctl rxm2 stop_app: what the cluster specs use)
# Started from Debian's rabbitmq-server, as the calling user, with a cookie of their own (in
# $RXM_CLUSTER_DIR/.erlang.cookie, found through HOME), so the broker on 5672 is never touched:
# every rabbitmqctl here names one of these nodes. Data and logs live under RXM_CLUSTER_DIR
# (default /tmp/rxm-cluster); `down` stops the three nodes and removes it. Both are idempotent.
# Exits 1, saying why, when RabbitMQ is not installed or a node does not come up.
set -euo pipefail

DIR="${RXM_CLUSTER_DIR:-/tmp/rxm-cluster}"
BIN="${RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}"
NODES=(rxm1 rxm2 rxm3)
# How long one node may take to boot (a few seconds each on an idle machine).
START_TIMEOUT="${RXM_CLUSTER_START_TIMEOUT:-90}"

amqp_port() { echo $((5680 + ${1#rxm})); }
dist_port() { echo $((25680 + ${1#rxm})); }

ctl() {
  local node=$1
  shift
  HOME="$DIR" timeout "${CTL_TIMEOUT:-60}" "$BIN/rabbitmqctl" -q -n "$node@localhost" "$@"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running() { [[ -d "$DIR/$1" ]] && ctl "$1" status >/dev/null 2>&1 <<<''; }

require_rabbitmq() {
  if [[ ! -x "$BIN/rabbitmq-server" || ! -x "$BIN/rabbitmqctl" ]]; then
    echo "cluster: RabbitMQ is not installed at $BIN (Debian: apt-get install rabbitmq-server, or npm run services)" >&2
    exit 1
  fi
}

start_node() {
  local node=$1 port dist
  port=$(amqp_port "$node")
  dist=$(dist_port "$node")
  if running "$node"; then
    echo "cluster: $node@localhost is running (AMQP port $port)"
    return
  fi
  if port_open "$port"; then
    echo "cluster: port $port is taken by something other than $node@localhost" >&2
    exit 1
  fi
  mkdir -p "$DIR/$node/data" "$DIR/$node/log"
  cat >"$DIR/$node/rabbitmq.conf" <<EOF
listeners.tcp.local = 127.0.0.1:$port
loopback_users.guest = true
disk_free_limit.absolute = 50MB
vm_memory_high_watermark.absolute = 512MB
EOF
  echo '[].' >"$DIR/$node/enabled_plugins"
  : >"$DIR/$node/rabbitmq-env.conf"
  echo "cluster: starting $node@localhost on AMQP port $port"
  # One scheduler and no busy-waiting: the machine's cores are shared.
  env HOME="$DIR" \
    RABBITMQ_NODENAME="$node@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$dist" \
    RABBITMQ_MNESIA_BASE="$DIR/$node/data" RABBITMQ_LOG_BASE="$DIR/$node/log" RABBITMQ_CONFIG_FILE="$DIR/$node/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/$node/enabled_plugins" RABBITMQ_CONF_ENV_FILE="$DIR/$node/rabbitmq-env.conf" \
    RABBITMQ_PID_FILE="$DIR/$node/pid" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none -kernel inet_dist_use_interface {127,0,0,1}" \
    "$BIN/rabbitmq-server" -detached >"$DIR/$node/log/startup.log" 2>&1
  # `wait` blocks until the pid file appears and the node has booted (await_startup fails until the node is registered).
  if ! CTL_TIMEOUT=$START_TIMEOUT ctl "$node" wait "$DIR/$node/pid" --timeout "$START_TIMEOUT" </dev/null >/dev/null; then
    echo "cluster: $node@localhost did not boot within $START_TIMEOUT s (see $DIR/$node/log)" >&2
    exit 1
  fi
}

joined() { ctl "$1" cluster_status --formatter json </dev/null 2>/dev/null | grep -q '"running_nodes":\[[^]]*"rxm1@localhost"'; }

join_node() {
  local node=$1
  if joined "$node"; then return; fi
  echo "cluster: joining $node@localhost to rxm1@localhost"
  # The CLI echoes the node's boot log: keep it in the node's log folder.
  local out="$DIR/$node/log/join.log"
  if ! { ctl "$node" stop_app && ctl "$node" reset && ctl "$node" join_cluster rxm1@localhost && ctl "$node" start_app; } </dev/null >"$out" 2>&1; then
    echo "cluster: $node@localhost could not join rxm1@localhost (see $out)" >&2
    exit 1
  fi
}

up() {
  require_rabbitmq
  mkdir -p "$DIR"
  if [[ ! -s "$DIR/.erlang.cookie" ]]; then
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F' >"$DIR/.erlang.cookie")
  fi
  chmod 400 "$DIR/.erlang.cookie"
  for node in "${NODES[@]}"; do start_node "$node"; done
  for node in rxm2 rxm3; do join_node "$node"; done
  echo "cluster: up: amqp://guest:guest@127.0.0.1:5681,guest:guest@127.0.0.1:5682,guest:guest@127.0.0.1:5683/ (rabbit://guest:guest@127.0.0.1:5681,guest:guest@127.0.0.1:5682,guest:guest@127.0.0.1:5683/)"
}

down() {
  require_rabbitmq
  if [[ -d "$DIR" ]]; then
    for node in "${NODES[@]}"; do
      if running "$node"; then
        echo "cluster: stopping $node@localhost"
        ctl "$node" stop </dev/null || true
      fi
    done
  fi
  # Only our own folder, however RXM_CLUSTER_DIR was set: it must hold our cookie.
  if [[ -d "$DIR" && -e "$DIR/.erlang.cookie" ]]; then rm -rf "$DIR"; fi
  echo "cluster: down"
}

status() {
  require_rabbitmq
  local all=0
  for node in "${NODES[@]}"; do
    if running "$node"; then
      if [[ $node == rxm1 ]] || joined "$node"; then echo "$node@localhost: running, clustered (AMQP port $(amqp_port "$node"))"; else echo "$node@localhost: running, not clustered"; all=1; fi
    else
      echo "$node@localhost: stopped"
      all=1
    fi
  done
  return $all
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  ctl)
    require_rabbitmq
    case "${2:-}" in rxm1 | rxm2 | rxm3) ;; *)
      echo "usage: $0 ctl rxm1|rxm2|rxm3 <rabbitmqctl arguments>" >&2
      exit 2
      ;;
    esac
    node=$2
    shift 2
    ctl "$node" "$@" </dev/null
    ;;
  *)
    echo "usage: $0 up | down | status | ctl rxmN <rabbitmqctl arguments>" >&2
    exit 2
    ;;
esac
