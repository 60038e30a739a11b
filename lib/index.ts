export { connect } from './transport.js';
export type { ConnectOptions, NotificationsOptions, Transport } from './transport.js';
export { parseTransportUrl } from './url.js';
export type { DriverName, TransportHost, TransportUrl } from './url.js';
export { target, retarget, assertTargetFor, targetsFor, describeTarget } from './target.js';
export type { Target, TargetRole } from './target.js';
export { versionIsCompatible } from './version.js';
export { PRIORITIES } from './priority.js';
export type { Priority } from './priority.js';
export type {
  Context,
  CreateDriver,
  Driver,
  DriverConfig,
  IncomingCall,
  IncomingNotification,
  ListenOptions,
  Notification,
  NotificationBinding,
  NotifyOptions,
  RemoteFailure,
  Reply,
  ReplyChannel,
  RpcRequest,
  SendOptions,
  TransportState,
  TransportStatus,
} from './driver.js';
export { rpcClient } from './rpc-client.js';
export type { ArgsOf, MethodOf, PrepareOptions, ResultOf, RpcApi, RpcClient, RpcClientOptions } from './rpc-client.js';
export { rpcServer } from './rpc-server.js';
export type { RpcServer, RpcServerOptions } from './rpc-server.js';
export { expose, defaultAccessPolicy, legacyAccessPolicy, explicitAccessPolicy } from './access-policy.js';
export type { AccessPolicy } from './access-policy.js';
export { blockingExecutor, microtaskExecutor } from './executor.js';
export type { Executor, Invocation, MicrotaskExecutorOptions } from './executor.js';
export { workerPoolExecutor, ExecutorClosed, WorkerCrashed } from './worker-pool-executor.js';
export type { WorkerPoolExecutorOptions } from './worker-pool-executor.js';
export { toFailure, fromFailure } from './failure.js';
export type { ErrorClass } from './failure.js';
export { noopSerializer, jsonPayloadSerializer } from './serializer.js';
export type { Serializer } from './serializer.js';
export { jsonCodec, formatDate, parseDate } from './codec.js';
export type { JsonCodec, JsonCodecOptions, WireCodec } from './codec.js';
export { getLogger, setLogSink } from './logger.js';
export type { LogLevel, LogRecord, LogSink, Logger } from './logger.js';
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
  TransportClosed,
} from './errors.js';
export { notifier, NotificationPublishFailure } from './notifier.js';
export type { Notifier, NotifierOptions, NotifierFailure } from './notifier.js';
export type { NotifierDriver, NotifierRoute } from './notify/driver.js';
export { messagingV2Driver, messagingV1Driver } from './notify/messaging.js';
export { logDriver } from './notify/log.js';
export { noopDriver } from './notify/noop.js';
export { routingDriver, InvalidRoutingConfig } from './notify/routing.js';
export type { RoutingConfig, RoutingRule, RoutingDriverOptions } from './notify/routing.js';
export { testDriver } from './notify/test.js';
export type { TestDriver, RecordedNotification } from './notify/test.js';
export { sanitizeContext, SAFE_CONTEXT_KEYS } from './notify/context.js';
export { notificationListener } from './notification-listener.js';
export type { NotificationListener, NotificationListenerOptions, NotificationEndpoint, NotificationHandler } from './notification-listener.js';
export { batchNotificationListener } from './batch-notification-listener.js';
export type {
  BatchNotificationListener,
  BatchNotificationListenerOptions,
  BatchNotificationEndpoint,
  BatchNotificationHandler,
  BatchNotificationMessage,
} from './batch-notification-listener.js';
export { NotificationResult } from './notification-endpoint.js';
export type { HandlerOutcome, NotificationMetadata, NotificationOutcome } from './notification-endpoint.js';
export { notificationFilter, InvalidNotificationFilter } from './notification-filter.js';
export type { FilterSubject, FilterPattern, NotificationFilter, NotificationFilterRule } from './notification-filter.js';
