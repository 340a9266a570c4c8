import { afterEach } from 'vitest';
import { FakeServer } from '../fakes/server.js';

// A request no fake route answered, or a declared route never called, fails the test that caused it.
afterEach(() => {
  FakeServer.verifyAll();
});
