/**
 * A notification carries only the context keys oslo lets through (its notifier's safe-key list,
 * taken from oslo.context's `RequestContext` fields): identities, names, roles and request ids.
 * Tokens and anything else a request context may hold never reach the notification bus.
 */
import type { Context } from '../core/context.js';

/** The context keys a notification keeps: oslo's safe keys. */
export const SAFE_CONTEXT_KEYS: ReadonlySet<string> = new Set([
  'user_id',
  'project_id',
  'domain_id',
  'user_domain_id',
  'project_domain_id',
  'is_admin',
  'request_id',
  'roles',
  'user_name',
  'project_name',
  'domain_name',
  'user_domain_name',
  'project_domain_name',
  'service_user_id',
  'service_user_domain_id',
  'service_user_domain_name',
  'service_project_id',
  'service_project_name',
  'service_project_domain_id',
  'service_project_domain_name',
  'service_roles',
  'global_request_id',
  'system_scope',
  // Older spellings that still show up in contexts.
  'user',
  'domain',
  'user_domain',
  'project_domain',
]);

/**
 * The context cut down to `SAFE_CONTEXT_KEYS`, as a notifier sends it.
 *
 * @example
 * ```ts
 * sanitizeContext({ user_id: 'u1', auth_token: 'secret' }); // { user_id: 'u1' }
 * ```
 */
export function sanitizeContext(context: Context | undefined): Context {
  return Object.fromEntries(Object.entries(context ?? {}).filter(([key]) => SAFE_CONTEXT_KEYS.has(key)));
}
