/**
 * Transport URLs as they may be shown: in error messages, logs and reports. Imports nothing, so
 * errors.ts can use it while url.ts throws those errors.
 */

/** Query options whose value is a secret (a CURVE secret key, a password, a token), by name. @internal */
export function isSecretOption(key: string): boolean {
  return /secret|password|passwd|token/i.test(key);
}

/**
 * The URL with every host's password, and the value of every query option named as a secret
 * (`isSecretOption`: `zmq_curve_secret_key`...), replaced by `***`. Hosts are read as `parseTransportUrl`
 * reads them: the network location runs from '//' to the first '/', '?' or '#'; hosts are
 * comma-separated; a host's credentials run to its LAST '@' (so a raw '@' may sit in a
 * password), and the username to their first ':'. A '/', ',', '?' or '#' in a password must be
 * percent-escaped, for this as for the parser (and oslo).
 *
 * @example
 * redactUrl('rabbit://bob:s3cr@t@h1,eve:pw@h2/') // 'rabbit://bob:***@h1,eve:***@h2/'
 */
export function redactUrl(url: string): string {
  const hosts = url.replace(/^([^/?#]*\/\/)([^/?#]*)/, (_all, head: string, netloc: string) => head + netloc.split(',').map(redactHost).join(','));
  const query = hosts.indexOf('?');
  if (query < 0) return hosts;
  return (
    hosts.slice(0, query) +
    hosts.slice(query).replace(/([?&])([^=&#]*)=([^&#]*)/g, (all, separator: string, key: string) => (isSecretOption(decodeQueryKey(key)) ? `${separator}${key}=***` : all))
  );
}

function decodeQueryKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

function redactHost(host: string): string {
  const at = host.lastIndexOf('@');
  const colon = host.indexOf(':');
  return colon >= 0 && colon < at ? `${host.slice(0, colon)}:***${host.slice(at)}` : host;
}
