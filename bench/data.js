// Seeded, realistic mention data for the bench: platform mix, a daily rhythm, heavy-tailed reach,
// category-shaped text and log-normal response times. The same seed always gives the same rows.

// The product's own seeded generator (src/random.ts), from the build `npm run bench` makes first.
import { seededRandom as random } from '../dist/random.js';
export { random };

function pick(rand, items) {
  return items[Math.floor(rand() * items.length)];
}

function weighted(rand, table) {
  let r = rand() * table.reduce((n, [, w]) => n + w, 0);
  for (const [value, w] of table) {
    r -= w;
    if (r <= 0) return value;
  }
  return table.at(-1)[0];
}

/** Standard normal via Box–Muller. */
function normal(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const PLATFORMS = [
  ['twitter', 52],
  ['facebook', 14],
  ['bluesky', 9],
  ['mastodon', 7],
  ['reddit', 8],
  ['hackernews', 3],
  ['rss', 7],
];

const CATEGORIES = [
  ['question', 24],
  ['complaint', 18],
  ['problem', 12],
  ['feedback', 14],
  ['praise', 16],
  ['promo', 6],
  ['other', 10],
];

const TEXTS = {
  question: [
    'hey @acme_help does the {product} work with {thing}? asking before I buy',
    'anyone know if acme ships {product} to {place}? the site is not clear',
    '@acme_help how do I reset my {product}, the manual says nothing',
    'is the acme {product} sale still on this weekend?',
  ],
  complaint: [
    'third time my acme {product} arrived broken. {days} days waiting for a refund @acme_help',
    'acme support kept me on hold for {minutes} minutes and then hung up. never again',
    'ordered a {product} from acme on {day}, still nothing. tracking says {place}',
    '@acme_help your app logged me out again and now my order history is gone',
  ],
  problem: [
    'acme website down? checkout fails with error {code} #acmefail',
    '@acme_help the {product} firmware update bricked it, light blinks red',
    'is acme having an outage? app shows a blank screen in {place}',
    'acme payments failing for everyone in {place} right now?',
  ],
  feedback: [
    'would love it if acme made the {product} in {colour}',
    'acme {product} is good but the charger is way too short',
    'suggestion for @acme_help: let us pick delivery slots like {other} does',
  ],
  praise: [
    'shout out to @acme_help for sorting my {product} in {minutes} minutes!',
    'new acme {product} is brilliant, best purchase this year',
    'acme customer service is actually great, replaced my {product} no questions asked',
  ],
  promo: [
    'any acme discount codes for the {product}? #deals',
    'does acme do student discount on the {product}?',
  ],
  other: [
    'saw an acme van in {place} today lol',
    'my cat sleeps in the acme {product} box and ignores the bed',
    'acme ad on tv again, that jingle is stuck in my head',
  ],
};

const FILL = {
  product: ['anvil', 'rocket skates', 'kettle', 'router', 'smart plug', 'e-bike', 'headphones', 'vacuum', 'tent', 'blender'],
  thing: ['my iPhone', 'Alexa', 'a 110V socket', 'Windows 11', 'the old model'],
  place: ['Leeds', 'Berlin', 'Austin', 'Lyon', 'the depot', 'Cork', 'Osaka', 'São Paulo'],
  days: ['3', '5', '9', '12', '21'],
  minutes: ['5', '12', '40', '55', '90'],
  day: ['Monday', 'Tuesday', 'the 3rd', 'Black Friday'],
  code: ['500', 'E42', '0x80070005', 'PAY-17'],
  colour: ['green', 'matte black', 'orange'],
  other: ['Amazon', 'Ocado', 'IKEA'],
};

/** A pool of realistic texts (emoji and accents included), so big data sets do not pay for templating. */
function textPool(rand, size) {
  const pool = {};
  for (const [category] of CATEGORIES) {
    pool[category] = Array.from({ length: size }, () => {
      let text = pick(rand, TEXTS[category]).replace(/\{(\w+)\}/g, (_, key) => pick(rand, FILL[key]));
      if (rand() < 0.2) text += pick(rand, [' 😡', ' 🙏', ' 🔥', ' 😂', ' 👍']);
      if (rand() < 0.15) text += ` https://example.com/p/${Math.floor(rand() * 1e6)}`;
      if (rand() < 0.1) text += ' ' + 'more detail about it. '.repeat(1 + Math.floor(rand() * 6));
      return text;
    });
  }
  return pool;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Hour-of-day weights (UTC): quiet nights, busy evenings. */
const DIURNAL = [2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 7, 7, 8, 9, 10, 10, 9, 7, 5, 3];
const DIURNAL_TOTAL = DIURNAL.reduce((a, b) => a + b, 0);

/**
 * Generate `count` mentions spread over [start, end), oldest first, calling `emit(row)` for each.
 * Rows carry the mentions columns plus `response` (the first response's sent_at) or null.
 */
export function generateMentions({ seed, count, start, end, platforms = PLATFORMS }, emit) {
  const rand = random(seed);
  const pool = textPool(rand, 400);
  const authors = Array.from({ length: Math.min(200_000, Math.max(1000, Math.floor(count / 8))) }, (_, i) => {
    const followers = Math.floor(Math.exp(4 + 1.9 * normal(rand)));
    return { handle: `user_${i.toString(36)}_${Math.floor(rand() * 1e4)}`, name: `User ${i}`, id: String(10_000_000 + i), followers };
  });
  const nextId = new Map(platforms.map(([p]) => [p, 1_861_234_567_890_123_456n]));
  const span = end - start;
  const days = Math.max(1, Math.round(span / DAY));
  for (let i = 0; i < count; i++) {
    // Time: the i-th slot of the span, placed in its day by the daily rhythm (keeps rows in time order).
    const fraction = i / count;
    const day = Math.floor(fraction * days);
    const within = (fraction * days - day) * DIURNAL_TOTAL;
    let hour = 0;
    for (let acc = 0; hour < 23 && acc + DIURNAL[hour] <= within; hour++) acc += DIURNAL[hour];
    const createdAt = Math.min(end - 1, start + day * DAY + hour * HOUR + Math.floor(rand() * HOUR));
    const platform = weighted(rand, platforms);
    const category = weighted(rand, CATEGORIES);
    const author = authors[Math.floor(authors.length * Math.pow(rand(), 2))];
    const id = nextId.get(platform) + BigInt(1000 + Math.floor(rand() * 5000));
    nextId.set(platform, id);
    const lag = Math.floor(30_000 + rand() * 5 * 60_000);
    const needsAnswer = category !== 'praise' && category !== 'other' ? 0.72 : 0.25;
    const answered = rand() < needsAnswer;
    // First response: log-normal around 40 minutes, long tail into days.
    const frt = answered ? Math.max(lag + 60_000, Math.floor(Math.exp(Math.log(40 * 60_000) + 1.4 * normal(rand)))) : null;
    // The person works the queue: only the last fortnight still holds new and open mentions.
    const recent = createdAt > end - 14 * DAY;
    const status = answered
      ? 'replied'
      : weighted(rand, [
          ['new', recent ? 30 : 0],
          ['open', recent ? 10 : 0],
          ['resolved', 25],
          ['ignored', 20],
          ['spam', 5],
          ['private', 10],
        ]);
    const text = pick(rand, pool[category]);
    emit({
      platform,
      source: platform,
      external_id: id.toString(),
      url: `https://example.com/${platform}/${author.handle}/${id}`,
      author_handle: author.handle,
      author_name: author.name,
      author_id: author.id,
      author_followers: author.followers,
      text,
      lang: 'en',
      created_at: createdAt,
      fetched_at: createdAt + lag,
      keyword: text.includes('@acme_help') ? '@acme_help' : 'acme',
      keywords: text.includes('@acme_help') ? '["acme","@acme_help"]' : '["acme"]',
      conversation_id: id.toString(),
      summons_brand: text.includes('@acme_help') ? 1 : 0,
      likes: Math.floor(Math.exp(1 + 1.5 * normal(rand))),
      reposts: Math.floor(Math.exp(0.2 + 1.2 * normal(rand))),
      replies: Math.floor(rand() * 4),
      quotes: rand() < 0.05 ? 1 : 0,
      sentiment: category === 'praise' ? 0.6 : category === 'complaint' || category === 'problem' ? -0.55 : 0.05,
      category,
      priority: Math.floor(rand() * 100),
      status,
      status_changed_at: frt !== null ? createdAt + frt : createdAt + lag,
      first_response_at: frt !== null ? createdAt + frt : null,
      response: frt !== null ? createdAt + frt : null,
    });
  }
}

/** Mentions in the shape sources deliver (src/sources/types.ts NewMention), for the ingest figure. */
export function newMentions({ seed, count, start, end }) {
  const out = [];
  generateMentions({ seed, count, start, end }, (row) =>
    out.push({
      platform: row.platform,
      externalId: row.external_id,
      url: row.url,
      authorHandle: row.author_handle,
      authorName: row.author_name,
      authorId: row.author_id,
      authorFollowers: row.author_followers,
      text: row.text,
      lang: row.lang,
      createdAt: row.created_at,
      keywords: JSON.parse(row.keywords),
      inReplyTo: null,
      conversationId: row.conversation_id,
      summonsBrand: row.summons_brand === 1,
      metrics: { likes: row.likes, reposts: row.reposts, replies: row.replies, quotes: row.quotes },
    }),
  );
  return out;
}
