/**
 * `rxm simulator rpc-client`: `--concurrency` callers sending `info` calls, casts or fanout
 * casts with `--size` characters of cargo, for `--messages` each or `--duration` seconds. A
 * call's latency is its round trip; a cast's is the time the transport took to accept it.
 */
import { connect, getLogger, rpcClient, target } from '../../lib/index.js';
import { runLoad } from '../metering/load.js';
import { cargo, readMessage, RPC_METHOD, simulatorMessage, SYNC_DONE, SYNC_START, SYNC_TIMEOUT_SECONDS, syncId } from './message.js';
import { loadPacing, type RpcClientOptions } from './options.js';
import { untilAborted, type RoleHooks } from './role.js';

const log = getLogger('rx-messaging.simulator');

/** @internal */
export async function runRpcClient(options: RpcClientOptions, { meter, signal }: RoleHooks): Promise<void> {
  const transport = await connect(options.url);
  try {
    const timeout = options.timeout * 1000;
    const direct = rpcClient(transport, target({ topic: options.topic, ...(options.server !== undefined && { server: options.server }) }), { timeout });
    const fanout = rpcClient(transport, target({ topic: options.topic, fanout: true }), { timeout });
    const text = cargo(options.size);
    const id = syncId();
    // As oslo's simulator: sync_start and sync_done carry `message: { id }`, a call to the server
    // (waiting minutes for sync_done, queued behind every message) or a fanout cast to all.
    const control = (method: string, timeoutMs: number) => {
      const args = { message: { id } };
      const sent = options.syncMode === 'call' ? direct.prepare({ timeout: timeoutMs }).call(method, args) : fanout.cast(method, args);
      return untilAborted(sent, signal);
    };
    if (options.sync) {
      // oslo's client goes on when sync_start fails (a server of an older rxm has none).
      await control(SYNC_START, timeout).catch((error: unknown) => log.warn('sync_start failed; the messages are sent all the same', { error: String(error) }));
    }
    const send = async (seq: number): Promise<number> => {
      const args = { message: simulatorMessage(seq, text) };
      if (options.mode === 'call') readMessage(await direct.call(RPC_METHOD, args));
      else await (options.mode === 'fanout' ? fanout : direct).cast(RPC_METHOD, args);
      return text.length;
    };
    await runLoad({
      ...loadPacing(options),
      meter,
      send,
      ...(signal && { signal }),
    });
    if (options.sync && !signal?.aborted) await control(SYNC_DONE, SYNC_TIMEOUT_SECONDS * 1000);
  } finally {
    await transport.close();
  }
}
