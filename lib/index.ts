export { connect } from './transport.js';
export type { ConnectOptions, NotificationsOptions, Transport } from './transport.js';
export { parseTransportUrl } from './core/url.js';
export type { DriverName, TransportHost, TransportUrl } from './core/url.js';
export { target, retarget, assertTargetFor, targetsFor, describeTarget } from './core/target.js';
export type { Target, TargetRole } from './core/target.js';
export { versionIsCompatible } from './core/version.js';
export { PRIORITIES } from './core/priority.js';
export type { Priority } from './core/priority.js';
export type { Context } from './core/context.js';
export type { Capability, CreateDriver, Driver, DriverCapabilities, DriverConfig, DriverModule, TransportState, TransportStatus } from './driver/driver.js';
export type { IncomingCall, RemoteFailure, Reply, ReplyChannel, RpcRequest, SendOptions } from './driver/rpc.js';
export type { IncomingNotification, Notification, NotificationBinding, NotifyOptions } from './driver/notifications.js';
export type { ListenOptions } from './driver/listen.js';
export { rpcClient } from './rpc/client.js';
export type { ArgsOf, MethodOf, PrepareOptions, ResultOf, RpcApi, RpcClient, RpcClientOptions } from './rpc/client.js';
export { rpcServer } from './rpc/server.js';
export type { RpcServer, RpcServerOptions } from './rpc/server.js';
export { expose, defaultAccessPolicy, legacyAccessPolicy, explicitAccessPolicy } from './rpc/access-policy.js';
export type { AccessPolicy } from './rpc/access-policy.js';
export { blockingExecutor, microtaskExecutor } from './executors/executor.js';
export type { Executor, Invocation, MicrotaskExecutorOptions } from './executors/executor.js';
export { workerPoolExecutor, ExecutorClosed, WorkerCrashed } from './executors/worker-pool.js';
export type { WorkerPoolExecutorOptions } from './executors/worker-pool.js';
export { toFailure, fromFailure } from './wire/failure.js';
export type { ErrorClass } from './wire/failure.js';
export { noopSerializer, jsonPayloadSerializer } from './core/serializer.js';
export type { Serializer } from './core/serializer.js';
export { jsonCodec, formatDate, parseDate } from './wire/codec.js';
export type { JsonCodec, JsonCodecOptions, WireCodec } from './wire/codec.js';
export { getLogger, setLogSink } from './core/logger.js';
export type { LogLevel, LogRecord, LogSink, Logger } from './core/logger.js';
export {
  MessagingError,
  MessagingTimeout,
  RemoteError,
  MessageDeliveryFailure,
  MessageUndeliverable,
  InvalidTarget,
  InvalidTransportUrl,
  NoSuchMethod,
  UnsupportedVersion,
  RpcVersionCapError,
  DriverLoadFailure,
  UnsupportedCapability,
  TransportClosed,
} from './core/errors.js';
export { notifier, NotificationPublishFailure } from './notify/notifier.js';
export type { Notifier, NotifierOptions, NotifierFailure } from './notify/notifier.js';
export type { NotifierDriver, NotifierRoute } from './notify/notifier-drivers/driver.js';
export { messagingV2Driver, messagingV1Driver } from './notify/notifier-drivers/messaging.js';
export { logDriver } from './notify/notifier-drivers/log.js';
export { noopDriver } from './notify/notifier-drivers/noop.js';
export { routingDriver, InvalidRoutingConfig } from './notify/notifier-drivers/routing.js';
export type { RoutingConfig, RoutingRule, RoutingDriverOptions } from './notify/notifier-drivers/routing.js';
export { testDriver } from '../testing/test-notifier-driver.js';
export type { TestDriver, RecordedNotification } from '../testing/test-notifier-driver.js';
export { sanitizeContext, SAFE_CONTEXT_KEYS } from './notify/context.js';
export { notificationListener } from './notify/listener.js';
export type { NotificationListener, NotificationListenerOptions, NotificationEndpoint, NotificationHandler } from './notify/listener.js';
export { batchNotificationListener } from './notify/batch-listener.js';
export type {
  BatchNotificationListener,
  BatchNotificationListenerOptions,
  BatchNotificationEndpoint,
  BatchNotificationHandler,
  BatchNotificationMessage,
} from './notify/batch-listener.js';
export { NotificationResult } from './notify/endpoint.js';
export type { HandlerOutcome, NotificationMetadata, NotificationOutcome } from './notify/endpoint.js';
export { notificationFilter, InvalidNotificationFilter } from './notify/filter.js';
export type { FilterSubject, FilterPattern, NotificationFilter, NotificationFilterRule } from './notify/filter.js';
