// Connections anywhere but the loopback fail (the same guard every spawned CLI loads).
import './network-guard.cjs';
import { afterEach } from 'vitest';
import { FakeServer } from '../fakes/server.js';

// A request no fake route answered, or a declared route never called, fails the test that caused it.
afterEach(() => {
  FakeServer.verifyAll();
});
