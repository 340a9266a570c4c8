import { facebookComments, facebookFeed } from '../fixtures/documented.js';
import { FakePlatform, type RecordedRequest, type Reply } from './server.js';

export interface FakeFbUser {
  id: string;
  name: string;
}

export interface FakeFbComment {
  id: string;
  postId: string;
  parentId?: string;
  from: FakeFbUser;
  message: string;
  created: number;
  likes: number;
}

export interface FakeFbPost {
  id: string;
  from: FakeFbUser;
  message: string;
  created: number;
  updated: number;
  comments: FakeFbComment[];
}

/** `2026-07-05T15:12:00+0000`, as the Graph API writes times. */
export function graphTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/**
 * A Facebook Page on a fake Graph API (v25.0, plain HTTP on 127.0.0.1): the Page's feed with comment
 * summaries, comments (filter=stream, reverse_chronological), cursor paging whose `next` carries the
 * token like the real one, replies, and Graph errors.
 */
export class FakeFacebook extends FakePlatform {
  readonly page: FakeFbUser = { id: '1001', name: 'Acme' };
  readonly posts: FakeFbPost[] = [];
  private seq = 1;

  /** Answer the next feed read and the next comments read with the Graph-shaped fixtures (test/fixtures/facebook), dated `at`. */
  serveDocumented(at = Date.now()): this {
    this.server.inject({ kind: 'status', status: 200, body: facebookFeed(at), headers: this.usage() }, /\/feed$/);
    this.server.inject({ kind: 'status', status: 200, body: facebookComments(at), headers: this.usage() }, /\/comments$/);
    return this;
  }

  constructor(readonly token = 'test-page-token') {
    super(false);
    const v = '/v25\\.0';
    this.server.route('GET', new RegExp(`^${v}/${this.page.id}/feed$`), (r) => this.feed(r));
    this.server.route('GET', new RegExp(`^${v}/[0-9_]+/comments$`), (r) => this.comments(r));
    this.server.route('POST', new RegExp(`^${v}/[0-9_]+/comments$`), (r) => this.reply(r));
    this.server.route('GET', new RegExp(`^${v}/${this.page.id}$`), (r) => this.authorised(r) ?? { headers: this.usage(), body: { id: this.page.id, name: this.page.name } });
  }

  requestsTo(pattern: RegExp): RecordedRequest[] {
    return this.server.requestsTo(pattern);
  }

  user(n: number): FakeFbUser {
    return { id: String(5000 + n), name: `Customer ${n}` };
  }

  addPost(message: string, options: { from?: FakeFbUser; at?: number } = {}): FakeFbPost {
    const at = options.at ?? Date.now() - 3_600_000;
    const post: FakeFbPost = { id: `${this.page.id}_${this.seq++}`, from: options.from ?? this.page, message, created: at, updated: at, comments: [] };
    this.posts.push(post);
    return post;
  }

  addComment(target: FakeFbPost | FakeFbComment, message: string, options: { from?: FakeFbUser; at?: number } = {}): FakeFbComment {
    const post = 'postId' in target ? this.posts.find((p) => p.id === target.postId)! : target;
    const at = options.at ?? Date.now() - 1000;
    const comment: FakeFbComment = {
      id: `${post.id.split('_')[1]}_${this.seq++}`,
      postId: post.id,
      ...('postId' in target ? { parentId: target.id } : {}),
      from: options.from ?? this.user(this.seq % 7),
      message,
      created: at,
      likes: this.seq % 4,
    };
    post.comments.push(comment);
    post.updated = Math.max(post.updated, at);
    return comment;
  }

  /** `count` comments on `post`, a second apart, ending a few seconds ago. */
  addComments(post: FakeFbPost, count: number, word = 'acme'): FakeFbComment[] {
    const now = Date.now() - 5000;
    return Array.from({ length: count }, (_, i) => this.addComment(post, `Comment ${i} about ${word}`, { at: now - (count - i) * 1000 }));
  }

  private authorised(request: RecordedRequest): Reply | null {
    if (request.headers.authorization === `Bearer ${this.token}`) return null;
    return {
      status: 400,
      body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'AbCdEf' } },
    };
  }

  private usage(): Record<string, string> {
    return { 'x-app-usage': JSON.stringify({ call_count: 12, total_cputime: 3, total_time: 5 }) };
  }

  private paging<T>(request: RecordedRequest, items: T[], encode: (item: T) => unknown): Reply {
    const limit = Math.min(Number(request.query.get('limit') ?? '25'), 100);
    const after = request.query.get('after');
    const offset = after ? Number(Buffer.from(after, 'base64').toString()) : 0;
    const slice = items.slice(offset, offset + limit);
    const body: Record<string, unknown> = { data: slice.map(encode) };
    if (slice.length > 0) {
      const cursors = { before: Buffer.from(String(offset)).toString('base64'), after: Buffer.from(String(offset + slice.length)).toString('base64') };
      const paging: Record<string, unknown> = { cursors };
      if (offset + slice.length < items.length) {
        const next = new URLSearchParams(request.query);
        next.set('after', cursors.after);
        next.set('access_token', this.token);
        paging.next = `https://graph.facebook.com/v25.0${request.path}?${next}`;
      }
      body.paging = paging;
    }
    return { status: 200, headers: this.usage(), body };
  }

  private feed(request: RecordedRequest): Reply {
    const denied = this.authorised(request);
    if (denied) return denied;
    const since = request.query.get('since');
    const fields = request.query.get('fields') ?? 'id,message,created_time';
    const posts = this.posts.filter((p) => !since || p.created >= Number(since) * 1000).sort((a, b) => b.created - a.created);
    return this.paging(request, posts, (p) => ({
      id: p.id,
      message: p.message,
      created_time: graphTime(p.created),
      ...(fields.includes('updated_time') ? { updated_time: graphTime(p.updated) } : {}),
      ...(fields.includes('permalink_url') ? { permalink_url: `https://www.facebook.com/${p.id.replace('_', '/posts/')}` } : {}),
      ...(fields.includes('from') ? { from: p.from } : {}),
      ...(fields.includes('comments')
        ? { comments: { data: [], summary: { order: 'ranked', total_count: fields.includes('filter(stream)') ? p.comments.length : p.comments.filter((c) => !c.parentId).length, can_comment: true } } }
        : {}),
    }));
  }

  private findComments(objectId: string): { post: FakeFbPost; comments: FakeFbComment[] } | null {
    const post = this.posts.find((p) => p.id === objectId);
    if (post) return { post, comments: post.comments };
    for (const p of this.posts) {
      const comment = p.comments.find((c) => c.id === objectId);
      if (comment) return { post: p, comments: p.comments.filter((c) => c.parentId === comment.id) };
    }
    return null;
  }

  private comments(request: RecordedRequest): Reply {
    const denied = this.authorised(request);
    if (denied) return denied;
    const objectId = request.path.split('/')[2]!;
    const found = this.findComments(objectId);
    if (!found) return { status: 400, body: { error: { message: `Unsupported get request. Object with ID '${objectId}' does not exist`, type: 'GraphMethodException', code: 100, error_subcode: 33 } } };
    const stream = request.query.get('filter') === 'stream';
    const list = (stream ? found.comments : found.comments.filter((c) => !c.parentId)).slice();
    list.sort((a, b) => (request.query.get('order') === 'reverse_chronological' ? b.created - a.created : a.created - b.created));
    return this.paging(request, list, (c) => ({
      id: c.id,
      message: c.message,
      created_time: graphTime(c.created),
      from: c.from,
      ...(c.parentId ? { parent: { id: c.parentId, created_time: graphTime(c.created), message: '…', from: this.page } } : {}),
      like_count: c.likes,
      comment_count: found.post.comments.filter((r) => r.parentId === c.id).length,
      permalink_url: `https://www.facebook.com/${found.post.id.replace('_', '/posts/')}?comment_id=${c.id.split('_')[1]}`,
    }));
  }

  private reply(request: RecordedRequest): Reply {
    const denied = this.authorised(request);
    if (denied) return denied;
    const objectId = request.path.split('/')[2]!;
    const message = new URLSearchParams(request.body).get('message');
    if (!message) return { status: 400, body: { error: { message: '(#100) Missing message or attachment', type: 'OAuthException', code: 100 } } };
    const post = this.posts.find((p) => p.id === objectId);
    const target = post ?? this.posts.flatMap((p) => p.comments).find((c) => c.id === objectId);
    if (!target) return { status: 400, body: { error: { message: 'Unsupported post request.', type: 'GraphMethodException', code: 100 } } };
    const comment = this.addComment(target, message, { from: this.page, at: Date.now() });
    return { status: 200, body: { id: comment.id } };
  }
}
