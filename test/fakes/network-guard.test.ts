import { connect } from 'node:net';
import { expect, it } from 'vitest';

it('refuses a connection to any host but the loopback', () => {
  expect(() => connect({ host: 'graph.facebook.com', port: 443 })).toThrow(/tried to reach graph\.facebook\.com: tests use fake servers on 127\.0\.0\.1 only/);
  expect(() => connect(443, 'api.twitter.com')).toThrow(/tried to reach api\.twitter\.com/);
  const local = connect({ host: '127.0.0.1', port: 9 });
  local.on('error', () => {});
  local.destroy();
});
