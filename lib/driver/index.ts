/**
 * `rx-messaging/driver`: what a driver author writes against. The contract (an RPC part, a
 * notification part, the capabilities a driver declares) and the pieces every driver shares:
 * oslo's names for queues and exchanges, its wire format, typed options.
 *
 * @example
 * ```ts
 * import { connect } from 'rx-messaging';
 * import type { CreateDriver } from 'rx-messaging/driver';
 *
 * const createDriver: CreateDriver = async ({ url, options, controlExchange }) => myDriver(url, options, controlExchange);
 * const transport = await connect('memory://', { driver: { createDriver } });
 * ```
 */

// the contract
export type { Capability } from './driver.js';
export type { CreateDriver } from './driver.js';
export type { Driver } from './driver.js';
export type { DriverCapabilities } from './driver.js';
export type { DriverConfig } from './driver.js';
export type { DriverModule } from './driver.js';
export type { TransportState } from './driver.js';
export type { TransportStatus } from './driver.js';
export type { ListenOptions } from './listen.js';
export type { IncomingCall } from './rpc.js';
export type { RemoteFailure } from './rpc.js';
export type { Reply } from './rpc.js';
export type { LostCall } from './rpc.js';
export type { ReplyChannel } from './rpc.js';
export type { RpcDriver } from './rpc.js';
export type { RpcRequest } from './rpc.js';
export type { SendOptions } from './rpc.js';
export type { ServerIdentity } from './rpc.js';
export type { IncomingNotification } from './notifications.js';
export type { Notification } from './notifications.js';
export type { NotificationBinding } from './notifications.js';
export type { NotificationDriver } from './notifications.js';
export type { NotificationListenOptions } from './notifications.js';
export type { NotifyOptions } from './notifications.js';

// oslo's names for what a target addresses (lib/core/target.ts is the only place that builds them)
export { assertTargetFor } from '../core/target.js';
export { describeTarget } from '../core/target.js';
export { exchangeName } from '../core/target.js';
export { fanoutExchange } from '../core/target.js';
export { fanoutQueue } from '../core/target.js';
export { notificationQueue } from '../core/target.js';
export { poolQueue } from '../core/target.js';
export { deadLetterQueue } from '../core/target.js';
export { replyQueue } from '../core/target.js';
export { routingKey } from '../core/target.js';
export { serverQueue } from '../core/target.js';
export { topicQueue } from '../core/target.js';

// oslo's wire format
export { decodeBody } from '../wire/envelope.js';
export { encodeBody } from '../wire/envelope.js';
export type { Dict } from '../wire/envelope.js';
export { MalformedMessage } from '../core/errors.js';
export { notificationFromWire } from '../wire/notifications.js';
export { notificationToWire } from '../wire/notifications.js';
export { replyFromWire } from '../wire/rpc.js';
export { replyToWire } from '../wire/rpc.js';
export { rpcFromWire } from '../wire/rpc.js';
export { rpcToWire } from '../wire/rpc.js';
export { defaultCodec } from '../wire/codec.js';
export { isJsonCodec } from '../wire/codec.js';
export type { JsonCodec } from '../wire/codec.js';
export type { WireCodec } from '../wire/codec.js';
export { fromFailure } from '../wire/failure.js';
export { toFailure } from '../wire/failure.js';

// typed options from values and the URL query
export { resolveOptions } from '../core/options.js';
export type { KindOf } from '../core/options.js';
export type { OptionSpec } from '../core/options.js';

// ids and logging
export { hexId } from '../core/ids.js';
export { uuid } from '../core/ids.js';
export { getLogger } from '../core/logger.js';
