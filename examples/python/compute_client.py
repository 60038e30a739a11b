#!/usr/bin/python3
"""A Python oslo.messaging client calling the 'compute' service of examples/rpc-server.ts.

    /usr/bin/python3 examples/python/compute_client.py rabbit://guest:guest@127.0.0.1:5672/
"""
import sys

import oslo_messaging as messaging
from oslo_config import cfg

url = sys.argv[1] if len(sys.argv) > 1 else 'rabbit://guest:guest@127.0.0.1:5672/'
transport = messaging.get_rpc_transport(cfg.CONF, url=url)
client = messaging.get_rpc_client(transport, messaging.Target(topic='compute', version='1.1'), timeout=10)
context = {'user_id': 'bob', 'project_id': 'demo'}
print('get_host ->', client.call(context, 'get_host', id=42), flush=True)
print('whoami ->', client.call(context, 'whoami'), flush=True)
client.cast(context, 'reboot', id=42)
print('reboot cast sent', flush=True)
transport.cleanup()
