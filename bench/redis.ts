/**
 * Whether a Redis server answers at host:port: one PING over a plain socket, so checking needs
 * no Redis client library. The ZeroMQ engine's matchmaker and the Sentinel specs need one.
 */
import { connect } from 'node:net';

/** Why Redis does not answer at host:port within `timeoutMs`, or undefined when it replies +PONG. */
export function redisMissing(host = '127.0.0.1', port = 6379, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no reply from Redis at ${host}:${port} within ${timeoutMs} ms`));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') ? undefined : `Redis at ${host}:${port} answered PING with ${JSON.stringify(reply.trim())}`);
    });
    socket.once('error', (error) => done(`Redis is not reachable at ${host}:${port}: ${error.message}`));
  });
}
