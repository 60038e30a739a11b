/**
 * @internal Shared by the AMQP specs and the fault soak (bench/soak-faults.ts); not part of the testing entry.
 *
 * A TCP proxy in front of the broker that a spec can cut: every open connection is destroyed at
 * once, as when a network link or the broker dies, or stalled: its bytes stop flowing while the
 * sockets stay open, as in a network partition only heartbeats notice. New connections can be
 * refused for a while (a broker that is down) and accepted again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

export interface TcpProxy {
  readonly port: number;
  /** How many client connections the proxy has accepted so far. */
  readonly accepted: number;
  /** Destroys every proxied connection. */
  cut(): void;
  /** Stops forwarding on every open connection, leaving the sockets open; new connections work. */
  stall(): void;
  /** While refusing, new connections are accepted and destroyed at once. */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

/** With `tls`, the proxy is a TLS endpoint (key and certificate) in front of a plain broker port. */
export async function tcpProxy(targetHost: string, targetPort: number, { tls }: { tls?: TlsOptions } = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  let accepted = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Both ends see resets when cut; the other end is destroyed with it.
    socket.on('error', () => socket.destroy());
  };
  const onClient = (client: Socket) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = connect(targetPort, targetHost);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  };
  const server: Server = tls ? createTlsServer(tls, onClient) : createServer(onClient);
  // A client refusing our certificate is what some specs test; the proxy only drops it.
  server.on('tlsClientError', (_error: Error, socket: Socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    stall() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
      pairs.clear();
    },
    refuse(value) {
      refusing = value;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
