/**
 * `rxm simulator rpc-client`: `--concurrency` callers sending `info` calls, casts or fanout
 * casts with `--size` characters of cargo, for `--messages` each or `--duration` seconds. A
 * call's latency is its round trip; a cast's is the time the transport took to accept it.
 */
import { connect, rpcClient, target } from '../../lib/index.js';
import { runLoad } from '../metering/load.js';
import { cargo, readMessage, RPC_METHOD, simulatorMessage, SYNC_DONE, SYNC_TIMEOUT_SECONDS } from './message.js';
import type { RpcClientOptions } from './options.js';
import type { RoleHooks } from './role.js';

/** @internal */
export async function runRpcClient(options: RpcClientOptions, { meter, signal }: RoleHooks): Promise<void> {
  const transport = await connect(options.url);
  try {
    const timeout = options.timeout * 1000;
    const direct = rpcClient(transport, target({ topic: options.topic, ...(options.server !== undefined && { server: options.server }) }), { timeout });
    const fanout = rpcClient(transport, target({ topic: options.topic, fanout: true }), { timeout });
    const text = cargo(options.size);
    const send = async (seq: number): Promise<number> => {
      const args = { message: simulatorMessage(seq, text) };
      if (options.mode === 'call') readMessage(await direct.call(RPC_METHOD, args));
      else await (options.mode === 'fanout' ? fanout : direct).cast(RPC_METHOD, args);
      return text.length;
    };
    await runLoad({
      concurrency: options.concurrency,
      meter,
      send,
      pauseMs: options.waitSeconds * 1000,
      ...(options.messages !== undefined && { messagesPerCaller: options.messages }),
      ...(options.duration !== undefined && { seconds: options.duration }),
      ...(signal && { signal }),
    });
    if (options.sync) await (options.syncMode === 'call' ? direct.prepare({ timeout: SYNC_TIMEOUT_SECONDS * 1000 }).call(SYNC_DONE) : fanout.cast(SYNC_DONE));
  } finally {
    await transport.close();
  }
}
