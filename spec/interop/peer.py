#!/usr/bin/python3
"""A real oslo.messaging peer for rx-messaging's interop specs, driven by JSON lines.

Run: /usr/bin/python3 peer.py URL [--allowed-exmods a,b]

Each line on stdin is a command {"id": ..., "op": ...}; each is answered by one line
{"id": ..., "ok": true, ...} or {"id": ..., "ok": false, "error": {...}} on stdout. Commands run in
threads of their own, so a slow call does not hold the others. Things that happen on their own
(a cast or notification received) are lines {"event": ...}. Ops:

  serve   handle topic server [exchange] [endpoints: [{namespace, version}]]  an RPC server
  stop    handle                                                             stop a server/listener
  call    topic [server] [exchange] [namespace] [version] method args context
          [timeout] [call_monitor_timeout] [at_least_once] [datetimes]       -> result
  cast    topic [server] [fanout] [exchange] [namespace] [version] method args context
  notify  topic driver(messaging|messagingv2) publisher_id priority event_type payload context
  listen  handle topics [exchange] [pool] [requeue_once]                    a notification listener
  exit

The args named in `datetimes` are sent as Python datetimes (given as ISO text).

Endpoints (methods of every served endpoint): echo(**kw) -> {args, context, endpoint},
types(**kw) -> {name: Python type name of the argument},
add(a, b), slow(seconds, value), fail(kind, message) raising ValueError or PeerError,
note(**kw) emitting {"event": "cast"}, whoami() -> the server's handle.
"""
import datetime
import json
import logging
import os
import sys
import threading
import time

import oslo_messaging as messaging
from oslo_config import cfg

CONTEXT_KEYS = ('user_id', 'project_id', 'request_id')
PRIORITIES = ('audit', 'debug', 'info', 'warn', 'error', 'critical', 'sample')

_out = threading.Lock()


def emit(line):
    with _out:
        sys.stdout.write(json.dumps(line, default=str) + '\n')
        sys.stdout.flush()


class PeerError(Exception):
    """An application error whose module (__main__) a caller must allow to get it back."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.kwargs = {'code': code}


def describe_error(exc):
    return {
        'class': type(exc).__name__,
        'module': type(exc).__module__,
        'message': str(exc),
        # RemoteError carries the remote class and message apart.
        'exc_type': getattr(exc, 'exc_type', None),
        'value': getattr(exc, 'value', None),
        'kwargs': getattr(exc, 'kwargs', None),
    }


class Endpoint:
    def __init__(self, handle, namespace=None, version=None):
        self.handle = handle
        self.target = messaging.Target(namespace=namespace, version=version)
        self.spec = {'namespace': namespace, 'version': version}

    def echo(self, ctxt, **kwargs):
        return {'args': kwargs, 'context': {k: ctxt.get(k) for k in CONTEXT_KEYS if k in ctxt},
                'endpoint': self.spec, 'server': self.handle}

    def types(self, ctxt, **kwargs):
        return {k: type(v).__name__ for k, v in kwargs.items()}

    def add(self, ctxt, a, b):
        return a + b

    def slow(self, ctxt, seconds, value=None):
        time.sleep(seconds)
        return value

    def fail(self, ctxt, kind, message):
        if kind == 'ValueError':
            raise ValueError(message)
        raise PeerError(message, code=42)

    def note(self, ctxt, **kwargs):
        emit({'event': 'cast', 'server': self.handle, 'args': kwargs, 'endpoint': self.spec,
              'context': {k: ctxt.get(k) for k in CONTEXT_KEYS if k in ctxt}})

    def whoami(self, ctxt):
        return self.handle


class NotificationEndpoint:
    def __init__(self, handle, requeue_once):
        self.handle = handle
        self.requeue_once = requeue_once
        self.requeued = set()
        for priority in PRIORITIES:
            setattr(self, priority, self._handler(priority))

    def _handler(self, priority):
        def handle(ctxt, publisher_id, event_type, payload, metadata):
            if self.requeue_once and metadata['message_id'] not in self.requeued:
                self.requeued.add(metadata['message_id'])
                emit({'event': 'requeued', 'listener': self.handle, 'message_id': metadata['message_id']})
                return messaging.NotificationResult.REQUEUE
            emit({'event': 'notification', 'listener': self.handle, 'priority': priority,
                  'publisher_id': publisher_id, 'event_type': event_type, 'payload': payload,
                  'metadata': metadata, 'context': {k: ctxt.get(k) for k in CONTEXT_KEYS if k in ctxt}})
            return messaging.NotificationResult.HANDLED
        return handle


class Peer:
    def __init__(self, url, allowed_exmods):
        # oslo registers some options (metrics) on the global CONF only.
        cfg.CONF([], project='rx-messaging-peer')
        self.rpc = messaging.get_rpc_transport(cfg.CONF, url=url, allowed_remote_exmods=allowed_exmods)
        self.notify_transport = messaging.get_notification_transport(cfg.CONF, url=url)
        self.running = {}

    def target(self, cmd, **extra):
        fields = {k: cmd[k] for k in ('exchange', 'topic', 'server', 'namespace', 'version', 'fanout') if cmd.get(k) is not None}
        fields.update(extra)
        return messaging.Target(**fields)

    def op_serve(self, cmd):
        specs = cmd.get('endpoints') or [{}]
        endpoints = [Endpoint(cmd['handle'], s.get('namespace'), s.get('version')) for s in specs]
        server = messaging.get_rpc_server(self.rpc, self.target(cmd), endpoints, executor='threading')
        server.start()
        self.running[cmd['handle']] = server
        return {}

    def op_listen(self, cmd):
        exchange = cmd.get('exchange')
        targets = [messaging.Target(topic=t, exchange=exchange) for t in cmd['topics']]
        endpoint = NotificationEndpoint(cmd['handle'], cmd.get('requeue_once', False))
        listener = messaging.get_notification_listener(
            self.notify_transport, targets, [endpoint], executor='threading',
            pool=cmd.get('pool'), allow_requeue=True)
        listener.start()
        self.running[cmd['handle']] = listener
        return {}

    def op_stop(self, cmd):
        server = self.running.pop(cmd['handle'])
        server.stop()
        server.wait()
        return {}

    def client(self, cmd):
        options = {}
        if cmd.get('timeout') is not None:
            options['timeout'] = cmd['timeout']
        if cmd.get('call_monitor_timeout') is not None:
            options['call_monitor_timeout'] = cmd['call_monitor_timeout']
        if cmd.get('at_least_once'):
            options['transport_options'] = messaging.TransportOptions(at_least_once=True)
        return messaging.get_rpc_client(self.rpc, self.target(cmd), **options)

    def op_call(self, cmd):
        args = dict(cmd.get('args', {}))
        for name in cmd.get('datetimes', []):
            args[name] = datetime.datetime.fromisoformat(args[name])
        result = self.client(cmd).call(cmd.get('context', {}), cmd['method'], **args)
        # A datetime would be written as str() gives it (a space, not a 'T'): the spec would see it.
        return {'result': result, 'result_type': type(result).__name__}

    def op_cast(self, cmd):
        self.client(cmd).cast(cmd.get('context', {}), cmd['method'], **cmd.get('args', {}))
        return {}

    def op_notify(self, cmd):
        notifier = messaging.Notifier(self.notify_transport, publisher_id=cmd['publisher_id'],
                                      driver=cmd.get('driver', 'messagingv2'), topics=[cmd['topic']])
        getattr(notifier, cmd['priority'])(cmd.get('context', {}), cmd['event_type'], cmd['payload'])
        return {}

    def handle(self, cmd):
        try:
            reply = getattr(self, 'op_' + cmd['op'])(cmd)
            emit(dict(reply, id=cmd.get('id'), ok=True))
        except Exception as exc:  # every failure goes back to the spec that asked
            emit({'id': cmd.get('id'), 'ok': False, 'error': describe_error(exc)})

    def shutdown(self):
        for server in list(self.running.values()):
            server.stop()
            server.wait()
        self.rpc.cleanup()
        self.notify_transport.cleanup()


def main():
    # oslo logs every handled remote exception with its traceback; RXM_PEER_LOG=DEBUG shows it all.
    logging.basicConfig(stream=sys.stderr, level=os.environ.get('RXM_PEER_LOG', 'CRITICAL'))
    url = sys.argv[1]
    allowed = []
    if '--allowed-exmods' in sys.argv:
        allowed = sys.argv[sys.argv.index('--allowed-exmods') + 1].split(',')
    peer = Peer(url, allowed)
    emit({'event': 'ready', 'pid': os.getpid(), 'oslo.messaging': messaging.__name__})
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        if cmd.get('op') == 'exit':
            peer.shutdown()
            emit({'id': cmd.get('id'), 'ok': True})
            break
        threading.Thread(target=peer.handle, args=(cmd,), daemon=True).start()
    # oslo's non-daemon helper threads would hold the interpreter for seconds after cleanup.
    os._exit(0)


if __name__ == '__main__':
    main()
