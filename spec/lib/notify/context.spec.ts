import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sanitizeContext } from '../../../lib/notify/context.js';

const Sanitize = suite('sanitizeContext');

Sanitize("should keep oslo's safe keys and drop tokens and everything else", () => {
  const context = {
    user_id: 'u1',
    project_id: 'p1',
    domain_id: 'd1',
    request_id: 'req-1',
    global_request_id: 'req-g',
    roles: ['member'],
    system_scope: 'all',
    is_admin: false,
    user_name: 'alice',
    service_roles: ['service'],
    user: 'u1',
    auth_token: 'gAAAA-secret',
    service_token: 'gAAAA-other',
    auth_token_info: { token: {} },
    password: 'x',
    read_only: false,
  };
  assert.equal(sanitizeContext(context), {
    user_id: 'u1',
    project_id: 'p1',
    domain_id: 'd1',
    request_id: 'req-1',
    global_request_id: 'req-g',
    roles: ['member'],
    system_scope: 'all',
    is_admin: false,
    user_name: 'alice',
    service_roles: ['service'],
    user: 'u1',
  });
});

Sanitize('should give an empty context for none', () => {
  assert.equal(sanitizeContext(undefined), {});
  assert.equal(sanitizeContext({}), {});
});

Sanitize.run();
