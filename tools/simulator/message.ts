/**
 * The simulator's message, shaped as oslo's tools/simulator.py sends it: an RPC `info` call
 * (or a `compute.start` notification) carrying `[seq, cargo, client_ts, server_ts, return_ts]`,
 * timestamps in epoch seconds. The server stamps `server_ts` and returns the message.
 * @internal
 */
import { hostname } from 'node:os';

export type SimulatorMessage = [seq: number, cargo: string, clientTs: number, serverTs: number | null, returnTs: number | null];

/** The method a client calls and the event type it notifies. @internal */
export const RPC_METHOD = 'info';
/** @internal */
export const NOTIFY_EVENT = 'compute.start';
/**
 * oslo's simulator control methods, each taking `message: { id }`: a client with `--sync` sends
 * `sync_start` before its first message and `sync_done` when done; a server stops once every
 * client that started is done (oslo's `ServerControlEndpoint`). @internal
 */
export const SYNC_START = 'sync_start';
export const SYNC_DONE = 'sync_done';
/** A `sync_done` call queues behind every message sent before it, so it gets minutes, not the run's timeout. @internal */
export const SYNC_TIMEOUT_SECONDS = 300;

/** A client's id in the control messages, shaped as oslo's `host_based_id`: "<client> <salt>@<hostname>". @internal */
export function syncId(): string {
  return `${process.pid} ${Math.floor(Math.random() * 0xffffffff).toString(16)}@${hostname()}`;
}

/** The client id a control message carries, if it carries one (an older rxm client sends none). @internal */
export function syncIdOf(message: unknown): string | undefined {
  const id = (message as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** Wall-clock time in epoch ms with sub-ms precision, comparable across processes of one machine. @internal */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Printable text of `size` characters: the cargo every message of a run carries. @internal */
export function cargo(size: number): string {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`message size must be a non-negative integer, got ${size}`);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let text = '';
  for (let i = 0; i < size; i++) text += alphabet[(i * 7919) % alphabet.length];
  return text;
}

/** @internal */
export function simulatorMessage(seq: number, text: string): SimulatorMessage {
  return [seq, text, epochMs() / 1000, null, null];
}

/** The message as received, or a clear error for anything else (another tool's traffic on the topic). @internal */
export function readMessage(value: unknown): SimulatorMessage {
  if (!Array.isArray(value) || value.length < 3 || typeof value[0] !== 'number' || typeof value[1] !== 'string' || typeof value[2] !== 'number') {
    throw new TypeError(`not a simulator message [seq, cargo, client_ts, ...]: ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value as SimulatorMessage;
}

/** One-way latency of a message received now, in ms. @internal */
export function oneWayMs(message: SimulatorMessage): number {
  return epochMs() - message[2] * 1000;
}
