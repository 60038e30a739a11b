/**
 * JSON against MessagePack on the CPU alone: one call's worth of codec work (encode and decode
 * the request, encode and decode the reply) through the same wire functions the drivers use,
 * JSON in oslo's envelope, MessagePack bare. Says which codec is faster here and by how much,
 * apart from any broker; the rx-msgpack rows of the main table say what is left of it end to end.
 */
import { defaultCodec, type WireCodec } from '../lib/wire/codec.js';
import { msgpackCodec } from '../lib/wire/msgpack-codec.js';
import { cargo, simulatorMessage } from '../tools/simulator/message.js';
import { decodeBody, encodeBody } from '../lib/wire/envelope.js';
import { replyToWire, rpcToWire } from '../lib/wire/rpc.js';

export interface CodecResult {
  readonly codec: 'json' | 'msgpack';
  readonly size: number;
  /** Calls' worth of encoding and decoding per second. */
  readonly calls_per_s: number;
  /** Request plus reply bytes on the wire. */
  readonly bytes: number;
  /** Over JSON's calls/s for the same size. */
  readonly ratio: number;
}

const SIZES = [100, 10_000];

export function runCodecBench(millis: number): CodecResult[] {
  const results: CodecResult[] = [];
  for (const size of SIZES) {
    const message = simulatorMessage(1, cargo(size));
    const request = rpcToWire({
      method: 'info',
      args: { message },
      context: { user_id: 'u1', project_id: 'p1', request_id: 'req-1' },
      uniqueId: 'db8dfea9d14748fa93a46fc08831ad60',
      call: { msgId: 'aabdfdbbe21a457589a955e37bf084e4', replyTo: 'reply_18404a46816b4e898d0379174d73e31c', timeoutMs: 60_000 },
    });
    const reply = replyToWire({ msgId: 'aabdfdbbe21a457589a955e37bf084e4', result: message, failure: null, ending: true }, '6f18c9db64be4566af25845b64f640ad');
    const measure = (codec: WireCodec) => {
      const once = () => {
        const sent = encodeBody(codec, request);
        decodeBody(codec, sent);
        const answered = encodeBody(codec, reply);
        decodeBody(codec, answered);
        return sent.length + answered.length;
      };
      // Warm the JIT before the clock starts.
      for (let i = 0; i < 2000; i++) once();
      let count = 0;
      let bytes = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < millis) {
        for (let i = 0; i < 100; i++) bytes = once();
        count += 100;
        elapsed = performance.now() - start;
      }
      return { calls_per_s: Math.round((count / elapsed) * 1000), bytes };
    };
    const json = measure(defaultCodec);
    const msgpack = measure(msgpackCodec());
    results.push({ codec: 'json', size, ...json, ratio: 1 });
    results.push({ codec: 'msgpack', size, ...msgpack, ratio: Math.round((msgpack.calls_per_s / json.calls_per_s) * 100) / 100 });
  }
  return results;
}

export function formatCodecTable(results: readonly CodecResult[]): string {
  const rows = results.map(
    (r) =>
      `${`${r.size} B cargo`.padEnd(14)}  ${r.codec.padEnd(7)}  ${r.calls_per_s.toLocaleString('en-US').padStart(9)}  ${r.ratio.toFixed(2).padStart(7)}  ${String(r.bytes).padStart(6)}`,
  );
  return ['message         codec    calls/s  x JSON   bytes', ...rows].join('\n');
}
