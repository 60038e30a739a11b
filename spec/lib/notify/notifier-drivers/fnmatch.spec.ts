import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fnmatch } from '../../../../lib/notify/notifier-drivers/fnmatch.js';

const Fnmatch = suite('fnmatch');

Fnmatch('should let * match any run of characters, dots included', () => {
  assert.ok(fnmatch('compute.instance.create.end', 'compute.*'));
  assert.ok(fnmatch('compute.instance.create.end', '*.end'));
  assert.ok(fnmatch('compute', 'compute*'));
  assert.not.ok(fnmatch('network.create', 'compute.*'));
});

Fnmatch('should need the whole name to match', () => {
  assert.not.ok(fnmatch('compute.instance.create.end', 'compute'));
  assert.not.ok(fnmatch('xcompute.a', 'compute.*'));
});

Fnmatch('should let ? match exactly one character', () => {
  assert.ok(fnmatch('warn', 'w?rn'));
  assert.not.ok(fnmatch('wrn', 'w?rn'));
});

Fnmatch('should read [set], [a-z] ranges and [!set]', () => {
  assert.ok(fnmatch('info', '[id]nfo'));
  assert.ok(fnmatch('audit', '[a-c]udit'));
  assert.not.ok(fnmatch('info', '[!i]nfo'));
  assert.ok(fnmatch(']x', '[]]x'), 'a ] first in a set is literal');
  assert.ok(fnmatch('[x', '[x'), 'an unclosed [ is literal');
});

Fnmatch('should treat regular expression characters literally', () => {
  assert.ok(fnmatch('a.b', 'a.b'));
  assert.not.ok(fnmatch('axb', 'a.b'));
  assert.ok(fnmatch('a+(b)', 'a+(b)'));
  assert.ok(fnmatch('a^b$', 'a^b$'));
});

Fnmatch('should be case-sensitive, as Python fnmatch on POSIX', () => {
  assert.not.ok(fnmatch('Compute.start', 'compute.*'));
});

Fnmatch.run();
