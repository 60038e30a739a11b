import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import { CallLimitExceeded, connect, MessagingError, rpcClient, rpcServer, target, type Transport } from '../../../lib/index.js';
import { rejection } from '../../helpers/thrown.js';

const MaxInFlight = suite('rpcClient: maxInFlight', { transport: undefined as unknown as Transport, topic: '' });
MaxInFlight.before.each(async (context) => {
  context.transport = await connect(`memory:///in-flight-${hexId()}`);
  context.topic = `t-${hexId()}`;
});
MaxInFlight.after.each((context) => context.transport.close());

MaxInFlight('should fail a call past maxInFlight at once with CallLimitExceeded, nothing sent, and take calls again once one ends', async ({ transport, topic }) => {
  const gates: (() => void)[] = [];
  const calls: string[] = [];
  const server = rpcServer(transport, target({ topic, server: 's' }), [
    {
      hold: ({ n }: { n: string }) => {
        calls.push(n);
        return new Promise<string>((resolve) => gates.push(() => resolve(n)));
      },
    },
  ]);
  await server.start();
  const client = rpcClient(transport, target({ topic }), { timeout: 10_000, maxInFlight: 2 });
  const first = client.call('hold', { n: 'a' });
  const second = client.prepare({ timeout: 5_000 }).call('hold', { n: 'b' });
  const error = await rejection(client.call('hold', { n: 'c' }));
  assert.instance(error, CallLimitExceeded);
  assert.instance(error, MessagingError);
  assert.is((error as CallLimitExceeded).maxInFlight, 2);
  assert.is((error as CallLimitExceeded).method, 'hold');
  assert.match((error as Error).message, /2 calls waiting .*maxInFlight/);
  assert.instance(await rejection(client.prepare({ server: 's' }).call('hold', { n: 'd' })), CallLimitExceeded, 'prepared clients share the limit');
  while (gates.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  gates.shift()!();
  assert.is(await first, 'a');
  const third = client.call('hold', { n: 'e' });
  while (gates.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  for (const open of gates.splice(0)) open();
  assert.equal([await second, await third], ['b', 'e']);
  assert.equal(calls.sort(), ['a', 'b', 'e'], 'the refused calls never reached the server');
  await server.stop();
});

MaxInFlight('should count a call that failed or was given up as ended', async ({ transport, topic }) => {
  const client = rpcClient(transport, target({ topic }), { timeout: 20, maxInFlight: 1 });
  for (let i = 0; i < 3; i++) assert.is((await rejection(client.call('nobody'))) instanceof CallLimitExceeded, false, `call ${i} timed out, not refused`);
  const aborted = new AbortController();
  const pending = rejection(client.prepare({ timeout: 10_000 }).call('nobody', {}, {}, { signal: aborted.signal }));
  aborted.abort();
  await pending;
  assert.is((await rejection(client.call('nobody'))) instanceof CallLimitExceeded, false);
});

MaxInFlight.run();
