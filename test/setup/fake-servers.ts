import { Socket } from 'node:net';
import { afterEach } from 'vitest';
import { FakeServer } from '../fakes/server.js';

// A request no fake route answered, or a declared route never called, fails the test that caused it.
afterEach(() => {
  FakeServer.verifyAll();
});

// Tests talk to fakes on the loopback only: a connection anywhere else (a real platform host named in a
// fixture, a client's default base URL) fails at once instead of waiting on a network that is not there.
const LOOPBACK = new Set([undefined, null, '', 'localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1']);
const connect = Socket.prototype.connect as (...args: unknown[]) => Socket;
Socket.prototype.connect = function guardedConnect(this: Socket, ...args: unknown[]): Socket {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  const target = typeof first === 'object' && first !== null ? (first as { host?: string | null; path?: string }) : { host: typeof args[1] === 'string' ? args[1] : undefined };
  if (!('path' in target && target.path) && !LOOPBACK.has(target.host)) {
    throw new Error(`a test tried to reach ${String(target.host)}: tests use fake servers on 127.0.0.1 only`);
  }
  return connect.apply(this, args);
} as typeof Socket.prototype.connect;
