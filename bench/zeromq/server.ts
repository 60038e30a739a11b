/**
 * The zeromq harness's rpc-server: a ROUTER answering each call with the stamped message, and a
 * PULL receiving casts, both read by one loop each; it stops once every client sent `sync_done`.
 */
import { Pull, Router } from 'zeromq';
import { epochMs, oneWayMs, readMessage, SYNC_DONE } from '../../tools/simulator/message.js';
import type { RpcServerOptions } from '../../tools/simulator/options.js';
import { aborted, type RoleHooks } from '../../tools/simulator/role.js';
import { bindAddresses, writeEndpoints } from './endpoints.js';

export async function runZeromqServer(options: RpcServerOptions, { meter, signal, onReady }: RoleHooks, endpointsFile: string): Promise<void> {
  const addresses = bindAddresses(options.url);
  const router = new Router({ linger: 0 });
  const pull = new Pull({ linger: 0 });
  try {
    await router.bind(addresses.router);
    await pull.bind(addresses.pull);
    let synced = 0;
    let allSynced!: () => void;
    const synced$ = new Promise<void>((resolve) => (allSynced = resolve));
    const sync = () => options.clients > 0 && ++synced >= options.clients && allSynced();
    // A reply sent is only queued, and zeromq.js drops what is queued when the process exits: the
    // server leaves once each client hung up, which it does after the reply to its sync_done.
    let hungUp = 0;
    let allHungUp!: () => void;
    const hungUp$ = new Promise<void>((resolve) => (allHungUp = resolve));
    router.events.on('disconnect', () => ++hungUp >= options.clients && allHungUp());
    /** The message of a body, measured; undefined when it is not one (counted as a failure). */
    const receive = (body: Buffer | undefined) => {
      try {
        const message = readMessage(JSON.parse(body?.toString('utf8') ?? 'null'));
        meter.record(oneWayMs(message), message[1].length);
        return message;
      } catch (error) {
        meter.fail(error);
        return undefined;
      }
    };
    const calls = (async () => {
      for await (const [routingId, kind, id, body] of router) {
        if (kind?.toString() === SYNC_DONE) {
          await router.send([routingId!, id!, 'null']);
          sync();
          continue;
        }
        const message = receive(body);
        if (!message) continue;
        message[3] = epochMs() / 1000;
        await router.send([routingId!, id!, JSON.stringify(message)]);
      }
    })();
    const casts = (async () => {
      for await (const [kind, body] of pull) {
        if (kind?.toString() === SYNC_DONE) sync();
        else receive(body);
      }
    })();
    // Closing the sockets below ends both loops; a failure in one ends the run.
    const failed = Promise.race([calls, casts]).then(() => undefined);
    await writeEndpoints(endpointsFile, { router: router.lastEndpoint!, pull: pull.lastEndpoint! });
    onReady?.();
    await Promise.race([synced$.then(() => hungUp$), aborted(signal), failed]);
  } finally {
    router.close();
    pull.close();
  }
}
