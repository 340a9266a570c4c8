// The bench's data generator: seeded, and shaped like real traffic (distinct texts, threads, late arrivals).
import { describe, expect, it } from 'vitest';
import { generateMentions, pollPages, ID_BASE, DAY, type GeneratedRow } from '../../bench/data.js';

const END = Date.parse('2026-11-23T00:00:00Z');
const START = END - 364 * DAY;

function rows(seed: number, count: number, extra: { idBase?: bigint; earlier?: GeneratedRow[] } = {}): GeneratedRow[] {
  const out: GeneratedRow[] = [];
  generateMentions({ seed, count, start: START, end: END, ...extra }, (row) => out.push(row));
  return out;
}

describe('bench data', () => {
  const sample = rows(7, 20_000);

  it('is the same for the same seed and different for another', () => {
    expect(JSON.stringify(rows(7, 500))).toBe(JSON.stringify(rows(7, 500)));
    expect(rows(8, 500).map((r) => r.text)).not.toEqual(rows(7, 500).map((r) => r.text));
  });

  it('has mostly distinct texts, not a few templates', () => {
    expect(new Set(sample.map((r) => r.text)).size).toBeGreaterThan(sample.length * 0.4);
  });

  it('keeps external ids unique per platform', () => {
    expect(new Set(sample.map((r) => `${r.platform}:${r.external_id}`)).size).toBe(sample.length);
  });

  it('threads replies under earlier mentions of the same platform, after them', () => {
    const byId = new Map(sample.map((r, i) => [`${r.platform}:${r.external_id}`, { row: r, index: i }]));
    const replies = sample.filter((r) => r.in_reply_to !== null);
    expect(replies.length).toBeGreaterThan(sample.length * 0.15);
    let followUps = 0;
    for (const reply of replies) {
      const parent = byId.get(`${reply.platform}:${reply.in_reply_to}`);
      expect(parent).toBeDefined();
      expect(reply.created_at).toBeGreaterThan(parent!.row.created_at);
      expect(reply.conversation_id).toBe(parent!.row.conversation_id);
      if (reply.author_handle === parent!.row.author_handle) followUps++;
    }
    expect(followUps).toBeGreaterThan(replies.length * 0.3);
  });

  it('delivers some rows out of time order', () => {
    const late = sample.filter((r, i) => i > 0 && r.created_at < sample[i - 1]!.created_at - 3_600_000).length;
    expect(late).toBeGreaterThan(sample.length * 0.01);
  });

  it('puts the brand’s native replies on the page of the mention they answer, sent before the end', () => {
    const pages = pollPages({ seed: 7, count: 5000, start: START, end: END, pageSize: 100 });
    expect(pages).toHaveLength(50);
    const replies = pages.flatMap((p) => p.ownReplies.map((r) => ({ r, ids: new Set(p.mentions.map((m) => m.externalId)) })));
    expect(replies.length).toBeGreaterThan(500);
    for (const { r, ids } of replies) {
      expect(ids.has(r.inReplyTo)).toBe(true);
      expect(r.createdAt).toBeLessThan(END);
    }
  });

  it('lets a later batch answer a backlog without reusing its ids', () => {
    const backlog = sample.slice(-3000);
    const later = rows(9, 500, { idBase: ID_BASE + 10n ** 15n, earlier: backlog });
    const old = new Set(backlog.map((r) => r.external_id));
    expect(later.some((r) => old.has(r.external_id))).toBe(false);
    expect(later.filter((r) => r.in_reply_to !== null && old.has(r.in_reply_to)).length).toBeGreaterThan(20);
  });
});
