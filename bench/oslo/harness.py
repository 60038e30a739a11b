#!/usr/bin/python3
"""The Python oslo.messaging harness of `npm run bench`.

The same roles, options and JSON report as `rxm simulator` (lib/cli/simulator), done by the
Debian package python3-oslo.messaging: an RPC server and client, a notification listener and
notifier, on the threading executor with oslo's defaults. Run it with /usr/bin/python3:

    /usr/bin/python3 bench/oslo/harness.py rpc-server --url rabbit://guest:guest@127.0.0.1:5672/ --json server.json
    /usr/bin/python3 bench/oslo/harness.py rpc-client -p 5 -l 4 --sync --json client.json
"""

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import time

from oslo_config import cfg
import oslo_messaging as messaging

RPC_METHOD = 'info'
NOTIFY_EVENT = 'compute.start'
SYNC_DONE = 'sync_done'
# A sync_done call queues behind every message sent before it.
SYNC_TIMEOUT = 300
ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'


class Meter(object):
    """Latencies, bytes and errors per second and in all; threads record concurrently."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.slots = []
        self.errors_by_type = {}
        self.bytes = 0
        self.errors = 0
        self.origin = None
        self.last = None
        self.ended = None

    def begin(self, at=None):
        self.origin = time.perf_counter() if at is None else at
        self.last = self.origin

    def _slot(self, now):
        if self.origin is None:
            self.origin = now
        self.last = now
        index = max(0, int((now - self.origin)))
        while len(self.slots) <= index:
            self.slots.append({'count': 0, 'bytes': 0, 'sum': 0.0, 'min': None, 'max': 0.0, 'errors': 0})
        return self.slots[index]

    def record(self, latency_ms, size):
        with self.lock:
            slot = self._slot(time.perf_counter())
            slot['count'] += 1
            slot['bytes'] += size
            slot['sum'] += latency_ms
            slot['min'] = latency_ms if slot['min'] is None else min(slot['min'], latency_ms)
            slot['max'] = max(slot['max'], latency_ms)
            self.latencies.append(latency_ms)
            self.bytes += size

    def fail(self, error):
        with self.lock:
            self._slot(time.perf_counter())['errors'] += 1
            self.errors += 1
            name = type(error).__name__
            self.errors_by_type[name] = self.errors_by_type.get(name, 0) + 1

    def end(self):
        self.ended = time.perf_counter()

    def series(self):
        return [{'second': i, 'count': s['count'], 'bytes': s['bytes'],
                 'latency_ms': r3(s['sum'] / s['count']) if s['count'] else 0,
                 'min_ms': r3(s['min'] or 0), 'max_ms': r3(s['max']), 'errors': s['errors']}
                for i, s in enumerate(self.slots)]

    def summary(self):
        ordered = sorted(self.latencies)
        count = len(ordered)
        end = self.ended or self.last or self.origin
        seconds = (end - self.origin) if self.origin is not None else 0

        def quantile(q):
            return ordered[max(0, min(count - 1, int(-(-q * count // 1)) - 1))] if count else 0

        return {'messages': count, 'seconds': r3(seconds),
                'msg_per_s': round(count / seconds) if seconds > 0 else 0, 'bytes': self.bytes,
                'p50_ms': r3(quantile(0.5)), 'p99_ms': r3(quantile(0.99)),
                'mean_ms': r3(sum(ordered) / count) if count else 0,
                'min_ms': r3(ordered[0]) if count else 0, 'max_ms': r3(ordered[-1]) if count else 0,
                'errors': self.errors, 'errors_by_type': dict(self.errors_by_type)}

    def window(self):
        """Epoch seconds of the start and the end (or last event)."""
        offset = time.time() - time.perf_counter()
        start = self.origin if self.origin is not None else time.perf_counter()
        return start + offset, (self.ended or self.last or start) + offset


def r3(value):
    return round(value, 3)


def cargo(size):
    return ''.join(ALPHABET[(i * 7919) % len(ALPHABET)] for i in range(size))


def read_message(value):
    if not isinstance(value, (list, tuple)) or len(value) < 3:
        raise TypeError('not a simulator message [seq, cargo, client_ts, ...]: %r' % (value,))
    return list(value)


class Synced(object):
    """Set once `clients` sync_done messages arrived, or on SIGINT/SIGTERM."""

    def __init__(self, clients):
        self.clients = clients
        self.count = 0
        self.lock = threading.Lock()
        self.event = threading.Event()

    def done(self):
        with self.lock:
            self.count += 1
            if self.clients > 0 and self.count >= self.clients:
                self.event.set()

    def wait(self):
        # Event.wait with a timeout, so the main thread still takes signals.
        while not self.event.wait(0.5):
            pass


class RpcEndpoint(object):
    def __init__(self, meter, synced, wait):
        self.meter = meter
        self.synced = synced
        self.wait = wait

    def info(self, ctxt, message):
        try:
            received = read_message(message)
        except TypeError as error:
            self.meter.fail(error)
            raise
        self.meter.record((time.time() - received[2]) * 1000, len(received[1]))
        if self.wait > 0:
            time.sleep(self.wait)
        received[3] = time.time()
        return received

    # oslo's tools/simulator.py control methods: each client sends message={'id': ...}.
    def sync_start(self, ctxt, message=None):
        pass

    def sync_done(self, ctxt, message=None):
        self.synced.done()


class NotifyEndpoint(object):
    def __init__(self, meter, synced, wait, requeue):
        self.meter = meter
        self.synced = synced
        self.wait = wait
        self.requeue = requeue
        self.requeued = set()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        if event_type == SYNC_DONE:
            self.synced.done()
            return messaging.NotificationResult.HANDLED
        message_id = metadata.get('message_id')
        if self.requeue and message_id not in self.requeued:
            self.requeued.add(message_id)
            return messaging.NotificationResult.REQUEUE
        self.requeued.discard(message_id)
        try:
            received = read_message(payload)
        except TypeError as error:
            self.meter.fail(error)
            raise
        self.meter.record((time.time() - received[2]) * 1000, len(received[1]))
        if self.wait > 0:
            time.sleep(self.wait)
        return messaging.NotificationResult.HANDLED


def run_server(args, meter):
    synced = Synced(args.clients)
    for name in (signal.SIGINT, signal.SIGTERM):
        signal.signal(name, lambda *_: synced.event.set())
    if args.role == 'rpc-server':
        transport = messaging.get_rpc_transport(cfg.CONF, url=args.url)
        target = messaging.Target(topic=args.topic, server=args.server)
        server = messaging.get_rpc_server(transport, target, [RpcEndpoint(meter, synced, args.wait)], executor='threading')
    else:
        transport = messaging.get_notification_transport(cfg.CONF, url=args.url)
        server = messaging.get_notification_listener(
            transport, [messaging.Target(topic=args.topic)],
            [NotifyEndpoint(meter, synced, args.wait, args.requeue)], executor='threading',
            allow_requeue=args.requeue, pool=args.pool)
    # The option exists once a server registered it; the pool is made by start().
    cfg.CONF.set_override('executor_thread_pool_size', args.executor_size)
    server.start()
    print('ready: %s on %s topic %s' % (args.role, redact(args.url), args.topic), flush=True)
    synced.wait()
    server.stop()
    server.wait()
    transport.cleanup()


def run_client(args, meter):
    text = cargo(args.size)
    if args.role == 'rpc-client':
        transport = messaging.get_rpc_transport(cfg.CONF, url=args.url)
        direct = messaging.get_rpc_client(transport, messaging.Target(topic=args.topic, server=args.server or None), timeout=args.timeout)
        fanout = direct.prepare(fanout=True, server=None)
        sender = direct if args.mode != 'fanout' else fanout

        def send(seq):
            message = [seq, text, time.time(), None, None]
            if args.mode == 'call':
                read_message(direct.call({}, RPC_METHOD, message=message))
            else:
                sender.cast({}, RPC_METHOD, message=message)

        def sync():
            control = {'id': '%d@%s' % (os.getpid(), socket.gethostname())}
            if args.sync_mode == 'fanout':
                fanout.cast({}, SYNC_DONE, message=control)
            else:
                direct.prepare(timeout=SYNC_TIMEOUT).call({}, SYNC_DONE, message=control)
    else:
        transport = messaging.get_notification_transport(cfg.CONF, url=args.url)
        notifier = messaging.Notifier(transport, 'simulator-%d' % threading.get_ident(), driver='messagingv2', topics=[args.topic])

        def send(seq):
            notifier.info({}, NOTIFY_EVENT, [seq, text, time.time(), None, None])

        def sync():
            notifier.info({}, SYNC_DONE, None)

    stop = threading.Event()
    for name in (signal.SIGINT, signal.SIGTERM):
        signal.signal(name, lambda *_: stop.set())
    counter = iter(range(sys.maxsize))
    counter_lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + args.duration if args.duration else float('inf')
    meter.begin(start)
    # The bench counts CPU time from this line on.
    print('measuring: %s' % args.role, flush=True)

    def caller():
        sent = 0
        while (args.messages is None or sent < args.messages) and time.perf_counter() < deadline and not stop.is_set():
            with counter_lock:
                seq = next(counter)
            began = time.perf_counter()
            try:
                send(seq)
                meter.record((time.perf_counter() - began) * 1000, len(text))
            except Exception as error:  # every failure is counted, the caller goes on
                meter.fail(error)
            sent += 1
            if args.wait > 0:
                time.sleep(args.wait)

    threads = [threading.Thread(target=caller, daemon=True) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.5)
    meter.end()
    if args.sync:
        sync()
    transport.cleanup()


def redact(url):
    import re
    return re.sub(r'([/,][^:/@,]*:)[^@/,]*@', r'\1***@', url)


def parse(argv):
    parser = argparse.ArgumentParser(prog='harness.py', description=__doc__.split('\n')[0])
    parser.add_argument('role', choices=['rpc-server', 'rpc-client', 'notify-server', 'notify-client'])
    parser.add_argument('--url', default='rabbit://guest:guest@127.0.0.1:5672/')
    parser.add_argument('--topic', default='profiler_topic')
    parser.add_argument('--server', default='profiler_server')
    parser.add_argument('--json')
    parser.add_argument('-d', '--debug', action='store_true')
    parser.add_argument('-w', '--wait', type=float, default=0)
    parser.add_argument('--executor-size', type=int, default=64)
    parser.add_argument('--clients', type=int, default=1)
    parser.add_argument('--requeue', action='store_true')
    parser.add_argument('--pool')
    parser.add_argument('-p', '--concurrency', type=int, default=1)
    parser.add_argument('-m', '--messages', type=int)
    parser.add_argument('-l', '--duration', type=float)
    parser.add_argument('--size', type=int, default=100)
    parser.add_argument('--sync', action='store_true')
    parser.add_argument('--mode', choices=['call', 'cast', 'fanout'], default='call')
    parser.add_argument('--timeout', type=float, default=3)
    parser.add_argument('--sync-mode', choices=['call', 'fanout'], default='call')
    args = parser.parse_args(argv)
    if args.messages is None and args.duration is None:
        args.messages = 1
    return args


def main(argv):
    args = parse(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    cfg.CONF([], project='rx-messaging-bench')
    meter = Meter()
    failure = None
    try:
        (run_server if args.role.endswith('-server') else run_client)(args, meter)
    except Exception as error:  # reported below, with the measurements so far
        failure = error
    start_ts, end_ts = meter.window()
    options = {k: v for k, v in vars(args).items() if k not in ('role', 'json', 'debug')}
    options['url'] = redact(args.url)
    report = {'tool': 'oslo.messaging harness', 'role': args.role, 'start_ts': start_ts, 'end_ts': end_ts,
              'options': options, 'series': meter.series(), 'summary': meter.summary()}
    s = report['summary']
    print('%s: %d msg in %s s = %d msg/s, latency p50 %s ms p99 %s ms, %d errors'
          % (args.role, s['messages'], s['seconds'], s['msg_per_s'], s['p50_ms'], s['p99_ms'], s['errors']), flush=True)
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(report, out, indent=2)
    if failure is not None:
        print('oslo.messaging harness %s failed: %s: %s' % (args.role, type(failure).__name__, failure), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
