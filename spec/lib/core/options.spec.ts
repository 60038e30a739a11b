import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidTransportUrl } from '../../../lib/core/errors.js';
import { resolveOptions, type OptionSpec } from '../../../lib/core/options.js';

interface Options {
  readonly heartbeat_timeout_threshold: number;
  readonly rabbit_quorum_queue: boolean;
  readonly kombu_failover_strategy: string;
  readonly ssl_ca_file: string | undefined;
}

const SPEC: OptionSpec<Options> = {
  heartbeat_timeout_threshold: { default: 60, kind: 'number' },
  rabbit_quorum_queue: { default: false, kind: 'boolean' },
  kombu_failover_strategy: { default: 'round-robin', kind: 'string' },
  ssl_ca_file: { default: undefined, kind: 'string' },
};

const URL = 'rabbit://guest:secret@h/';

function refused(given: Partial<Options> | undefined, query: Record<string, string>, reason: RegExp): InvalidTransportUrl {
  try {
    resolveOptions(SPEC, given, query, URL);
  } catch (error) {
    assert.instance(error, InvalidTransportUrl);
    assert.match((error as Error).message, reason);
    assert.is((error as InvalidTransportUrl).url, 'rabbit://guest:***@h/');
    assert.not.match((error as Error).message, /secret/);
    return error as InvalidTransportUrl;
  }
  assert.unreachable('expected the options to be refused');
  throw new Error('unreachable');
}

const Resolve = suite('resolveOptions()');

Resolve('should give every default when nothing is set', () => {
  assert.equal(resolveOptions(SPEC, undefined, {}, URL), {
    heartbeat_timeout_threshold: 60,
    rabbit_quorum_queue: false,
    kombu_failover_strategy: 'round-robin',
    ssl_ca_file: undefined,
  });
});

Resolve('should take values given by object over defaults', () => {
  const options = resolveOptions(SPEC, { heartbeat_timeout_threshold: 20, ssl_ca_file: '/ca.pem' }, {}, URL);
  assert.is(options.heartbeat_timeout_threshold, 20);
  assert.is(options.ssl_ca_file, '/ca.pem');
  assert.is(options.rabbit_quorum_queue, false);
});

Resolve('should keep the default for a value given as undefined', () => {
  assert.is(resolveOptions(SPEC, { heartbeat_timeout_threshold: undefined } as Partial<Options>, {}, URL).heartbeat_timeout_threshold, 60);
});

Resolve('should let the URL query override values given by object', () => {
  const options = resolveOptions(SPEC, { heartbeat_timeout_threshold: 20, kombu_failover_strategy: 'shuffle' }, { heartbeat_timeout_threshold: '5' }, URL);
  assert.is(options.heartbeat_timeout_threshold, 5);
  assert.is(options.kombu_failover_strategy, 'shuffle');
});

Resolve('should parse query numbers, including decimals and negatives', () => {
  assert.is(resolveOptions(SPEC, {}, { heartbeat_timeout_threshold: '2.5' }, URL).heartbeat_timeout_threshold, 2.5);
  assert.is(resolveOptions(SPEC, {}, { heartbeat_timeout_threshold: '-1' }, URL).heartbeat_timeout_threshold, -1);
});

Resolve('should parse query booleans true/1/yes/on and false/0/no/off, case-insensitively', () => {
  for (const text of ['true', 'True', '1', 'yes', 'ON']) assert.is(resolveOptions(SPEC, {}, { rabbit_quorum_queue: text }, URL).rabbit_quorum_queue, true, text);
  for (const text of ['false', 'FALSE', '0', 'no', 'off']) assert.is(resolveOptions(SPEC, {}, { rabbit_quorum_queue: text }, URL).rabbit_quorum_queue, false, text);
});

Resolve('should keep query strings as given', () => {
  assert.is(resolveOptions(SPEC, {}, { kombu_failover_strategy: 'shuffle' }, URL).kombu_failover_strategy, 'shuffle');
  assert.is(resolveOptions(SPEC, {}, { ssl_ca_file: '' }, URL).ssl_ca_file, '');
});

Resolve('should refuse an unknown query option, naming it and the known ones', () => {
  refused(
    {},
    { rabbit_quorum_queues: 'true' },
    /unknown query option 'rabbit_quorum_queues': known options are heartbeat_timeout_threshold, rabbit_quorum_queue, kombu_failover_strategy, ssl_ca_file/,
  );
});

Resolve('should refuse an unknown option given by object, naming it', () => {
  refused({ heartbeat: 5 } as Partial<Options>, {}, /unknown option 'heartbeat': known options are heartbeat_timeout_threshold/);
});

Resolve('should refuse option names that only Object.prototype has', () => {
  for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
    refused({}, { [key]: '1' }, new RegExp(`unknown query option '${key}'`));
  }
  refused(JSON.parse('{"__proto__": 1}') as Partial<Options>, {}, /unknown option '__proto__'/);
  refused({ valueOf: 1 } as unknown as Partial<Options>, {}, /unknown option 'valueOf'/);
});

Resolve('should refuse a value of the wrong type given by object, naming option, kind and value', () => {
  refused({ heartbeat_timeout_threshold: '20' } as unknown as Partial<Options>, {}, /option 'heartbeat_timeout_threshold' must be a number, got "20"/);
  refused({ rabbit_quorum_queue: 1 } as unknown as Partial<Options>, {}, /option 'rabbit_quorum_queue' must be a boolean, got 1/);
  refused({ ssl_ca_file: 5 } as unknown as Partial<Options>, {}, /option 'ssl_ca_file' must be a string, got 5/);
});

Resolve('should refuse a query value that is not a number, quoting it', () => {
  for (const text of ['abc', '', ' ', 'Infinity', '1,2']) {
    refused({}, { heartbeat_timeout_threshold: text }, new RegExp(`query option 'heartbeat_timeout_threshold' must be a number, got '${text}'`));
  }
});

Resolve('should refuse a query value that is not a boolean, quoting it', () => {
  refused({}, { rabbit_quorum_queue: 'maybe' }, /query option 'rabbit_quorum_queue' must be true or false, got 'maybe'/);
  refused({}, { rabbit_quorum_queue: '' }, /query option 'rabbit_quorum_queue' must be true or false, got ''/);
});

Resolve('should refuse any option when the driver has none', () => {
  try {
    resolveOptions({} as OptionSpec<Record<never, never>>, {}, { bogus: '1' }, 'memory://x?bogus=1');
    assert.unreachable('expected bogus to be refused');
  } catch (error) {
    assert.instance(error, InvalidTransportUrl);
    assert.match((error as Error).message, /^Invalid transport URL 'memory:\/\/x\?bogus=1': unknown query option 'bogus'/);
  }
});

Resolve('should not change the spec or the given object', () => {
  const given = { heartbeat_timeout_threshold: 20 };
  resolveOptions(SPEC, given, { rabbit_quorum_queue: 'true' }, URL);
  assert.equal(given, { heartbeat_timeout_threshold: 20 });
  assert.is(SPEC.rabbit_quorum_queue.default, false);
});

Resolve.run();
