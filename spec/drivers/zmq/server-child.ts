/**
 * An RPC server in its own process, for the ZeroMQ fault specs: `node server-child.js <url> <topic> <server>`
 * (forked, with IPC). It answers `whoami` with its server name and pid, takes `hang`
 * (saying 'took') without ever answering, says 'ready' once registered, and on 'stop' stops cleanly (unregistering at once) and exits.
 */
import { connect, rpcServer, target } from '../../../lib/index.js';

const [url = '', topic = '', server = ''] = process.argv.slice(2);
const transport = await connect(url);
const rpc = rpcServer(transport, target({ topic, server }), [
  {
    whoami: () => ({ server, pid: process.pid }),
    // Says 'took' and never answers: a call its caller waits on when the process dies.
    hang: () => {
      process.send?.('took');
      return new Promise(() => undefined);
    },
  },
]);
await rpc.start();
process.send?.('ready');
process.on('message', (message) => {
  if (message !== 'stop') return;
  void rpc
    .stop()
    .then(() => transport.close())
    .then(() => process.exit(0));
});
