/**
 * The frameworks a team would weigh rx-messaging against, run as engines of the bench: NestJS
 * microservices (`nestjs/`) and Moleculer (`moleculer/`), each on its RabbitMQ transport. They are
 * devDependencies of the bench alone, loaded when they run, so a missing one is a skipped row
 * with its reason, never a crash.
 */
import type { Result } from './result.js';
import type { Engine } from './scenarios.js';
import { label } from './table.js';

export type Peer = Extract<Engine, 'nestjs' | 'moleculer'>;

export const PEERS: readonly Peer[] = ['nestjs', 'moleculer'];

/** The packages each peer loads; all of them must be installed for it to run. */
export const PEER_PACKAGES: Readonly<Record<Peer, readonly string[]>> = {
  nestjs: ['reflect-metadata', '@nestjs/common', '@nestjs/core', '@nestjs/microservices', 'amqp-connection-manager'],
  moleculer: ['moleculer'],
};

/** The package whose version names the peer in a run's machine line. */
export const PEER_PACKAGE: Readonly<Record<Peer, string>> = { nestjs: '@nestjs/microservices', moleculer: 'moleculer' };

/** Why `peer` cannot run here (a package of it does not load), or undefined when it can. */
export async function peerMissing(peer: Peer, load: (name: string) => Promise<unknown> = (name) => import(name)): Promise<string | undefined> {
  for (const name of PEER_PACKAGES[peer]) {
    try {
      await load(name);
    } catch (error) {
      return `${name} is not installed (${(error as Error).message.split('\n')[0]}); npm ci installs the bench's devDependencies`;
    }
  }
  return undefined;
}

/** A server's wait for `sync_done` from each of its `clients`: `done` resolves when the last one arrived. */
export function syncCounter(clients: number): { readonly arrived: () => void; readonly done: Promise<void> } {
  let synced = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return { arrived: () => clients > 0 && ++synced >= clients && resolve(), done };
}

/** rx-messaging against the peers in one scenario of a run. */
export interface PeerComparison {
  readonly scenario: string;
  readonly label: string;
  /** msg/s; undefined when the engine did not run. */
  readonly rx?: number;
  readonly peers: Readonly<Partial<Record<Peer, number>>>;
  /** Why a peer has no figure. */
  readonly skipped: Readonly<Partial<Record<Peer, string>>>;
  /** rx-messaging's msg/s over each peer's. */
  readonly ratios: Readonly<Partial<Record<Peer, number>>>;
  /** The peers whose figure means the same as rx-messaging's: a cast's only where it awaits the broker's confirm, as rx-messaging's does. */
  readonly comparable: readonly Peer[];
  /** The fastest comparable peer, when all of them ran. */
  readonly fastest?: Peer;
  /** rx-messaging's msg/s over the fastest comparable peer's. */
  readonly ratio?: number;
  /** rx-messaging's msg/s over plain amqplib's, when it ran. */
  readonly amqplibRatio?: number;
}

/** Moleculer emits events without publisher confirms: its casts are not comparable with a confirmed cast. */
export const UNCONFIRMED_CASTS: readonly Peer[] = ['moleculer'];

/** Every RabbitMQ scenario some peer was to run, rx-messaging's figure over each peer's. */
export function comparePeers(results: readonly Result[]): PeerComparison[] {
  const scenarios = [...new Set(results.filter((r) => r.broker === 'rabbit' && (PEERS as readonly string[]).includes(r.engine)).map((r) => r.scenario))];
  return scenarios.map((scenario) => {
    const rows = results.filter((r) => r.scenario === scenario);
    const figure = (engine: Engine) => rows.find((r) => r.engine === engine && r.skipped === undefined)?.msg_per_s;
    const rx = figure('rx');
    const first = rows[0]!;
    const peers: Partial<Record<Peer, number>> = {};
    const skipped: Partial<Record<Peer, string>> = {};
    const ratios: Partial<Record<Peer, number>> = {};
    for (const peer of PEERS) {
      const row = rows.find((r) => r.engine === peer);
      if (!row) continue;
      if (row.skipped !== undefined || !row.msg_per_s) skipped[peer] = row.skipped ?? 'no messages';
      else {
        peers[peer] = row.msg_per_s;
        if (rx !== undefined) ratios[peer] = round(rx / row.msg_per_s);
      }
    }
    const comparable = PEERS.filter((peer) => rows.some((r) => r.engine === peer) && (first.kind !== 'cast' || !UNCONFIRMED_CASTS.includes(peer)));
    const measuredAll = comparable.length > 0 && comparable.every((peer) => peers[peer] !== undefined);
    const fastest = measuredAll ? comparable.reduce((a, b) => (peers[b]! > peers[a]! ? b : a)) : undefined;
    const amqplib = figure('amqplib');
    return {
      scenario,
      label: label(first),
      ...(rx !== undefined && { rx }),
      peers,
      skipped,
      ratios,
      comparable,
      ...(fastest && { fastest }),
      ...(fastest && rx !== undefined && { ratio: round(rx / peers[fastest]!) }),
      ...(amqplib && rx !== undefined && { amqplibRatio: round(rx / amqplib) }),
    };
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
