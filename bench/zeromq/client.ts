/**
 * The zeromq harness's rpc-client. A call goes out on one DEALER with an id and resolves when
 * the reply carrying it comes back (one reader loop); a cast goes out on one PUSH. Concurrent
 * callers share each socket through a send queue, as a driver must.
 */
import { Dealer, Push } from 'zeromq';
import { runLoad } from '../../tools/metering/load.js';
import { cargo, readMessage, simulatorMessage, SYNC_DONE, SYNC_TIMEOUT_SECONDS } from '../../tools/simulator/message.js';
import { loadPacing, type RpcClientOptions } from '../../tools/simulator/options.js';
import type { RoleHooks } from '../../tools/simulator/role.js';
import { readEndpoints } from './endpoints.js';
import { INFO, serialSends } from './frames.js';

/** A call whose reply did not come before the run's timeout. */
export class ZeromqCallTimeout extends Error {
  constructor(id: string, seconds: number) {
    super(`no reply to call ${id} within ${seconds} s`);
    this.name = 'ZeromqCallTimeout';
  }
}

/** How long a PUSH may take on close to hand its last casts (and `sync_done`) to the server. */
const CAST_LINGER_MS = 30_000;

export async function runZeromqClient(options: RpcClientOptions, { meter, signal }: RoleHooks, endpointsFile: string): Promise<void> {
  if (options.mode === 'fanout') throw new RangeError('the zeromq harness sends calls and casts, not fanout casts');
  const endpoints = await readEndpoints(endpointsFile);
  // immediate: nothing is queued for a peer before its connection is up (findings §2).
  const dealer = new Dealer({ linger: 0, immediate: true });
  const push = new Push({ linger: CAST_LINGER_MS, immediate: true });
  dealer.connect(endpoints.router);
  push.connect(endpoints.pull);
  const pending = new Map<string, { resolve: (body: Buffer | undefined) => void; timer: NodeJS.Timeout }>();
  const reading = (async () => {
    for await (const [id, body] of dealer) {
      const key = id?.toString() ?? '';
      const waiting = pending.get(key);
      if (!waiting) continue;
      pending.delete(key);
      clearTimeout(waiting.timer);
      waiting.resolve(body);
    }
  })().catch(() => undefined);
  const sendCall = serialSends(dealer);
  const sendCast = serialSends(push);
  let next = 0;
  const call = async (kind: string, body: string, timeoutSeconds: number) => {
    const id = String(next++);
    const reply = new Promise<Buffer | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new ZeromqCallTimeout(id, timeoutSeconds));
      }, timeoutSeconds * 1000);
      pending.set(id, { resolve, timer });
    });
    await sendCall([kind, id, body]);
    return reply;
  };
  try {
    const text = cargo(options.size);
    await runLoad({
      ...loadPacing(options),
      meter,
      send: async (seq) => {
        const body = JSON.stringify(simulatorMessage(seq, text));
        if (options.mode === 'call') readMessage(JSON.parse((await call(INFO, body, options.timeout))?.toString('utf8') ?? 'null'));
        else await sendCast([INFO, body]);
        return text.length;
      },
      ...(signal && { signal }),
    });
    // A cast's sync_done goes behind the casts on the same pipe; a call's comes back when all before it were answered.
    if (options.sync) await (options.mode === 'cast' ? sendCast([SYNC_DONE, 'null']) : call(SYNC_DONE, 'null', SYNC_TIMEOUT_SECONDS));
  } finally {
    dealer.close();
    push.close();
    await reading;
  }
}
