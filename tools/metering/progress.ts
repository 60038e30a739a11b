/**
 * Progress of a role while it runs: on a terminal one line redrawn in place (a bar when the end
 * is known), otherwise one plain line per second that a log or a parent process can read.
 */
import type { Meter } from './meter.js';

interface ProgressOptions {
  readonly label: string;
  readonly meter: Meter;
  /** Messages expected in all, when known: the bar fills towards it. */
  readonly total?: number;
  /** Seconds the run lasts, when known. */
  readonly seconds?: number;
  readonly stream?: NodeJS.WriteStream | NodeJS.WritableStream;
}

interface Progress {
  stop(): void;
}

const BAR = 24;

/** @internal */
export function startProgress({ label, meter, total, seconds, stream = process.stdout }: ProgressOptions): Progress {
  const tty = 'isTTY' in stream && stream.isTTY === true;
  const started = performance.now();
  let lastSecond = -1;
  const draw = () => {
    if (tty) {
      const elapsed = (performance.now() - started) / 1000;
      // A failed message is done too: the bar counts attempts, the text tells them apart.
      const done = total ? (meter.count + meter.errors) / total : seconds ? elapsed / seconds : undefined;
      const bar = done === undefined ? '' : `[${'#'.repeat(Math.round(Math.min(done, 1) * BAR)).padEnd(BAR, '.')}] ${Math.floor(Math.min(done, 1) * 100)}% `;
      const rate = meter.lastSecond()?.count ?? 0;
      stream.write(`\r${label} ${bar}${meter.count} msg, ${rate} msg/s, ${meter.errors} errors, ${elapsed.toFixed(0)} s\u001b[K`);
      return;
    }
    const second = meter.lastSecond();
    if (!second || second.second === lastSecond) return;
    lastSecond = second.second;
    stream.write(
      `${label} ${second.second + 1}s ${second.count} msg ${second.bytes} bytes latency ${second.latency_ms} ms (min ${second.min_ms} max ${second.max_ms}) errors ${second.errors}\n`,
    );
  };
  // Not unref'd: it also keeps a server on a transport without sockets (memory://) running until stopped.
  const timer = setInterval(draw, tty ? 200 : 250);
  return {
    stop() {
      clearInterval(timer);
      if (tty) {
        draw();
        stream.write('\n');
      }
    },
  };
}
