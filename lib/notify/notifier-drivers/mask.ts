/**
 * Masks secrets before a notification is written to a log, as oslo's log driver does with
 * `mask_dict_password`: the value of any key whose name contains a secret-looking word becomes
 * '***', nested objects and arrays included, and `password=...`-style text inside strings too.
 */
import { isRecord } from '../../core/record.js';

/** Words that mark a key as secret (matched case-insensitively inside the key), from oslo.utils' list. */
const SECRET_KEY_WORDS = [
  'password',
  'adminpass',
  'admin_pass',
  'new_pass',
  'pswd',
  'passphrase',
  'secret',
  'token',
  'configdrive',
  'encrypted_key',
  'private_key',
  'fernetkey',
  'sslkey',
  'credential',
  'rabbitcookie',
  'authkey',
  'heartbeatkey',
  'rndckey',
  'cephadminkey',
  'cephclientkey',
  'cephmanilaclientkey',
  'cephrgwkey',
  'cephmdskey',
  'cephmonkey',
  'cephclusterfsid',
  'encryptionkey',
  'cryptokek',
  'hashsuffix',
  'sshkey',
];

const MASK = '***';

const word = SECRET_KEY_WORDS.join('|');
// `password=x`, `password: x`, `"password": "x"`, `'token' => 'x'` in free text.
const ASSIGNMENT = new RegExp(`([\\w-]*(?:${word})[\\w-]*["']?\\s*(?:=>|[=:])\\s*["']?)[^\\s"',&;}]+`, 'gi');
// Command lines: `--password x`.
const FLAG = new RegExp(`(--[\\w-]*(?:${word})[\\w-]*\\s+["']?)[^\\s"']+`, 'gi');

function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_KEY_WORDS.some((w) => lower.includes(w));
}

function maskText(text: string): string {
  return text.replace(ASSIGNMENT, `$1${MASK}`).replace(FLAG, `$1${MASK}`);
}

/** A copy of `value` with secrets masked; the input is left untouched. @internal */
export function maskSecrets(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (!isNested(value)) return value;
  // As in oslo, a nested object is searched even under a secret-looking key; any other value there is masked whole.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, isNested(item) || !isSecretKey(key) ? maskSecrets(item) : MASK]));
}

/** A Date is a value to keep, not an object to search. */
function isNested(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && !(value instanceof Date);
}
