#!/usr/bin/python3
"""A Python oslo.messaging RPC server of topic 'compute', for examples/rpc-client.ts to call.

    /usr/bin/python3 examples/python/compute_server.py rabbit://guest:guest@127.0.0.1:5672/
"""
import sys

import oslo_messaging as messaging
from oslo_config import cfg


class ComputeEndpoint:
    target = messaging.Target(version='1.2')

    def get_host(self, ctxt, id):
        return {'id': id, 'host': 'py-1', 'state': 'active'}

    def whoami(self, ctxt):
        return {'user': ctxt.get('user_id'), 'host': 'py-1'}

    def reboot(self, ctxt, id):
        print(f'reboot of instance {id} requested', flush=True)


url = sys.argv[1] if len(sys.argv) > 1 else 'rabbit://guest:guest@127.0.0.1:5672/'
transport = messaging.get_rpc_transport(cfg.CONF, url=url)
server = messaging.get_rpc_server(transport, messaging.Target(topic='compute', server='py-1'), [ComputeEndpoint()], executor='threading')
server.start()
print("serving topic 'compute' as 'py-1'", flush=True)
try:
    server.wait()
except KeyboardInterrupt:
    server.stop()
    server.wait()
