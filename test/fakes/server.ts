import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { testCertificate } from './tls.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** True once the client hung up before the whole answer was sent (a timeout or an abort on its side). */
  abandoned?: boolean;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** A streaming endpoint: the headers are sent, then this writes to the open response (and ends it, or not). */
  stream?: (res: ServerResponse) => void;
}

/** A WebSocket endpoint: given the upgrade request (with its query) to accept or refuse. */
export type UpgradeHandler = (request: RecordedRequest, raw: IncomingMessage, socket: Duplex, head: Buffer) => void;

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

/** Faults a test can queue: each applies to one matching request, in order. */
export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'malformed' }
  | { kind: 'truncated' }
  | { kind: 'reset' }
  | { kind: 'stall'; ms: number }
  | { kind: 'delay'; ms: number }
  /** Answer only once `until` settles (e.g. when the test has seen what it waits for). */
  | { kind: 'hold'; until: Promise<unknown> }
  /** Send the headers, then the body one byte every `everyMs` (a socket idle timer never fires). */
  | { kind: 'trickle'; everyMs: number };

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** A route a test declared it must call before the next verify. */
interface Expectation {
  method: string;
  pattern: RegExp;
  called: boolean;
}

/**
 * A fake platform API on 127.0.0.1 (port 0, HTTP or HTTPS): routes, a record of every request,
 * injectable faults, and `verify()`, which fails the test on any request no route answered and on any
 * route the test said must be called and was not (like gh's httpmock `Verify(t)`). Every running server
 * is verified after each test (test/setup/fake-servers.ts) and when it stops.
 */
export class FakeServer {
  /** Servers started and not yet stopped, for the after-each check. */
  static readonly running = new Set<FakeServer>();

  /** Verify every running server; one error naming all that failed. */
  static verifyAll(): void {
    const problems: string[] = [];
    for (const server of FakeServer.running) {
      try {
        server.verify();
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }

  readonly requests: RecordedRequest[] = [];
  readonly unexpected: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly upgrades: { pattern: RegExp; handler: UpgradeHandler }[] = [];
  private readonly expectations: Expectation[] = [];
  /** Requests already reported by verify, so each is reported once. */
  private reported = 0;
  private readonly faults: { pattern: RegExp | null; fault: Fault }[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  url = '';

  constructor(private readonly tls: boolean) {}

  route(method: string, pattern: RegExp, handler: Handler): this {
    this.routes.push({ method, pattern, handler });
    return this;
  }

  /** Accept WebSocket upgrades on this path; an upgrade no route answers is refused and fails the test. */
  upgrade(pattern: RegExp, handler: UpgradeHandler): this {
    this.upgrades.push({ pattern, handler });
    return this;
  }

  /** Declare that a request to this route must arrive before the next `verify()` (the route must exist). */
  expectCalled(method: string, pattern: RegExp): this {
    this.expectations.push({ method, pattern, called: false });
    return this;
  }

  /**
   * Throw when a request reached no route, or a route declared with `expectCalled` was not called, since
   * the last verify; then start afresh (a server shared by several tests is checked per test).
   */
  verify(): void {
    const unrouted = this.unexpected.slice(this.reported);
    this.reported = this.unexpected.length;
    const uncalled = this.expectations.filter((e) => !e.called);
    this.expectations.length = 0;
    const problems = [
      ...unrouted.map((r) => `no fake route answers ${r.method} ${r.path}${r.query.toString() ? `?${r.query}` : ''}`),
      ...uncalled.map((e) => `expected a call to ${e.method} ${e.pattern}, none came`),
    ];
    if (problems.length > 0) throw new Error(`fake server ${this.url}: ${problems.join('; ')}`);
  }

  /** Queue a fault for the next request whose path matches (any request when no pattern). */
  inject(fault: Fault, pattern: RegExp | null = null): this {
    this.faults.push({ pattern, fault });
    return this;
  }

  requestsTo(pattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => pattern.test(r.path));
  }

  async start(): Promise<this> {
    const listener = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    if (this.tls) {
      const { key, cert } = await testCertificate();
      this.server = createHttpsServer({ key, cert }, listener);
    } else {
      this.server = createHttpServer(listener);
    }
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = { method: 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: '' };
      this.requests.push(recorded);
      this.sockets.add(socket as Socket);
      socket.on('close', () => this.sockets.delete(socket as Socket));
      const route = this.upgrades.find((u) => u.pattern.test(recorded.path));
      if (!route) {
        this.unexpected.push(recorded);
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      route.handler(recorded, req, socket, head);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `${this.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    FakeServer.running.add(this);
    return this;
  }

  /** Close the server, then verify: a stop in afterEach/afterAll fails the test on what went wrong. */
  async stop(): Promise<void> {
    FakeServer.running.delete(this);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.verify();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.abandoned = true;
    });

    const faultIndex = this.faults.findIndex((f) => !f.pattern || f.pattern.test(recorded.path));
    if (faultIndex >= 0) {
      const fault = this.faults.splice(faultIndex, 1)[0]!.fault;
      switch (fault.kind) {
        case 'status':
          return send(res, { status: fault.status, body: fault.body ?? { title: 'Error', status: fault.status }, headers: fault.headers ?? {} });
        case 'malformed':
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end('{"data": [ {"id": "12');
        case 'truncated': {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
          res.write('{"data": [');
          setTimeout(() => req.socket.destroy(), 10);
          return;
        }
        case 'reset':
          req.socket.destroy();
          return;
        case 'trickle': {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
          const body = `{"meta":{"result_count":0},"padding":"${' '.repeat(99_960)}"}`;
          let sent = 0;
          const timer = setInterval(() => {
            if (res.destroyed || sent >= body.length) return clearInterval(timer);
            res.write(body[sent++]!);
          }, fault.everyMs);
          res.on('close', () => clearInterval(timer));
          return;
        }
        case 'hold':
          await fault.until.catch(() => undefined);
          break;
        case 'stall':
        case 'delay':
          // A stall outlasts the client's timeout; the answer still follows, as a slow server's would.
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          break;
      }
    }

    for (const expectation of this.expectations) {
      if (expectation.method === recorded.method && expectation.pattern.test(recorded.path)) expectation.called = true;
    }
    const route = this.routes.find((r) => r.method === recorded.method && r.pattern.test(recorded.path));
    if (!route) {
      this.unexpected.push(recorded);
      return send(res, { status: 404, body: { title: 'Not Found', detail: `no fake route for ${recorded.method} ${recorded.path}` } });
    }
    try {
      send(res, await route.handler(recorded));
    } catch (error) {
      send(res, { status: 500, body: { title: 'Fake server error', detail: String(error) } });
    }
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  if (reply.stream) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.flushHeaders();
    reply.stream(res);
    return;
  }
  const isText = typeof reply.body === 'string';
  const body = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status ?? 200, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...reply.headers,
  });
  res.end(body);
}

/** What every fake platform shares: one FakeServer, started, stopped and verified through it. */
export abstract class FakePlatform {
  readonly server: FakeServer;

  constructor(tls: boolean) {
    this.server = new FakeServer(tls);
  }

  get url(): string {
    return this.server.url;
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  /** Stops the server and verifies it: an unrouted request or a declared route never called fails the test. */
  stop(): Promise<void> {
    return this.server.stop();
  }
}
