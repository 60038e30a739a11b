/**
 * An RPC client in its own process, calling the server of examples/rpc-server.ts (or a Python
 * oslo.messaging server of topic `compute`) over a broker.
 */
import { connect, rpcClient, target, MessagingTimeout } from '../lib/index.js';

interface ComputeApi {
  get_host(args: { id: number }): { id: number; host: string; state: string };
  whoami(args: object): { user: string; host: string };
  reboot(args: { id: number }): void;
}

const url = process.argv[2] ?? 'rabbit://guest:guest@127.0.0.1:5672/';
const transport = await connect(url);
const compute = rpcClient<ComputeApi>(transport, target({ topic: 'compute', version: '1.1' }), { timeout: 10_000, versionCap: '1.2' });
const context = { user_id: 'alice', project_id: 'demo' };

try {
  const host = await compute.call('get_host', { id: 42 }, context);
  console.log(`instance ${host.id} is ${host.state} on ${host.host}`);
  console.log('whoami →', await compute.call('whoami', {}, context));
  await compute.cast('reboot', { id: 42 }, context);
  console.log('reboot cast sent');
} catch (error) {
  if (error instanceof MessagingTimeout) console.error(`no server answered: ${error.message} (is examples/rpc-server.js running on ${url}?)`);
  else throw error;
} finally {
  await transport.close();
}
