/**
 * Where the zeromq harness's server listens. It binds a ROUTER (calls) and a PULL (casts) on
 * ports the system picks, on the URL's host, and writes both endpoints to a file the client
 * reads: no port is guessed, so runs side by side never collide.
 */
import { readFile, writeFile } from 'node:fs/promises';

export interface Endpoints {
  /** The ROUTER that answers calls. */
  readonly router: string;
  /** The PULL that receives casts. */
  readonly pull: string;
}

/** The address to bind from the harness's `--url tcp://HOST[:PORT]`: the port, when given, is the ROUTER's. */
export function bindAddresses(url: string): Endpoints {
  const match = /^tcp:\/\/(\[[^\]]+\]|[^:/?]+)(?::(\d+|\*))?\/?$/.exec(url);
  if (!match) throw new RangeError(`the zeromq harness takes --url tcp://HOST[:PORT], got '${url}'`);
  const [, host, port = '*'] = match;
  return { router: `tcp://${host}:${port}`, pull: `tcp://${host}:*` };
}

export async function writeEndpoints(file: string, endpoints: Endpoints): Promise<void> {
  await writeFile(file, `${JSON.stringify(endpoints)}\n`);
}

export async function readEndpoints(file: string): Promise<Endpoints> {
  return JSON.parse(await readFile(file, 'utf8')) as Endpoints;
}
