import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RpcRequest } from '../../../lib/driver/rpc.js';
import { replyFromWire, replyToWire, rpcFromWire, rpcToWire } from '../../../lib/wire/rpc.js';

const Keys = suite("wire: rx-messaging's _rxm_ keys");

const call: RpcRequest = {
  method: 'resize',
  args: {},
  context: {},
  uniqueId: 'u1',
  call: { msgId: 'm1', replyTo: 'reply_x', timeoutMs: 30_000, deadline: 1_700_000_030_000, cancellable: true },
};

Keys("should send a call's deadline and cancellability as _rxm_ keys and read them back", () => {
  const body = rpcToWire(call);
  assert.is(body['_rxm_deadline'], 1_700_000_030_000);
  assert.is(body['_rxm_cancellable'], true);
  assert.equal(rpcFromWire(body, 30_000).call, call.call);
});

Keys('should send none for a call that has neither, and read an oslo call as having neither', () => {
  const body = rpcToWire({ ...call, call: { msgId: 'm1', replyTo: 'reply_x', timeoutMs: 30_000 } });
  assert.not.ok(Object.keys(body).some((key) => key.startsWith('_rxm_')));
  const read = rpcFromWire({ method: 'resize', _msg_id: 'm1', _reply_q: 'reply_x', _timeout: null, _rxm_deadline: 'soon', _rxm_cancellable: 'yes' }, 0);
  assert.equal(read.call, { msgId: 'm1', replyTo: 'reply_x', timeoutMs: 0 }, 'keys of the wrong type are ignored');
});

Keys('should name the replying server as _rxm_server and read it back', () => {
  const server = { exchange: 'nova', topic: 'compute', server: 'host-1' };
  const body = replyToWire({ msgId: 'm1', result: 1, failure: null, ending: true, server }, 'u2');
  assert.equal(body['_rxm_server'], server);
  assert.equal(replyFromWire(body).server, server);
  assert.not.ok('_rxm_server' in replyToWire({ msgId: 'm1', result: 1, failure: null, ending: true }, 'u3'));
});

Keys('should ignore an _rxm_server that names no topic and server, as oslo ignores the key', () => {
  for (const server of ['host-1', { topic: 'compute' }, { topic: 'compute', server: '' }, { topic: 1, server: 'host-1' }]) {
    assert.is(replyFromWire({ _msg_id: 'm1', result: 1, ending: true, _rxm_server: server }).server, undefined, JSON.stringify(server));
  }
  assert.equal(replyFromWire({ _msg_id: 'm1', _rxm_server: { topic: 'compute', server: 'host-1', exchange: 7 } }).server, { topic: 'compute', server: 'host-1' });
});

Keys.run();
