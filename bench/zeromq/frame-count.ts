/**
 * What a frame costs zeromq.js: one DEALER/ROUTER pair on loopback in one process, messages sent
 * back to back (each send awaited) and read by one loop, the same bytes split into 1 or 3 frames.
 * It prints msg/s and the process's CPU time per message (send and receive together): what the
 * ZeroMQ driver's one-frame message saves over `[kind, content type, body]`.
 *
 *   npm run build && node dist/bench/zeromq/frame-count.js [--frames 1|3] [--messages 300000] [--size 800]
 */
import { parseArgs } from 'node:util';
import { Dealer, Router } from 'zeromq';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '1' },
    messages: { type: 'string', default: '300000' },
    size: { type: 'string', default: '800' },
  },
});
if (values.frames !== '1' && values.frames !== '3') throw new RangeError(`--frames must be 1 or 3, got ${values.frames}`);
const messages = Number(values.messages);
const body = Buffer.alloc(Number(values.size), 'x');
const frames = values.frames === '3' ? ['rpc', 'application/json', body] : [body];

const router = new Router({ linger: 0 });
const dealer = new Dealer({ linger: 0 });
await router.bind('tcp://127.0.0.1:*');
dealer.connect(router.lastEndpoint as string);
const reading = (async () => {
  for (let received = 0; received < messages; received++) await router.receive();
})();
const cpu = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < messages; i++) await dealer.send(frames);
await reading;
const seconds = (performance.now() - started) / 1000;
const { user, system } = process.cpuUsage(cpu);
console.log(`${values.frames} frame(s) of ${body.length} B: ${Math.round(messages / seconds)} msg/s, ${((user + system) / messages).toFixed(2)} us CPU per message`);
dealer.close();
router.close();
