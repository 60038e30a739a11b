/**
 * Transport URLs as they may be shown: in error messages, logs and reports. Imports nothing, so
 * errors.ts can use it while url.ts throws those errors.
 */

/**
 * The URL with every host's password replaced by `***`. Hosts are read as `parseTransportUrl`
 * reads them: the network location runs from '//' to the first '/', '?' or '#'; hosts are
 * comma-separated; a host's credentials run to its LAST '@' (so a raw '@' may sit in a
 * password), and the username to their first ':'. A '/', ',', '?' or '#' in a password must be
 * percent-escaped, for this as for the parser (and oslo).
 *
 * @example
 * redactUrl('rabbit://bob:s3cr@t@h1,eve:pw@h2/') // 'rabbit://bob:***@h1,eve:***@h2/'
 */
export function redactUrl(url: string): string {
  return url.replace(/^([^/?#]*\/\/)([^/?#]*)/, (_all, head: string, netloc: string) => head + netloc.split(',').map(redactHost).join(','));
}

function redactHost(host: string): string {
  const at = host.lastIndexOf('@');
  const colon = host.indexOf(':');
  return colon >= 0 && colon < at ? `${host.slice(0, colon)}:***${host.slice(at)}` : host;
}
