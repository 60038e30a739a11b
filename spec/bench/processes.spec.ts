import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runProcesses, RoleProcessError, type Command } from '../../bench/processes.js';

/** A role as a tiny Node script: `body` runs with `report(file, messages)` at hand. */
function role(body: string): Command {
  const prelude = `const fs = require('node:fs'); const report = (file, messages) => fs.writeFileSync(file, JSON.stringify({ role: 'r', summary: { messages } }));`;
  return { file: process.execPath, args: ['-e', `${prelude}\n${body}`] };
}

const TIMEOUTS = { readyMs: 5_000, clientMs: 5_000, drainMs: 5_000 };

const Processes = suite<{ dir: string }>('runProcesses()', { dir: '' });

Processes.before.each(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'rxm-processes-spec-'));
});

Processes.after.each(async ({ dir }) => {
  await rm(dir, { recursive: true, force: true });
});

Processes('should start the client once the server is ready and read both reports', async ({ dir }) => {
  const server = join(dir, 's.json');
  const client = join(dir, 'c.json');
  const marker = join(dir, 'ready');
  const reports = await runProcesses(
    role(`setTimeout(() => { fs.writeFileSync(${JSON.stringify(marker)}, ''); console.log('ready: server'); }, 100); setTimeout(() => report(${JSON.stringify(server)}, 7), 400);`),
    role(`if (!fs.existsSync(${JSON.stringify(marker)})) process.exit(3); report(${JSON.stringify(client)}, 7);`),
    { server, client },
    TIMEOUTS,
  );
  assert.is(reports.server.summary.messages, 7);
  assert.is(reports.client.summary.messages, 7);
});

Processes('should fail with the server output when it exits before it is ready', async ({ dir }) => {
  const error = await runProcesses(role(`console.error('no broker here'); process.exit(1);`), role(''), { server: join(dir, 's'), client: join(dir, 'c') }, TIMEOUTS).catch(
    (e: unknown) => e,
  );
  assert.instance(error, RoleProcessError);
  assert.is((error as RoleProcessError).role, 'server');
  assert.match((error as Error).message, /exited \(code 1\) before it was ready[\s\S]*no broker here/);
});

Processes('should fail when the client exits badly', async ({ dir }) => {
  const error = await runProcesses(
    role(`console.log('ready: s'); setTimeout(() => {}, 10000);`),
    role(`console.error('refused'); process.exit(2);`),
    { server: join(dir, 's'), client: join(dir, 'c') },
    TIMEOUTS,
  ).catch((e: unknown) => e);
  assert.instance(error, RoleProcessError);
  assert.is((error as RoleProcessError).role, 'client');
  assert.match((error as Error).message, /exited with code 2[\s\S]*refused/);
});

Processes('should interrupt a server that does not stop and read what it wrote on SIGINT', async ({ dir }) => {
  const server = join(dir, 's.json');
  const client = join(dir, 'c.json');
  await writeFile(client, '');
  const reports = await runProcesses(
    role(`console.log('ready: s'); process.on('SIGINT', () => { report(${JSON.stringify(server)}, 3); process.exit(0); }); setTimeout(() => {}, 60000);`),
    role(`report(${JSON.stringify(client)}, 5);`),
    { server, client },
    { ...TIMEOUTS, drainMs: 300 },
  );
  assert.is(reports.server.summary.messages, 3);
  assert.is(reports.client.summary.messages, 5);
});

Processes.run();
