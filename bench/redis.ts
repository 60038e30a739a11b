/**
 * A Redis command over a plain socket, so checking a server needs no Redis client library: the
 * ZeroMQ engine's matchmaker and the Sentinel specs need one.
 */
import { connect } from 'node:net';

/** The reply to one inline command (`PING`, `SENTINEL get-master-addr-by-name NAME`), as RESP text, once complete. */
export function redisCommand(host: string, port: number, command: readonly string[], timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (error: Error | undefined) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(reply);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no reply from Redis at ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('connect', () => socket.write(`${command.join(' ')}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (complete(reply)) done(undefined);
    });
    socket.once('error', (error) => done(new Error(`Redis is not reachable at ${host}:${port}: ${error.message}`)));
  });
}

/** Whether `text` holds one whole RESP reply: a line, a bulk string, or an array of either. */
function complete(text: string): boolean {
  const lines = text.split('\r\n');
  let at = 0;
  const one = (): boolean => {
    const line = lines[at++];
    if (line === undefined || at >= lines.length) return false;
    if (line.startsWith('$')) return Number(line.slice(1)) < 0 || at++ < lines.length - 1;
    if (line.startsWith('*')) {
      for (let i = 0; i < Math.max(0, Number(line.slice(1))); i++) if (!one()) return false;
    }
    return true;
  };
  return one();
}

/** Why Redis does not answer PING at host:port, or undefined when it replies +PONG. */
export async function redisMissing(host = '127.0.0.1', port = 6379, timeoutMs = 3_000): Promise<string | undefined> {
  try {
    const reply = await redisCommand(host, port, ['PING'], timeoutMs);
    return reply.startsWith('+PONG') ? undefined : `Redis at ${host}:${port} answered PING with ${JSON.stringify(reply.trim())}`;
  } catch (error) {
    return (error as Error).message;
  }
}
