/**
 * rx-messaging: RPC and notifications as RxJS streams, wire-compatible with oslo.messaging.
 * What a user writes with; driver authors import 'rx-messaging/driver', specs 'rx-messaging/testing',
 * hand-written pipelines 'rx-messaging/operators'.
 */

// transport
export { connect } from './transport.js';
export type { ConnectOptions } from './transport.js';
export type { NotificationsOptions } from './transport.js';
export type { Transport } from './transport.js';

// transport state and capabilities
export type { Capability } from './driver/driver.js';
export type { DriverCapabilities } from './driver/driver.js';
export type { TransportState } from './driver/driver.js';
export type { TransportStatus } from './driver/driver.js';

// URLs
export { parseTransportUrl } from './core/url.js';
export type { DriverName } from './core/url.js';
export type { TransportHost } from './core/url.js';
export type { TransportUrl } from './core/url.js';
export { redactUrl } from './core/redact.js';

// targets
export { target } from './core/target.js';
export { retarget } from './core/target.js';
export { describeTarget } from './core/target.js';
export type { Target } from './core/target.js';
export type { TargetRole } from './core/target.js';

// versions
export { versionIsCompatible } from './core/version.js';

// priorities
export { PRIORITIES } from './core/priority.js';
export type { Priority } from './core/priority.js';

// request context
export type { Context } from './core/context.js';

// messages as a server or listener receives them
export type { IncomingCall } from './driver/rpc.js';
export type { RpcRequest } from './driver/rpc.js';
export type { Reply } from './driver/rpc.js';
export type { IncomingNotification } from './driver/notifications.js';
export type { Notification } from './driver/notifications.js';

// RPC client
export { rpcClient } from './rpc/client.js';
export type { ArgsOf } from './rpc/client.js';
export type { CallOptions } from './rpc/client.js';
export type { MethodOf } from './rpc/client.js';
export type { PrepareOptions } from './rpc/client.js';
export type { ResultOf } from './rpc/client.js';
export type { RpcApi } from './rpc/client.js';
export type { RpcClient } from './rpc/client.js';
export type { RpcClientOptions } from './rpc/client.js';

// RPC server
export { rpcServer } from './rpc/server.js';
export type { ApiEndpoint } from './rpc/server.js';
export type { EndpointsFor } from './rpc/server.js';
export type { RpcServer } from './rpc/server.js';
export type { RpcServerOptions } from './rpc/server.js';
export type { Served } from './rpc/server.js';

// typed contracts (Standard Schema: zod, valibot, arktype...)
export { contract } from './rpc/contract.js';
export type { ClientApiOf } from './rpc/contract.js';
export type { MethodContract } from './rpc/contract.js';
export type { RpcContract } from './rpc/contract.js';
export type { ServerApiOf } from './rpc/contract.js';
export type { ArgsSchema } from './rpc/contract.js';
export type { ResultSchema } from './rpc/contract.js';
export type { InferInput } from './core/schema.js';
export type { InferOutput } from './core/schema.js';
export type { SchemaIssue } from './core/schema.js';
export type { StandardSchemaV1 } from './core/schema.js';
export type { StandardResult } from './core/schema.js';
export type { StandardIssue } from './core/schema.js';
export type { StopOptions } from './rpc/server.js';

// access policy
export { expose } from '../operators/rpc/access-policy.js';
export { defaultAccessPolicy } from '../operators/rpc/access-policy.js';
export { legacyAccessPolicy } from '../operators/rpc/access-policy.js';
export { explicitAccessPolicy } from '../operators/rpc/access-policy.js';
export type { AccessPolicy } from '../operators/rpc/access-policy.js';

// executors
export { blockingExecutor } from './executors/executor.js';
export { microtaskExecutor } from './executors/executor.js';
export type { CallSignal } from './executors/executor.js';
export type { Executor } from './executors/executor.js';
export type { Invocation } from './executors/executor.js';
export type { MicrotaskExecutorOptions } from './executors/executor.js';
export { workerPoolExecutor } from './executors/worker-pool.js';
export type { WorkerPoolExecutorOptions } from './executors/worker-pool.js';

// remote errors
export type { ErrorClass } from './wire/failure.js';

// serializers and codecs
export { noopSerializer } from './core/serializer.js';
export { jsonPayloadSerializer } from './core/serializer.js';
export { datetimeSerializer } from './core/serializer.js';
export type { DatetimeSerializerOptions } from './core/serializer.js';
export { OsloDatetime } from './core/datetime.js';
export type { Serializer } from './core/serializer.js';
export { jsonCodec } from './wire/codec.js';
export { formatDate } from './wire/codec.js';
export { parseDate } from './wire/codec.js';
export type { JsonCodec } from './wire/codec.js';
export type { WireCodec } from './wire/codec.js';

// logging
export { getLogger } from './core/logger.js';
export { setLogSink } from './core/logger.js';
export type { LogLevel } from './core/logger.js';
export type { LogRecord } from './core/logger.js';
export type { LogSink } from './core/logger.js';
export type { Logger } from './core/logger.js';

// errors
export { MessagingError } from './core/errors.js';
export { MessagingTimeout } from './core/errors.js';
export { RemoteError } from './core/errors.js';
export { MessageDeliveryFailure } from './core/errors.js';
export { MessageUndeliverable } from './core/errors.js';
export { InvalidTarget } from './core/errors.js';
export { InvalidTransportUrl } from './core/errors.js';
export { InvalidOptions } from './core/errors.js';
export { NoSuchMethod } from './core/errors.js';
export { UnsupportedVersion } from './core/errors.js';
export { InvalidArguments } from './core/errors.js';
export { InvalidResult } from './core/errors.js';
export { InvalidPayload } from './core/errors.js';
export { UnserializableValue } from './core/errors.js';
export { MalformedMessage } from './core/errors.js';
export { RpcVersionCapError } from './core/errors.js';
export { DriverLoadFailure } from './core/errors.js';
export { UnsupportedCapability } from './core/errors.js';
export { MatchmakerUnavailable } from './core/errors.js';
export { InvalidCurveKey } from './core/errors.js';
export { TransportClosed } from './core/errors.js';
export { ExecutorClosed } from './core/errors.js';
export { WorkerCrashed } from './core/errors.js';
export { CallCancelled } from './core/errors.js';
export { CallLimitExceeded } from './core/errors.js';
export { NotificationPublishFailure } from './core/errors.js';
export { InvalidRoutingConfig } from './core/errors.js';
export { InvalidNotificationFilter } from './core/errors.js';
export type { NotifierFailure } from './core/errors.js';

// notifier
export { notifier } from './notify/notifier.js';
export type { Notifier } from './notify/notifier.js';
export type { NotifierOptions } from './notify/notifier.js';
export type { NotifierSend } from './notify/notifier.js';
export type { NotifierEvents } from './notify/notifier.js';
export type { PayloadOf } from './notify/notifier.js';

// notification contracts
export { notificationContract } from './notify/contract.js';
export type { NotificationContract } from './notify/contract.js';
export type { PayloadsOf } from './notify/contract.js';

// notifier drivers
export type { NotifierDriver } from './notify/notifier-drivers/driver.js';
export type { NotifierRoute } from './notify/notifier-drivers/driver.js';
export { messagingV2Driver } from './notify/notifier-drivers/messaging.js';
export { messagingV1Driver } from './notify/notifier-drivers/messaging.js';
export { logDriver } from './notify/notifier-drivers/log.js';
export { noopDriver } from './notify/notifier-drivers/noop.js';
export { routingDriver } from './notify/notifier-drivers/routing.js';
export type { RoutingConfig } from './notify/notifier-drivers/routing.js';
export type { RoutingRule } from './notify/notifier-drivers/routing.js';
export type { RoutingDriverOptions } from './notify/notifier-drivers/routing.js';
export { sanitizeContext } from './notify/context.js';
export { SAFE_CONTEXT_KEYS } from './notify/context.js';

// notification listeners
export { notificationListener } from './notify/listener.js';
export type { NotificationListener } from './notify/listener.js';
export type { NotificationListenerOptions } from './notify/listener.js';
export { NotificationResult } from '../operators/notify/dispatch-notifications.js';
export type { EndpointOf } from '../operators/notify/dispatch-notifications.js';
export type { NotificationEndpoint } from '../operators/notify/dispatch-notifications.js';
export type { NotificationHandler } from '../operators/notify/dispatch-notifications.js';
export type { HandlerOutcome } from '../operators/notify/dispatch-notifications.js';
export type { NotificationOutcome } from '../operators/notify/dispatch-notifications.js';
export { batchNotificationListener } from './notify/batch-listener.js';
export type { BatchNotificationListener } from './notify/batch-listener.js';
export type { BatchNotificationListenerOptions } from './notify/batch-listener.js';
export type { BatchNotificationEndpoint } from '../operators/notify/dispatch-notification-batches.js';
export type { BatchNotificationHandler } from '../operators/notify/dispatch-notification-batches.js';
export type { BatchNotificationMessage } from '../operators/notify/dispatch-notification-batches.js';

// notification filters
export { notificationFilter } from '../operators/notify/filter-notifications.js';
export type { FilterSubject } from '../operators/notify/filter-notifications.js';
export type { FilterPattern } from '../operators/notify/filter-notifications.js';
export type { NotificationFilter } from '../operators/notify/filter-notifications.js';
export type { NotificationFilterRule } from '../operators/notify/filter-notifications.js';
export type { NotificationMetadata } from '../operators/notify/filter-notifications.js';
