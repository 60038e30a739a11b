import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidNotificationFilter } from '../../../lib/core/errors.js';
import { notificationFilter, toNotificationFilter, type FilterSubject } from '../../../operators/notify/filter-notifications.js';

const Filter = suite('notificationFilter');

const subject: FilterSubject = {
  context: { user_id: 'u1', project_id: 'p-5f64', roles: ['admin'], is_admin: true },
  publisherId: 'compute.host-1',
  eventType: 'compute.instance.create.end',
  metadata: { message_id: '5f5127be-2f82-408c-a20f-88817eb4b14c', timestamp: '2026-11-22 05:25:21.387733' },
  payload: { state: 'active', host: 'host-1', vcpus: 2 },
};

Filter('should pass everything when the rule is empty', () => {
  assert.ok(notificationFilter({}).match(subject));
});

Filter('should match publisherId from the start of the value, as re.match does', () => {
  assert.ok(notificationFilter({ publisherId: 'compute' }).match(subject));
  assert.ok(notificationFilter({ publisherId: '^compute\\.host-\\d$' }).match(subject));
  assert.not.ok(notificationFilter({ publisherId: 'host-1' }).match(subject), 'a match in the middle does not count');
});

Filter('should match eventType, anchoring every alternative at the start', () => {
  assert.ok(notificationFilter({ eventType: 'compute\\.instance\\..*' }).match(subject));
  assert.ok(notificationFilter({ eventType: 'volume|compute' }).match(subject));
  assert.not.ok(notificationFilter({ eventType: 'volume|create' }).match(subject), "'create' appears only in the middle");
  assert.not.ok(notificationFilter({ eventType: 'compute\\.instance\\.delete' }).match(subject));
});

Filter('should match context keys, and fail on a missing key or a value that is not a string', () => {
  assert.ok(notificationFilter({ context: { user_id: '^u1$', project_id: 'p-' } }).match(subject));
  assert.not.ok(notificationFilter({ context: { user_id: '^u2$' } }).match(subject));
  assert.not.ok(notificationFilter({ context: { tenant_id: '.*' } }).match(subject), 'missing key');
  assert.not.ok(notificationFilter({ context: { roles: 'admin' } }).match(subject), 'a list is not a string');
  assert.not.ok(notificationFilter({ context: { is_admin: 'true' } }).match(subject), 'a boolean is not a string');
});

Filter('should match metadata message_id and timestamp', () => {
  assert.ok(notificationFilter({ metadata: { timestamp: '2026-11' } }).match(subject));
  assert.ok(notificationFilter({ metadata: { message_id: '5f5127be-' } }).match(subject));
  assert.not.ok(notificationFilter({ metadata: { timestamp: '2025' } }).match(subject));
});

Filter('should match payload keys, failing on a missing key, a non-string value or a payload that is no object', () => {
  assert.ok(notificationFilter({ payload: { state: '^active$' } }).match(subject));
  assert.not.ok(notificationFilter({ payload: { state: '^error$' } }).match(subject));
  assert.not.ok(notificationFilter({ payload: { flavor: '.*' } }).match(subject), 'missing key');
  assert.not.ok(notificationFilter({ payload: { vcpus: '2' } }).match(subject), 'a number is not a string');
  assert.not.ok(notificationFilter({ payload: { length: '.*' } }).match({ ...subject, payload: 'a string payload' }));
  assert.not.ok(notificationFilter({ payload: { state: '.*' } }).match({ ...subject, payload: null }));
});

Filter('should need every pattern of the rule to match', () => {
  const rule = { publisherId: '^compute', eventType: '^compute\\.instance', context: { user_id: 'u1' }, payload: { state: 'active' } };
  assert.ok(notificationFilter(rule).match(subject));
  assert.not.ok(notificationFilter({ ...rule, payload: { state: 'deleted' } }).match(subject));
  assert.not.ok(notificationFilter({ ...rule, publisherId: '^network' }).match(subject));
});

Filter('should take RegExp values with their flags, still anchored at the start', () => {
  assert.ok(notificationFilter({ eventType: /COMPUTE\./i }).match(subject));
  assert.not.ok(notificationFilter({ eventType: /instance/ }).match(subject));
  const global = notificationFilter({ publisherId: /compute/g });
  assert.ok(global.match(subject) && global.match(subject), 'a global flag keeps no state between matches');
});

Filter('should refuse an invalid pattern with InvalidNotificationFilter naming the field', () => {
  const error = (() => {
    try {
      notificationFilter({ payload: { state: '(' } });
    } catch (e) {
      return e as InvalidNotificationFilter;
    }
    return undefined;
  })();
  assert.instance(error, InvalidNotificationFilter);
  assert.is(error?.field, 'payload.state');
  assert.is(error?.pattern, '(');
  assert.instance(error?.cause, SyntaxError);
});

Filter('should take a compiled filter or a rule', () => {
  const compiled = notificationFilter({ eventType: 'compute' });
  assert.is(toNotificationFilter(compiled), compiled);
  assert.ok(toNotificationFilter({ eventType: 'compute' }).match(subject));
});

Filter.run();
