import { from, lastValueFrom } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setLogSink, type LogRecord } from '../../../lib/core/logger.js';
import { rpcFromWire } from '../../../lib/wire/rpc.js';
import { dispatch } from '../../../operators/rpc/dispatch.js';
import { aCall, incomingCall } from '../../helpers/incoming.js';

const Floor = suite('heartbeats: a floor under what callers ask');

Floor('should heartbeat no more often than every 100 ms, however small the callMonitorTimeout', async () => {
  // 2 ms asks for a heartbeat every millisecond: some 300 over this handler's run without the floor.
  const incoming = incomingCall({ method: 'wait', call: { ...aCall, callMonitorTimeout: 2 } });
  const wait = () => new Promise((resolve) => setTimeout(resolve, 300, 'done'));
  await lastValueFrom(from([incoming]).pipe(dispatch([{ wait }])));
  const beats = incoming.recorded.events.filter((event) => event === 'heartbeat').length;
  assert.ok(beats >= 1 && beats <= 3, `expected 1 to 3 heartbeats, got ${beats}`);
  assert.is(incoming.recorded.events.at(-1), 'end');
});

Floor.run();

const Timeout = suite("rpcFromWire: the caller's _timeout");

const call = (timeout: unknown) => ({ method: 'm', args: {}, _msg_id: 'id1', _reply_q: 'reply_q', _timeout: timeout, _unique_id: 'u1' });

Timeout('should take a finite positive _timeout as the callMonitorTimeout, in ms', () => {
  assert.is(rpcFromWire(call(2.5)).call?.callMonitorTimeout, 2_500);
  assert.is(rpcFromWire(call(null)).call?.callMonitorTimeout, undefined);
});

Timeout('should ignore, with a warning, a _timeout that is not a finite positive number, and read the call', () => {
  const records: LogRecord[] = [];
  const restore = setLogSink((record) => void records.push(record));
  try {
    // 1e400 is how JSON spells a number too big for a double: JSON.parse reads it as Infinity.
    for (const timeout of [JSON.parse('1e400'), -1, 0, Number.NaN, '30', true, {}]) {
      const request = rpcFromWire(call(timeout));
      assert.is(request.call?.msgId, 'id1', String(timeout));
      assert.is(request.call?.callMonitorTimeout, undefined, String(timeout));
    }
  } finally {
    restore();
  }
  const warnings = records.filter((record) => record.level === 'warn' && record.message.includes('_timeout'));
  assert.is(warnings.length, 7);
  assert.is(warnings[0]?.fields?.['timeout'], 'Infinity');
  assert.is(warnings[0]?.fields?.['method'], 'm');
});

Timeout.run();
