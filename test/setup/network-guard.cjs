// Tests talk to fakes on the loopback only: a connection anywhere else (a real platform host named in a
// fixture, such as Facebook's paging.next or X's problem types, or a client's default base URL) fails at once
// instead of reaching, or waiting on, a network. Loaded by every test worker (fake-servers.ts) and, through
// NODE_OPTIONS, by every CLI process a test spawns (test/helpers/cli.ts cliEnv).
'use strict';
const { Socket } = require('node:net');

const LOOPBACK = new Set([undefined, null, '', 'localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1']);
const connect = Socket.prototype.connect;
Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const target = typeof first === 'object' && first !== null ? first : { host: typeof args[1] === 'string' ? args[1] : undefined };
  if (!target.path && !LOOPBACK.has(target.host)) {
    throw new Error(`a test tried to reach ${String(target.host)}: tests use fake servers on 127.0.0.1 only`);
  }
  return connect.apply(this, args);
};
