/**
 * Every error rx-messaging raises. Each is a class with a `name`, an optional `cause`, and the
 * facts a user needs to act on it as readonly fields. `MessagingError` is the root.
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
    readonly info: { method?: string; target?: string; waitedMs: number; msgId?: string; kind: 'timeout' | 'callMonitorTimeout' },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A handler failed on the remote side with an error type the caller did not allow to be rebuilt. */
export class RemoteError extends MessagingError {
  constructor(
    readonly excType: string,
    readonly value: string,
    readonly traceback: readonly string[] = [],
    readonly module?: string,
  ) {
    super(`Remote error: ${excType} ${value}${traceback.length ? `\n${traceback.join('')}` : ''}`);
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
  ) {
    super(`Invalid target: ${reason} (target: ${JSON.stringify(target)})`);
  }
}

/** A transport URL could not be parsed, or it names an unknown option. */
export class InvalidTransportUrl extends MessagingError {
  constructor(
    readonly url: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid transport URL '${redactUrl(url)}': ${reason}`, options);
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
  constructor(readonly method: string) {
    super(`Endpoint does not support RPC method ${method}`);
  }
}

/** No endpoint serves the requested namespace and version. */
export class UnsupportedVersion extends MessagingError {
  constructor(
    readonly version: string,
    readonly method?: string,
  ) {
    super(`Endpoint does not support RPC version ${version}. Attempted method: ${method ?? '(unknown)'}`);
  }
}

/** A client tried to send a version above its `versionCap`. */
export class RpcVersionCapError extends MessagingError {
  constructor(
    readonly version: string,
    readonly versionCap: string,
  ) {
    super(`Requested message version, ${version} is incompatible. It needs to be equal in major version and less than or equal in minor version as the specified version cap ${versionCap}.`);
  }
}

/** The URL's scheme names no driver, or the driver's module failed to load. */
export class DriverLoadFailure extends MessagingError {
  constructor(
    readonly driver: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot load driver '${driver}': ${reason}`, options);
  }
}

/** The transport was closed while the operation was pending, or is used after close. */
export class TransportClosed extends MessagingError {
  constructor(message = 'The transport is closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/** Hides every host's password, reading hosts as `parseTransportUrl` does: comma-separated, credentials up to the last '@'. */
function redactUrl(url: string): string {
  return url.replace(/^([^/?#]*\/\/)([^/?#]*)/, (_all, head: string, netloc: string) =>
    head + netloc.split(',').map((host) => host.replace(/^([^:@]*):.*@/, '$1:***@')).join(','),
  );
}
