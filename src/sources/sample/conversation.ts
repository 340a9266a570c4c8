/**
 * The bundled sample platform: a deterministic stream of realistic mentions of a fictional
 * broadband brand, Fernhill, and of the brand's own replies. Mention n is always the same for a
 * given seed, so polls are incremental exactly as on a real platform.
 */
import { seededRandom as random } from '../../random.js';

export const SAMPLE_BRAND = 'Fernhill';
export const SAMPLE_HANDLE = 'fernhill_help';

export type Kind = 'question' | 'complaint' | 'problem' | 'feedback' | 'praise' | 'promo' | 'noise';

const TEMPLATES: Record<Kind, string[]> = {
  question: [
    'How do I change the wifi password on the new Fernhill hub?',
    '@fernhill_help does the Fernhill 500 plan include a static IP?',
    'Anyone know if Fernhill lets you pause your contract while abroad?',
    'Is there a way to see my Fernhill data usage for this month? Can\'t find it in the app',
    '@fernhill_help what time do engineers usually turn up for a Fernhill install?',
    'Can I keep my old router with Fernhill or do I have to use theirs?',
    'Does Fernhill support IPv6 yet? Asking before I switch',
    'How long does it take Fernhill to port a landline number?',
  ],
  complaint: [
    'Third time this month Fernhill has charged me twice. I want a refund @fernhill_help',
    'Been on hold with Fernhill for 47 minutes. This is ridiculous.',
    '@fernhill_help engineer didn\'t show up AGAIN. Took a day off work for nothing. Fernhill is a joke',
    'Fernhill just raised my bill by £8 with no warning. Cancelling.',
    'Worst customer service ever from Fernhill, nobody replies to emails',
    'My Fernhill bill says I owe for a router I sent back in March. Sort it out @fernhill_help',
    'Fernhill promised 500Mbps and I get 40 on a good day. Want my money back',
  ],
  problem: [
    'Is Fernhill down? No internet in Leeds since 9am @fernhill_help',
    'Fernhill outage again?? Whole street offline',
    'Fernhill broadband keeps dropping every 10 minutes since the update last night',
    '@fernhill_help router flashing red, no connection, restarted three times',
    'Anyone else on Fernhill getting DNS errors? Half the web won\'t load',
    'Fernhill app crashes when I try to pay my bill, error 503',
    'Fernhill wifi dead in Manchester M14, status page says all fine???',
  ],
  feedback: [
    'The new Fernhill app is nice but I wish it showed speed history',
    'Fernhill should really let you pick the install slot online instead of phoning',
    'Suggestion for @fernhill_help: text me when the engineer is on the way',
    'Fernhill hub is fine but the fan is louder than the old one',
  ],
  praise: [
    'Shoutout to @fernhill_help for fixing my line in 20 minutes. Great service!',
    'Switched to Fernhill last month and honestly the speed is amazing',
    'Fernhill engineer was brilliant, friendly and sorted everything. Thanks!',
    'Rare to say this about an ISP but Fernhill support is excellent',
    'Love my Fernhill fibre, gaming with zero lag now',
  ],
  promo: [
    'Does Fernhill have any discount codes for existing customers?',
    '@fernhill_help any Black Friday deals on the 900 plan?',
    'Is there a Fernhill student discount? Moving into halls next week',
    'Got a Fernhill referral coupon if anyone wants one, DM me',
  ],
  noise: [
    'Lovely walk up Fernhill trail this morning, the view was worth it',
    'Fernhill Road closed again for roadworks, avoid',
    'Fernhill primary school bake sale raised £400!',
  ],
};

// Rough shares of real brand mention streams: many questions/complaints, fewer praise and promo asks.
const KIND_WEIGHTS: [Kind, number][] = [
  ['question', 24],
  ['complaint', 20],
  ['problem', 16],
  ['feedback', 9],
  ['praise', 16],
  ['promo', 8],
  ['noise', 7],
];

const FIRST_NAMES = ['amira', 'ben', 'chloe', 'dev', 'elena', 'farid', 'grace', 'hiro', 'isla', 'jonas', 'kemi', 'liam', 'maya', 'nico', 'olu', 'priya', 'quinn', 'rosa', 'sam', 'tariq'];
const SUFFIXES = ['', '_uk', '88', '_writes', 'codes', '_b', 'x', '_official', '_m', '2024'];

const REPLIES: Record<Kind, string> = {
  question: 'Hi @{author}, good question! You can do that in the Fernhill app under Settings > Account. Shout if you get stuck.',
  complaint: 'Sorry to hear that, @{author}. Please DM us your account number and we\'ll sort it out today.',
  problem: 'Hi @{author}, we\'re aware of an issue in some areas and engineers are on it. DM us your postcode and we\'ll check your line.',
  feedback: 'Thanks for the feedback, @{author}! Passing it on to the product team.',
  praise: 'Thank you @{author}, that made our day!',
  promo: 'Hi @{author}, current offers are on fernhill.example/deals. Existing customers can DM us for an upgrade quote.',
  noise: '',
};

export interface SampleItem {
  index: number;
  id: string;
  kind: Kind;
  text: string;
  author: string;
  followers: number;
  createdAt: number;
  likes: number;
  reposts: number;
  replies: number;
  /** When the brand answered, if it did. */
  reply: { id: string; text: string; at: number } | null;
  /** The same person again after our reply, and our answer to that, when there is one (demo platforms only). */
  followUp?: { id: string; text: string; at: number; reply: { id: string; text: string; at: number } | null } | null;
}


function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function pickKind(rand: () => number): Kind {
  const total = KIND_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let roll = rand() * total;
  for (const [kind, weight] of KIND_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'question';
}

/** Delay before the brand answered, in ms: most within hours, a long tail past a day. */
function replyDelay(rand: () => number, kind: Kind): number {
  const urgent = kind === 'problem' || kind === 'complaint';
  const medianMinutes = urgent ? 40 : 150;
  const minutes = medianMinutes * Math.exp((rand() - 0.5) * 4);
  return Math.max(2, minutes) * 60_000;
}

/**
 * Items of the sample stream in time order, starting at `start`, while their time is at most `until`.
 * Replies the brand would make later than `until` are not visible yet.
 */
export function* sampleItems(seed: number, start: number, ratePerHour: number, until: number): Generator<SampleItem> {
  const meanGap = 3_600_000 / ratePerHour;
  let at = start;
  for (let index = 0; ; index++) {
    const rand = random(seed * 1_000_003 + index);
    at += -Math.log(1 - rand()) * meanGap;
    if (at > until) return;
    const kind = pickKind(rand);
    const text = pick(rand, TEMPLATES[kind]);
    const author = `${pick(rand, FIRST_NAMES)}${pick(rand, SUFFIXES)}`;
    const followers = Math.round(Math.exp(rand() * 10));
    const viral = rand() < 0.05;
    const engagement = viral ? 200 + Math.floor(rand() * 2000) : Math.floor(rand() * 12);
    const id = String(1_000_000 + index);
    const answers = kind !== 'noise' && rand() < (kind === 'praise' ? 0.45 : 0.7);
    const delay = replyDelay(rand, kind);
    const replyAt = Math.round(at + delay);
    const reply = answers && replyAt <= until ? { id: `r${id}`, text: REPLIES[kind].replace('{author}', author), at: replyAt } : null;
    yield {
      index,
      id,
      kind,
      text,
      author,
      followers,
      createdAt: Math.round(at),
      likes: engagement,
      reposts: Math.floor(engagement / 4),
      replies: Math.floor(engagement / 6),
      reply,
    };
  }
}
