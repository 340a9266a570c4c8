import { afterEach, describe, expect, it } from 'vitest';
import { FakeServer } from './server.js';

let server: FakeServer;

afterEach(async () => {
  await server.stop();
});

describe('the fake-server harness', () => {
  it('fails verify on a request no route answers, once, naming it', async () => {
    server = await new FakeServer(false).route('GET', /^\/known$/, () => ({ body: { ok: true } })).start();
    expect((await fetch(`${server.url}/known`)).status).toBe(200);
    expect((await fetch(`${server.url}/unknown?q=1`)).status).toBe(404);
    expect(() => server.verify()).toThrow(/no fake route answers GET \/unknown\?q=1/);
    expect(() => server.verify()).not.toThrow();
  });

  it('fails verify on a route the test said must be called and was not', async () => {
    server = await new FakeServer(false)
      .route('GET', /^\/a$/, () => ({ body: {} }))
      .route('POST', /^\/b$/, () => ({ body: {} }))
      .start();
    server.expectCalled('GET', /^\/a$/).expectCalled('POST', /^\/b$/);
    await fetch(`${server.url}/a`);
    expect(() => server.verify()).toThrow(/expected a call to POST \/\^\\\/b\$\/, none came/);
    server.expectCalled('GET', /^\/a$/);
    await fetch(`${server.url}/a`);
    expect(() => server.verify()).not.toThrow();
  });

  it('lists every running server for the after-each check, and forgets a stopped one', async () => {
    server = await new FakeServer(false).start();
    expect(FakeServer.running.has(server)).toBe(true);
    await fetch(`${server.url}/nowhere`);
    expect(() => FakeServer.verifyAll()).toThrow(/no fake route answers GET \/nowhere/);
    const other = await new FakeServer(false).start();
    await other.stop();
    expect(FakeServer.running.has(other)).toBe(false);
  });
});
