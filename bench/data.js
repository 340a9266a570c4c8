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

/** Follow-ups in a thread: the same customer again, after or without the brand's answer. */
const FOLLOW_UPS = [
  'still waiting on this @acme_help, {days} days now',
  'any update? order {order} still shows {status}',
  'thanks, that worked! the {product} is back on',
  'nope, did that already. still {symptom} on the {product}',
  'DMed you the order number {order}',
  'same here in {place}, {symptom} since {day}',
  'ok so I tried {thing} and it still does not work',
];

/** Other people joining a thread. */
const REPLIES = [
  'same problem with my {product} in {place}',
  'had this too, {fix} fixed it for me',
  'lol acme never answers on {day}s',
  '+1, my {product} does the same',
  'did you try {fix}? worked for my {product}',
];

const MORE = {
  product: ['anvil', 'rocket skates', 'kettle', 'router', 'smart plug', 'e-bike', 'headphones', 'vacuum', 'tent', 'blender', 'toaster', 'drone', 'air fryer', 'desk lamp', 'doorbell', 'scooter', 'speaker', 'thermostat', 'monitor', 'backpack'],
  thing: ['my iPhone', 'Alexa', 'a 110V socket', 'Windows 11', 'the old model', 'a Pixel 8', 'Linux', 'the app', 'bluetooth', 'the wall mount'],
  place: ['Leeds', 'Berlin', 'Austin', 'Lyon', 'the depot', 'Cork', 'Osaka', 'São Paulo', 'Kraków', 'Zürich', 'Melbourne', 'Toronto', 'Lagos', 'Pune', 'Malmö', 'Porto'],
  day: ['Monday', 'Tuesday', 'Wednesday', 'Friday', 'the 3rd', 'Black Friday', 'Sunday', 'the weekend'],
  code: ['500', 'E42', '0x80070005', 'PAY-17', '403', 'E-TIMEOUT', '502', 'CARD_DECLINED'],
  colour: ['green', 'matte black', 'orange', 'white', 'navy', 'pink'],
  other: ['Amazon', 'Ocado', 'IKEA', 'Zalando', 'Argos'],
  status: ['"processing"', '"dispatched"', '"label created"', '"delayed"', '"out for delivery"'],
  symptom: ['blinking red', 'no power', 'stuck on the logo', 'making a clicking noise', 'not pairing', 'overheating'],
  fix: ['holding the button 10s', 'a factory reset', 'another cable', 'the beta firmware', 'unplugging it overnight'],
};
const CLOSERS = [' 😡', ' 🙏', ' 🔥', ' 😂', ' 👍', ' !!', ' smh', ' #acme', ' #fail', ' please help', ' 🤷‍♀️', ' ffs', ' ❤️'];

/**
 * One text of a category, composed afresh: templates, fills, numbers and tails make almost every text
 * distinct (tens of thousands of them in 100k rows), as real mentions are.
 */
function composeText(rand, template) {
  const fill = (key) => {
    if (key === 'days' || key === 'minutes') return String(1 + Math.floor(rand() * (key === 'days' ? 30 : 120)));
    if (key === 'order') return `#${String.fromCharCode(65 + Math.floor(rand() * 26))}${100_000 + Math.floor(rand() * 900_000)}`;
    return pick(rand, (MORE[key] ?? FILL[key]));
  };
  let text = template.replace(/\{(\w+)\}/g, (_, key) => fill(key));
  if (rand() < 0.25) text += pick(rand, CLOSERS);
  if (rand() < 0.12) text += ` https://example.com/p/${Math.floor(rand() * 1e6)}`;
  if (rand() < 0.08) text += ' ' + 'more detail about it. '.repeat(1 + Math.floor(rand() * 6));
  if (rand() < 0.3) text = text[0].toUpperCase() + text.slice(1);
  return text;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Hour-of-day weights (UTC): quiet nights, busy evenings. */
const DIURNAL = [2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 7, 7, 8, 9, 10, 10, 9, 7, 5, 3];
const DIURNAL_TOTAL = DIURNAL.reduce((a, b) => a + b, 0);

/** The first external id of each platform; a later batch (new mentions on top of a backlog) starts higher. */
export const ID_BASE = 1_861_234_567_890_123_456n;
/** How many recent mentions per platform a reply may answer. */
const RECENT = 2000;

/**
 * Generate `count` mentions spread over [start, end), calling `emit(row)` for each. Rows carry the
 * mentions columns plus `response` (the first response's sent_at, or null) and `native` (the brand
 * replied on the platform itself rather than through the product).
 *
 * Like real traffic: about a fifth are replies in a thread (in_reply_to an earlier mention, the
 * conversation id of its root), half of those follow-ups by the same customer; about one in twenty
 * arrives late (created up to six hours before the rows around it), so rows are not in time order.
 * `earlier` (rows of a backlog: platform, external_id, conversation_id, author_handle, created_at) lets
 * new mentions answer old ones; `idBase` keeps their external ids apart from the backlog's.
 */
export function generateMentions({ seed, count, start, end, platforms = PLATFORMS, idBase = ID_BASE, earlier = [] }, emit) {
  const rand = random(seed);
  const authors = Array.from({ length: Math.min(200_000, Math.max(1000, Math.floor(count / 8))) }, (_, i) => {
    const followers = Math.floor(Math.exp(4 + 1.9 * normal(rand)));
    return { handle: `user_${i.toString(36)}_${Math.floor(rand() * 1e4)}`, name: `User ${i}`, id: String(10_000_000 + i), followers };
  });
  const byHandle = new Map(authors.map((a) => [a.handle, a]));
  const nextId = new Map(platforms.map(([p]) => [p, idBase]));
  /** Per platform, a ring of recent mentions a reply may answer. */
  const recent = new Map(platforms.map(([p]) => [p, []]));
  const remember = (platform, entry) => {
    const ring = recent.get(platform);
    if (ring.length < RECENT) ring.push(entry);
    else ring[Math.floor(rand() * RECENT)] = entry;
  };
  for (const row of earlier) {
    if (!recent.has(row.platform)) continue;
    const author = byHandle.get(row.author_handle) ?? { handle: row.author_handle, name: null, id: null, followers: 0 };
    remember(row.platform, { id: row.external_id, conversation: row.conversation_id ?? row.external_id, author, createdAt: row.created_at });
  }
  const span = end - start;
  const days = Math.max(1, Math.round(span / DAY));
  for (let i = 0; i < count; i++) {
    // Time: the i-th slot of the span, placed in its day by the daily rhythm; a few arrive late.
    const fraction = i / count;
    const day = Math.floor(fraction * days);
    const within = (fraction * days - day) * DIURNAL_TOTAL;
    let hour = 0;
    for (let acc = 0; hour < 23 && acc + DIURNAL[hour] <= within; hour++) acc += DIURNAL[hour];
    let createdAt = Math.min(end - 1, start + day * DAY + hour * HOUR + Math.floor(rand() * HOUR));
    if (rand() < 0.05) createdAt = Math.max(start, createdAt - Math.floor(rand() * 6 * HOUR));
    const platform = weighted(rand, platforms);
    let category = weighted(rand, CATEGORIES);
    let author = authors[Math.floor(authors.length * Math.pow(rand(), 2))];
    const id = nextId.get(platform) + BigInt(1000 + Math.floor(rand() * 5000));
    nextId.set(platform, id);
    const ring = recent.get(platform);
    const parent = ring.length > 0 && rand() < 0.22 ? ring[Math.floor(rand() * ring.length)] : null;
    let text;
    if (parent === null) {
      text = composeText(rand, pick(rand, TEXTS[category]));
    } else if (rand() < 0.5) {
      // A follow-up: the same customer again in the thread.
      author = parent.author;
      text = composeText(rand, pick(rand, FOLLOW_UPS));
      category = /thanks/i.test(text) ? 'praise' : 'complaint';
    } else {
      text = composeText(rand, pick(rand, REPLIES));
      category = 'other';
    }
    // A reply comes after what it answers (a late arrival included).
    if (parent !== null && createdAt <= parent.createdAt) createdAt = Math.min(end - 1, parent.createdAt + 60_000 + Math.floor(rand() * HOUR));
    const externalId = id.toString();
    const conversation = parent?.conversation ?? externalId;
    remember(platform, { id: externalId, conversation, author, createdAt });
    const lag = Math.floor(30_000 + rand() * 5 * 60_000);
    const needsAnswer = category !== 'praise' && category !== 'other' ? 0.72 : 0.25;
    const answered = rand() < needsAnswer;
    // First response: log-normal around 40 minutes, long tail into days.
    const frt = answered ? Math.max(lag + 60_000, Math.floor(Math.exp(Math.log(40 * 60_000) + 1.4 * normal(rand)))) : null;
    // The person works the queue: only the last fortnight still holds new and open mentions.
    const isRecent = createdAt > end - 14 * DAY;
    const status = answered
      ? 'replied'
      : weighted(rand, [
          ['new', isRecent ? 30 : 0],
          ['open', isRecent ? 10 : 0],
          ['resolved', 25],
          ['ignored', 20],
          ['spam', 5],
          ['private', 10],
        ]);
    // Items go private: those left `private`, and some answered ones (a public "please DM us", then a DM);
    // most get a private answer, and many of those are resolved there.
    const goesPrivate = status === 'private' || (answered && rand() < 0.12);
    const privateAt = goesPrivate ? createdAt + (frt ?? lag + Math.floor(rand() * 2 * HOUR)) : null;
    const firstPrivateResponseAt = privateAt !== null && rand() < 0.8 ? privateAt + Math.floor(rand() * 3 * HOUR) : null;
    const resolvedAt = firstPrivateResponseAt !== null && rand() < 0.7 ? firstPrivateResponseAt + Math.floor(rand() * 6 * HOUR) : null;
    const summons = text.includes('@acme_help');
    emit({
      platform,
      source: platform,
      external_id: externalId,
      url: `https://example.com/${platform}/${author.handle}/${id}`,
      author_handle: author.handle,
      author_name: author.name,
      author_id: author.id,
      author_followers: author.followers,
      text,
      lang: 'en',
      created_at: createdAt,
      fetched_at: createdAt + lag,
      keyword: summons ? '@acme_help' : 'acme',
      keywords: summons ? '["acme","@acme_help"]' : '["acme"]',
      in_reply_to: parent?.id ?? null,
      conversation_id: conversation,
      summons_brand: summons ? 1 : 0,
      likes: Math.floor(Math.exp(1 + 1.5 * normal(rand))),
      reposts: Math.floor(Math.exp(0.2 + 1.2 * normal(rand))),
      replies: Math.floor(rand() * 4),
      quotes: rand() < 0.05 ? 1 : 0,
      sentiment: category === 'praise' ? 0.6 : category === 'complaint' || category === 'problem' ? -0.55 : 0.05,
      category,
      priority: Math.floor(rand() * 100),
      status: resolvedAt !== null ? 'resolved' : privateAt !== null ? 'private' : status,
      status_changed_at: resolvedAt ?? privateAt ?? (frt !== null ? createdAt + frt : createdAt + lag),
      first_response_at: frt !== null ? createdAt + frt : null,
      private_at: privateAt,
      first_private_response_at: firstPrivateResponseAt,
      resolved_at: resolvedAt,
      response: frt !== null ? createdAt + frt : null,
      native: frt !== null && rand() < 0.35,
    });
  }
}

/** The brand's reply on the platform itself (not through the product), as a poll sees it. */
const OWN_REPLY = 'Sorry to hear that, please DM us your order number and we will sort it.';

/**
 * Poll pages as sources deliver them (src/sources/types.ts FetchedPage's mentions and ownReplies), `pageSize`
 * mentions a page in arrival order; the brand's native replies that were sent before `end` ride on the
 * page of the mention they answer.
 */
export function pollPages({ seed, count, start, end, pageSize = 100, idBase, earlier }) {
  const pages = [];
  let page = null;
  generateMentions({ seed, count, start, end, ...(idBase !== undefined ? { idBase } : {}), ...(earlier ? { earlier } : {}) }, (row) => {
    if (page === null || page.mentions.length === pageSize) pages.push((page = { mentions: [], ownReplies: [] }));
    page.mentions.push({
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
      inReplyTo: row.in_reply_to,
      conversationId: row.conversation_id,
      summonsBrand: row.summons_brand === 1,
      metrics: { likes: row.likes, reposts: row.reposts, replies: row.replies, quotes: row.quotes },
    });
    if (row.native && row.response < end) {
      page.ownReplies.push({ platform: row.platform, externalId: `r${row.external_id}`, inReplyTo: row.external_id, text: OWN_REPLY, createdAt: row.response });
    }
  });
  return pages;
}

/** The mentions of `pollPages`, one list. */
export function newMentions(options) {
  return pollPages(options).flatMap((p) => p.mentions);
}
