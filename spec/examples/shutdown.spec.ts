/** A long-running example drains on SIGTERM (what container platforms send) as on SIGINT. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { hexId } from '../../lib/core/ids.js';
import { deleteQueuesStartingWith, osloUrl, serviceSuite } from '../helpers/services.js';

const Shutdown = await serviceSuite('examples: shutdown', ['rabbitmq']);
const example = fileURLToPath(new URL('../../examples/rpc-server.js', import.meta.url));
const host = `shutdown-${hexId()}`;

Shutdown.after(() => deleteQueuesStartingWith(`compute.${host}`));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  Shutdown(`should drain the server on ${signal} and exit cleanly`, async () => {
    const child = spawn(process.execPath, [example, osloUrl(), `${host}-${signal}`], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const serving = new Promise<void>((resolve) => child.stdout.on('data', (chunk: string) => (out += chunk).includes('Ctrl-C stops') && resolve()));
    // 'close', not 'exit': the output is read to its end.
    const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (code, killedBy) => resolve([code, killedBy])));
    await serving;
    child.kill(signal);
    assert.equal(await closed, [0, null], 'a drained server exits with 0, not killed by the signal');
    assert.match(out, /stopped\n$/);
  });
}

Shutdown.run();
