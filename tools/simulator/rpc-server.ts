/**
 * `rxm simulator rpc-server`: an rx-messaging RPC server on `--topic`/`--server` whose `info`
 * returns the message it got, stamped with the server's time. Every message received (calls,
 * casts, fanout casts) is measured with its one-way latency.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, microtaskExecutor, rpcServer, target } from '../../lib/index.js';
import { epochMs, oneWayMs, readMessage, RPC_METHOD, SYNC_DONE, SYNC_START, syncIdOf } from './message.js';
import type { RpcServerOptions } from './options.js';
import { aborted, type RoleHooks } from './role.js';

/** @internal */
export async function runRpcServer(options: RpcServerOptions, { meter, signal, onReady }: RoleHooks): Promise<void> {
  const transport = await connect(options.url);
  try {
    // oslo's ServerControlEndpoint: clients that sent sync_start and not yet sync_done.
    const started = new Set<string>();
    let synced = 0;
    let allSynced!: () => void;
    const synced$ = new Promise<void>((resolve) => (allSynced = resolve));
    const endpoint = {
      [RPC_METHOD]: async ({ message }: { message?: unknown }) => {
        let received;
        try {
          received = readMessage(message);
        } catch (error) {
          meter.fail(error);
          throw error;
        }
        meter.record(oneWayMs(received), received[1].length);
        if (options.waitSeconds > 0) await sleep(options.waitSeconds * 1000);
        received[3] = epochMs() / 1000;
        return received;
      },
      [SYNC_START]: ({ message }: { message?: unknown }) => {
        const id = syncIdOf(message);
        if (id !== undefined) started.add(id);
        return null;
      },
      [SYNC_DONE]: ({ message }: { message?: unknown } = {}) => {
        const id = syncIdOf(message);
        if (id !== undefined) started.delete(id);
        if (options.clients > 0 && ++synced >= options.clients && started.size === 0) allSynced();
        return null;
      },
    };
    const server = rpcServer(transport, target({ topic: options.topic, server: options.server }), [endpoint], {
      executor: microtaskExecutor({ concurrency: options.executorSize }),
    });
    await server.start();
    onReady?.();
    await Promise.race([synced$, aborted(signal)]);
    await server.stop();
  } finally {
    await transport.close();
  }
}
