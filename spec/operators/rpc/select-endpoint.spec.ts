import { firstValueFrom, of } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { explicitAccessPolicy, expose, legacyAccessPolicy } from '../../../operators/rpc/access-policy.js';
import { NoSuchMethod, UnsupportedVersion } from '../../../lib/core/errors.js';
import { selectEndpoint, type Endpoint } from '../../../operators/rpc/select-endpoint.js';
import { incomingCall } from '../../helpers/incoming.js';

const SelectEndpoint = suite('selectEndpoint');
const select = (endpoints: Endpoint[], request: Parameters<typeof incomingCall>[0], policy = {}) =>
  firstValueFrom(of(incomingCall(request)).pipe(selectEndpoint(endpoints, policy)));

const base = { ping: () => 'base', _secret: () => 'secret' };
const v2 = { target: { version: '2.3' }, ping: () => 'v2', resize: () => 'resized' };
const ns = { target: { namespace: 'admin', version: '1.1', legacyNamespaces: ['old'] }, ping: () => 'admin' };

SelectEndpoint('should pick the first endpoint, in order, that serves namespace, version and method', async () => {
  assert.is((await select([base, v2, ns], { method: 'ping' })).endpoint, 0);
  assert.is((await select([base, v2, ns], { method: 'ping', version: '2.1' })).endpoint, 1);
  assert.is((await select([base, v2, ns], { method: 'ping', namespace: 'admin' })).endpoint, 2);
  assert.is((await select([base, v2, ns], { method: 'ping', namespace: 'old' })).endpoint, 2, 'legacy namespaces are accepted');
});

SelectEndpoint("should never pick an endpoint's reserved _rxm_ method, even under the legacy policy", async () => {
  const endpoint = { _rxm_cancel: () => 'taken', ping: () => 'pong' };
  assert.instance((await select([endpoint], { method: '_rxm_cancel' }, { accessPolicy: legacyAccessPolicy })).error, NoSuchMethod);
  assert.is((await select([endpoint], { method: 'ping' }, { accessPolicy: legacyAccessPolicy })).endpoint, 0);
});

SelectEndpoint('should apply version compatibility: same major, minor not above', async () => {
  assert.is((await select([v2], { method: 'ping', version: '2.3' })).endpoint, 0);
  assert.instance((await select([v2], { method: 'ping', version: '2.4' })).error, UnsupportedVersion);
  assert.instance((await select([v2], { method: 'ping', version: '1.0' })).error, UnsupportedVersion);
  assert.instance((await select([v2], { method: 'ping', version: '3.0' })).error, UnsupportedVersion);
});

SelectEndpoint('should say NoSuchMethod when namespace and version matched but no method did', async () => {
  const { error } = await select([base, v2], { method: 'reboot', version: '2.0' });
  assert.instance(error, NoSuchMethod);
  assert.is((error as NoSuchMethod).method, 'reboot');
});

SelectEndpoint('should say UnsupportedVersion naming version and method when no namespace or version matched', async () => {
  const { error } = await select([base], { method: 'ping', namespace: 'nobody' });
  assert.instance(error, UnsupportedVersion);
  assert.is((error as UnsupportedVersion).version, '1.0');
  assert.is((error as UnsupportedVersion).method, 'ping');
});

SelectEndpoint('should hide _-prefixed methods, target and inherited Object methods by default', async () => {
  assert.instance((await select([base], { method: '_secret' })).error, NoSuchMethod);
  assert.instance((await select([base], { method: 'toString' })).error, NoSuchMethod);
  assert.instance((await select([v2], { method: 'target', version: '2.0' })).error, NoSuchMethod);
  assert.is((await select([base], { method: '_secret' }, { accessPolicy: legacyAccessPolicy })).endpoint, 0);
});

SelectEndpoint('should allow only exposed handlers under the explicit policy', async () => {
  const endpoint = { open: expose(() => 'open'), hidden: () => 'hidden' };
  assert.is((await select([endpoint], { method: 'open' }, { accessPolicy: explicitAccessPolicy })).endpoint, 0);
  assert.instance((await select([endpoint], { method: 'hidden' }, { accessPolicy: explicitAccessPolicy })).error, NoSuchMethod);
});

SelectEndpoint('should reject an endpoint whose target is malformed', () => {
  assert.throws(() => selectEndpoint([{ target: 'v2' } as unknown as Endpoint]), /endpoint 0: 'target' must be an object/);
  assert.throws(() => selectEndpoint([{ target: { version: 'two' } }]), /endpoint 0: target version "two"/);
  assert.throws(() => selectEndpoint([null as unknown as Endpoint]), /endpoint 0 must be an object/);
});

SelectEndpoint.run();
