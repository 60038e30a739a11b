import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isVersion, versionIsCompatible } from '../../../lib/core/version.js';

const IsVersion = suite('isVersion()');

IsVersion('should accept "X.Y" and "X.Y.Z" with any number of digits', () => {
  for (const v of ['1.0', '2.1', '10.25', '1.2.3', '0.0.0', '123.456.789']) assert.ok(isVersion(v), v);
});

IsVersion('should refuse anything else', () => {
  for (const v of ['', '1', '1.', '.1', '1.2.3.4', 'a.b', '1.x', 'v1.0', '1.0 ', ' 1.0', '1..0', '-1.0', '1.0-rc1']) assert.not.ok(isVersion(v), v);
});

IsVersion.run();

const Compatible = suite('versionIsCompatible(implemented, requested)');

Compatible('should accept the same version', () => {
  assert.ok(versionIsCompatible('1.0', '1.0'));
  assert.ok(versionIsCompatible('2.5.3', '2.5.3'));
});

Compatible('should accept a lower minor of the same major', () => {
  assert.ok(versionIsCompatible('2.5', '2.0'));
  assert.ok(versionIsCompatible('2.5', '2.4'));
});

Compatible('should refuse a higher minor', () => {
  assert.not.ok(versionIsCompatible('2.5', '2.6'));
  assert.not.ok(versionIsCompatible('1.0', '1.1'));
});

Compatible('should refuse a different major, lower or higher', () => {
  assert.not.ok(versionIsCompatible('2.5', '1.0'));
  assert.not.ok(versionIsCompatible('1.9', '2.0'));
});

Compatible('should compare minors as numbers, not text', () => {
  assert.ok(versionIsCompatible('1.10', '1.9'));
  assert.not.ok(versionIsCompatible('1.9', '1.10'));
});

Compatible('should compare revisions only on an equal minor', () => {
  assert.ok(versionIsCompatible('2.5.3', '2.5.2'));
  assert.not.ok(versionIsCompatible('2.5.3', '2.5.4'));
  assert.ok(versionIsCompatible('2.6.0', '2.5.9'));
});

Compatible('should take a missing revision as 0', () => {
  assert.ok(versionIsCompatible('2.5', '2.5.0'));
  assert.not.ok(versionIsCompatible('2.5', '2.5.1'));
  assert.ok(versionIsCompatible('2.5.1', '2.5'));
});

Compatible("should serve oslo's default '1.0' request from a '1.x' endpoint only", () => {
  assert.ok(versionIsCompatible('1.3', '1.0'));
  assert.not.ok(versionIsCompatible('2.0', '1.0'));
});

Compatible.run();
