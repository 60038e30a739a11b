/**
 * Every error rx-messaging raises. Each is a class with a `name`, an optional `cause`, and the
 * facts a user needs to act on it as readonly fields. `MessagingError` is the root.
 */
import type { Priority } from './priority.js';
import { redactUrl } from './redact.js';
import { describeIssues, type SchemaIssue } from './schema.js';

/**
 * The root of every error rx-messaging raises: `instanceof MessagingError` tells them from others.
 * Its `name` is the subclass's.
 */
export class MessagingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A call got no reply in time: the overall `timeout`, or `callMonitorTimeout` without heartbeats. */
export class MessagingTimeout extends MessagingError {
  constructor(
    message: string,
    /** The call that timed out, how long it waited (ms), and which limit fired: the overall `timeout` or `callMonitorTimeout`. */
    readonly info: { method?: string; target?: string; waitedMs: number; msgId?: string; kind: 'timeout' | 'callMonitorTimeout' },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A handler failed on the remote side with an error type the caller did not allow to be rebuilt. */
export class RemoteError extends MessagingError {
  constructor(
    /** The remote error's class name, e.g. 'ValueError'. */
    readonly excType: string,
    /** The remote error's message. */
    readonly value: string,
    /** The remote traceback, as lines. */
    readonly traceback: readonly string[] = [],
    /** Where the remote class is defined (a Python module), when the failure said. */
    readonly module?: string,
    options?: ErrorOptions,
  ) {
    super(`Remote error: ${excType} ${value}${traceback.length ? `\n${traceback.join('')}` : ''}`, options);
  }
}

/** The transport could not deliver a message: retries exhausted, a channel error, a broker refusal. */
export class MessageDeliveryFailure extends MessagingError {}

/** Nobody could receive the message (AMQP mandatory publish returned) and at-least-once was asked. */
export class MessageUndeliverable extends MessagingError {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    options?: ErrorOptions,
  ) {
    super(`No queue is bound for routing key '${routingKey}' on exchange '${exchange}': nobody can receive this message`, options);
  }
}

/** A target lacks what its role needs, or a field is malformed. */
export class InvalidTarget extends MessagingError {
  constructor(
    reason: string,
    readonly target: unknown,
    options?: ErrorOptions,
  ) {
    super(`Invalid target: ${reason} (target: ${JSON.stringify(target)})`, options);
  }
}

/** A factory (rpcClient, rpcServer, an executor's, connect...) was given an option it does not know, or a value it cannot use. */
export class InvalidOptions extends MessagingError {
  constructor(
    /** The factory, e.g. 'rpcServer'. */
    readonly factory: string,
    /** The option's key; '' when the options themselves are not an object. */
    readonly key: string,
    /** What was given, described (a value is shown only when short and plain). */
    readonly given: string,
    /** What to pass instead. */
    readonly expected: string,
    options?: ErrorOptions,
  ) {
    super(`${factory}(): ${key ? `option ${key}` : 'the options'} must be ${expected}, got ${given}`, options);
  }
}

/** A transport URL could not be parsed, or it names an unknown option. */
export class InvalidTransportUrl extends MessagingError {
  /** The URL, every password replaced by `***`: an error is logged, printed and serialized, so it never holds one. */
  readonly url: string;
  constructor(url: string, reason: string, options?: ErrorOptions) {
    const shown = redactUrl(url);
    super(`Invalid transport URL '${shown}': ${reason}`, options);
    this.url = shown;
  }
}

/** A ZeroMQ CURVE key is malformed or does not match its pair; `option` names where it was given (never the key itself). */
export class InvalidCurveKey extends MessagingError {
  constructor(
    readonly option: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid CURVE key in '${option}': ${reason}`, options);
  }
}

/** The endpoints matched the namespace and version, but none has the method (or policy hides it). */
export class NoSuchMethod extends MessagingError {
  constructor(
    readonly method: string,
    options?: ErrorOptions,
  ) {
    super(`Endpoint does not support RPC method ${method}`, options);
  }
}

/** A call's arguments failed its contract's schema: refused before the handler ran (on the server) or before sending (on a client). */
export class InvalidArguments extends MessagingError {
  constructor(
    readonly method: string,
    /** Each failing path (relative to the arguments, '' for the whole) and why. */
    readonly issues: readonly SchemaIssue[],
    options?: ErrorOptions,
  ) {
    super(`Invalid arguments for ${method}: ${describeIssues(issues)}`, options);
  }
}

/** A handler's result failed its contract's schema: the server sent this instead of the result. */
export class InvalidResult extends MessagingError {
  constructor(
    readonly method: string,
    readonly issues: readonly SchemaIssue[],
    options?: ErrorOptions,
  ) {
    super(`Invalid result of ${method}: ${describeIssues(issues)}`, options);
  }
}

/** A notification's payload failed the schema its notification contract gives its event type. */
export class InvalidPayload extends MessagingError {
  constructor(
    readonly eventType: string,
    readonly issues: readonly SchemaIssue[],
    options?: ErrorOptions,
  ) {
    super(`Invalid payload for ${eventType}: ${describeIssues(issues)}`, options);
  }
}

/** No endpoint serves the requested namespace and version. */
export class UnsupportedVersion extends MessagingError {
  constructor(
    readonly version: string,
    readonly method?: string,
    options?: ErrorOptions,
  ) {
    super(`Endpoint does not support RPC version ${version}. Attempted method: ${method ?? '(unknown)'}`, options);
  }
}

/** A client tried to send a version above its `versionCap`. */
export class RpcVersionCapError extends MessagingError {
  constructor(
    readonly version: string,
    readonly versionCap: string,
    options?: ErrorOptions,
  ) {
    super(
      `Requested message version, ${version} is incompatible. It needs to be equal in major version and less than or equal in minor version as the specified version cap ${versionCap}.`,
      options,
    );
  }
}

/** The URL's scheme has no driver yet, the driver's module failed to load, or what was given as a driver module is none. */
export class DriverLoadFailure extends MessagingError {
  constructor(
    readonly driver: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot load driver '${driver}': ${reason}`, options);
  }
}

/**
 * The transport's driver lacks a capability that was asked for (requeue, pools, durable,
 * undeliverableDetection), raised where it is asked: at the factory or call, never later.
 */
export class UnsupportedCapability extends MessagingError {
  constructor(
    readonly capability: string,
    /** The name of the driver that lacks it. */
    readonly driver: string,
    asked: string,
    instead: string,
    options?: ErrorOptions,
  ) {
    super(`The '${driver}' driver lacks the capability '${capability}', which ${asked} needs: ${instead}`, options);
  }
}

/** The registry of who listens where (ZeroMQ's matchmaker, e.g. Redis) cannot be reached. */
export class MatchmakerUnavailable extends MessagingError {
  constructor(
    /** The matchmaker's address, without credentials. */
    readonly address: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`The matchmaker at ${address} is unavailable: ${reason}`, options);
  }
}

/** The transport was closed while the operation was pending, or is used after close. */
export class TransportClosed extends MessagingError {
  constructor(message = 'The transport is closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * A call given up before its handler finished: its caller cancelled it (`cancelled`), its
 * deadline passed (`deadline`), or its server stopped past its drain deadline (`stopped`). The
 * `signal.reason` a handler sees, and what a stopped server sends callers still waiting.
 */
export class CallCancelled extends MessagingError {
  constructor(
    readonly why: 'cancelled' | 'deadline' | 'stopped',
    readonly info: { readonly method?: string; readonly msgId?: string } = {},
    options?: ErrorOptions,
  ) {
    const what = why === 'cancelled' ? 'its caller cancelled it' : why === 'deadline' ? 'its deadline passed' : 'the server stopped past its drain deadline';
    super(`The call${info.method ? ` to ${info.method}` : ''}${info.msgId ? ` (message ID ${info.msgId})` : ''} was given up: ${what}`, options);
  }
}

/** A call refused before sending: its client already has `maxInFlight` calls waiting for their replies. */
export class CallLimitExceeded extends MessagingError {
  constructor(
    readonly method: string,
    /** The client's `maxInFlight`. */
    readonly maxInFlight: number,
    options?: ErrorOptions,
  ) {
    super(`Cannot call ${method}: the client already has ${maxInFlight} calls waiting for their replies (maxInFlight); wait for one to end, or raise maxInFlight`, options);
  }
}

/** `run()` was called after `close()`, or `close()` ended an invocation in flight. */
export class ExecutorClosed extends MessagingError {}

/** A worker thread died (uncaught error, `process.exit`, out of memory) while an invocation ran in it. */
export class WorkerCrashed extends MessagingError {
  constructor(
    /** The handler that was running. */
    readonly method: string,
    readonly threadId: number,
    /** The worker's exit code. */
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Worker thread ${threadId} exited with code ${exitCode} while running '${method}'${reason}; the pool replaces it`, options);
  }
}

/** A received body that is not a message rx-messaging or oslo.messaging would send. */
export class MalformedMessage extends MessagingError {
  constructor(reason: string, options?: ErrorOptions) {
    super(`Malformed message: ${reason}`, options);
  }
}

/** Bytes that are not one whole MessagePack value: cut short, followed by more bytes, or invalid. @internal */
export class MsgpackDecodeError extends MessagingError {
  constructor(
    readonly byteLength: number,
    options?: ErrorOptions,
  ) {
    // msgpackr appends the value it read to some messages: keep the reason, not the payload.
    const cause = options?.cause;
    const reason = (cause instanceof Error ? cause.message : String(cause)).split(/ [{[\d"]/)[0];
    super(`cannot read ${byteLength} bytes as one MessagePack value: ${reason}`, options);
  }
}

/** A message body holds a value that cannot cross the wire as it is (memory:// checks what JSON would refuse or lose). */
export class UnserializableValue extends MessagingError {
  constructor(
    /** Where the value sits in the body, e.g. `args.options.callback`. */
    readonly path: string,
    /** What is wrong with it, e.g. 'is a bigint, which JSON cannot encode'. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot send the message: ${path} ${reason}`, options);
  }
}

/** One driver failing one notification. */
export interface NotifierFailure {
  readonly driver: string;
  readonly messageId: string;
  readonly eventType: string;
  readonly priority: Priority;
  readonly error: unknown;
}

/** With `raiseOnError`, what a send rejects with when drivers failed; the cause is the failure, or an AggregateError of them. */
export class NotificationPublishFailure extends MessagingError {
  constructor(
    /** One per driver that failed. */
    readonly failures: readonly NotifierFailure[],
    options?: ErrorOptions,
  ) {
    const [first] = failures;
    super(
      `Could not publish ${first?.eventType} (${first?.priority}) through the ${failures.map((f) => f.driver).join(', ')} driver(s)`,
      options ?? { cause: failures.length === 1 ? first?.error : new AggregateError(failures.map((f) => f.error)) },
    );
  }
}

/** The routing configuration is malformed, cannot be read, or names an unknown driver. */
export class InvalidRoutingConfig extends MessagingError {
  constructor(
    /** The YAML file's path, or 'config object'. */
    readonly source: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid notification routing config (${source}): ${reason}`, options);
  }
}

/** A pattern of a filter rule is not a valid regular expression. */
export class InvalidNotificationFilter extends MessagingError {
  constructor(
    /** The rule's field, e.g. 'payload.state'. */
    readonly field: string,
    readonly pattern: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid notification filter: ${field} pattern ${JSON.stringify(pattern)} is not a valid regular expression`, options);
  }
}

/** The broker refused an ack or requeue (the channel or connection is gone). */
export class AcknowledgeError extends MessagingError {
  constructor(
    readonly action: 'ack' | 'requeue',
    /** How many items were being settled together. */
    readonly count: number,
    options?: ErrorOptions,
  ) {
    super(`Could not ${action} ${count === 1 ? 'a message' : `${count} messages`}; the broker will redeliver what it did not see settled`, options);
  }
}
