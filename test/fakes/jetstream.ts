import { WebSocketServer, type WebSocket } from 'ws';
import { jetstreamNoise } from '../fixtures/documented.js';
import type { FakeBluesky, FakePost } from './bluesky.js';
import { FakePlatform, type RecordedRequest } from './server.js';

/**
 * Bluesky's Jetstream over WebSocket on 127.0.0.1 (`/subscribe`): JSON events with `time_us` cursors
 * (unix microseconds), `wantedCollections` honoured for commits, `cursor` replaying from that time, account
 * and identity events sent to everyone (the README's examples, test/fixtures/bluesky). Posts come from a
 * FakeBluesky, so the AppView's search and profiles know the same posts and authors.
 */
export class FakeJetstream extends FakePlatform {
  /** Every event sent, in order (a cursor replays from here). */
  readonly events: { time_us: number; json: string; collection: string | null }[] = [];
  private readonly sockets = new Map<WebSocket, string[]>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private clock = Date.now() * 1000;
  /** While true, nothing is sent on open connections (a stalled socket). */
  stalled = false;

  constructor(private readonly appView: FakeBluesky) {
    super(false);
    this.server.upgrade(/^\/subscribe$/, (request, raw, socket, head) => this.subscribe(request, raw, socket, head));
  }

  get subscriptions(): RecordedRequest[] {
    return this.server.requestsTo(/^\/subscribe$/);
  }

  get open(): number {
    return this.sockets.size;
  }

  private tick(): number {
    this.clock = Math.max(this.clock + 1, Date.now() * 1000);
    return this.clock;
  }

  private subscribe(request: RecordedRequest, raw: Parameters<WebSocketServer['handleUpgrade']>[0], socket: Parameters<WebSocketServer['handleUpgrade']>[1], head: Buffer): void {
    const wanted = request.query.getAll('wantedCollections');
    const cursor = request.query.get('cursor');
    this.wss.handleUpgrade(raw, socket, head, (ws) => {
      this.sockets.set(ws, wanted);
      ws.on('close', () => this.sockets.delete(ws));
      // A cursor in the past replays from it; none (or one in the future) is live tail.
      if (cursor !== null) for (const e of this.events) if (e.time_us >= Number(cursor) && this.accepts(wanted, e.collection)) ws.send(e.json);
    });
  }

  private accepts(wanted: string[], collection: string | null): boolean {
    return collection === null || wanted.length === 0 || wanted.includes(collection);
  }

  private emit(event: Record<string, unknown>, collection: string | null): number {
    const time = typeof event.time_us === 'number' ? event.time_us : this.clock;
    const json = JSON.stringify(event);
    this.events.push({ time_us: time, json, collection });
    if (!this.stalled) for (const [ws, wanted] of this.sockets) if (this.accepts(wanted, collection)) ws.send(json);
    return time;
  }

  /** A post appears on the network: the AppView holds it and Jetstream sends its commit (with the README's other events around it). */
  post(text: string, options: Parameters<FakeBluesky['addPost']>[1] = {}): FakePost {
    const post = this.appView.addPost(text, options);
    this.publish(post);
    return post;
  }

  /** Send a stored post's create commit, after some events that are no post of anyone's. */
  publish(post: FakePost): number {
    for (const noise of jetstreamNoise(this.tick())) {
      const commit = noise.commit as { collection?: string } | undefined;
      this.emit(noise, commit?.collection ?? null);
    }
    const did = post.uri.split('/')[2]!;
    const rkey = post.uri.split('/').pop()!;
    return this.emit(
      { did, time_us: this.tick(), kind: 'commit', commit: { rev: rkey, operation: 'create', collection: 'app.bsky.feed.post', rkey, record: post.record, cid: post.cid } },
      'app.bsky.feed.post',
    );
  }

  /** The rest of the network: `count` post commits by strangers that name no brand (what Jetstream mostly carries). */
  firehose(count: number): void {
    for (let i = 0; i < count; i++) {
      const n = this.events.length;
      const time = this.tick();
      this.emit(
        {
          did: `did:plc:stranger${n % 997}`,
          time_us: time,
          kind: 'commit',
          commit: { rev: `r${n}`, operation: 'create', collection: 'app.bsky.feed.post', rkey: `k${n}`, record: { $type: 'app.bsky.feed.post', text: `just an ordinary post number ${n} about the weather`, createdAt: new Date(time / 1000).toISOString(), langs: ['en'] }, cid: `bafy${n}` },
        },
        'app.bsky.feed.post',
      );
    }
    // Replay would hold every event for ever: keep the newest only.
    if (this.events.length > 50_000) this.events.splice(0, this.events.length - 50_000);
  }

  /** Cut every open connection (a network drop). */
  drop(): void {
    for (const ws of this.sockets.keys()) ws.terminate();
  }

  override async stop(): Promise<void> {
    for (const ws of this.sockets.keys()) ws.terminate();
    this.wss.close();
    await super.stop();
  }
}
