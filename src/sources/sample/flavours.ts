/**
 * The demo's sample platforms: X, Mastodon, Bluesky and a Google Alerts feed, each a stream in its own
 * voice built from slotted phrases (places, plans, sums, times), so a fortnight reads like a real inbox
 * rather than a loop of a few sentences. Answered posts sometimes get a follow-up from the same person
 * after our reply ("still down"), and some of those are answered again. Deterministic per seed.
 */
import type { SampleItem } from './conversation.js';
import { seededRandom as random } from '../../random.js';

export const FLAVOURS = ['twitter', 'mastodon', 'bluesky', 'rss'] as const;
export type Flavour = (typeof FLAVOURS)[number];

type Kind = SampleItem['kind'];

const SLOTS: Record<string, readonly string[]> = {
  place: ['Leeds', 'Manchester M14', 'Bristol BS3', 'Glasgow', 'Cardiff', 'Brighton', 'Norwich', 'York', 'Sheffield S11', 'Leicester', 'Belfast', 'Hull', 'Croydon', 'Reading', 'Exeter', 'Newcastle', 'Derby', 'Swansea', 'Milton Keynes', 'Stoke'],
  since: ['since 9am', 'since last night', 'for two days', 'all weekend', 'since the storm', 'since Tuesday', 'for three hours', 'since the update', 'on and off all week', 'since lunchtime'],
  plan: ['500', '900', '150', 'Fibre 1G', 'Essentials', 'Gamer 2G'],
  money: ['£8', '£12.50', '£30', '£4.99', '£60', '£17'],
  device: ['hub', 'router', 'wifi booster', 'TV box', 'app', 'mesh discs'],
  minutes: ['25', '47', '62', '90', '38', '75'],
  day: ['Monday', 'Tuesday', 'Thursday', 'Saturday', 'tomorrow', 'next week'],
  mood: ['😡', '🙄', '😤', '', '', ''],
  happy: ['🙌', '🎉', '👏', '💜', '', ''],
};

/** Per platform and kind: phrases with {slots}. Every text names the brand or its handle, as a keyword search would find it. */
const BANK: Record<Flavour, Partial<Record<Kind, readonly string[]>>> = {
  twitter: {
    question: [
      '@fernhill_help how do I change the wifi password on the new Fernhill {device}?',
      '@fernhill_help does the Fernhill {plan} plan include a static IP?',
      'Anyone know if Fernhill lets you pause your contract while abroad?',
      '@fernhill_help is there a way to see my data usage this month? Can\'t find it in the Fernhill app',
      '@fernhill_help what time do engineers usually turn up for a Fernhill install on {day}?',
      'Can I keep my old {device} with Fernhill or do I have to use theirs?',
      'Does Fernhill support IPv6 yet? Asking before I switch from the {plan} plan',
      '@fernhill_help how long does it take to port a landline number to Fernhill?',
      '@fernhill_help moving to {place} on {day}, can I take my Fernhill line with me?',
    ],
    complaint: [
      'Third time this month Fernhill has charged me twice. I want a refund @fernhill_help {mood}',
      'Been on hold with Fernhill for {minutes} minutes. This is ridiculous. {mood}',
      '@fernhill_help engineer didn\'t show up AGAIN in {place}. Took a day off work for nothing. Fernhill is a joke',
      'Fernhill just raised my bill by {money} with no warning. Cancelling. @fernhill_help',
      'Worst customer service ever from Fernhill, nobody replies to emails {mood}',
      '@fernhill_help my bill says I owe {money} for a {device} I sent back in March. Sort it out',
      'Fernhill promised {plan} speeds and I get 40 on a good day in {place}. Want my money back @fernhill_help',
    ],
    problem: [
      'Is Fernhill down? No internet in {place} {since} @fernhill_help',
      'Fernhill outage again?? Whole street in {place} offline {mood}',
      'Fernhill broadband keeps dropping every 10 minutes {since} @fernhill_help',
      '@fernhill_help {device} flashing red, no connection, restarted three times',
      'Anyone else on Fernhill getting DNS errors? Half the web won\'t load {since}',
      'Fernhill app crashes when I try to pay my bill, error 503 @fernhill_help',
      'Fernhill wifi dead in {place}, status page says all fine??? {mood}',
    ],
    feedback: [
      'The new Fernhill app is nice but I wish it showed speed history',
      'Fernhill should really let you pick the install slot online instead of phoning',
      'Suggestion for @fernhill_help: text me when the engineer is on the way',
      'Fernhill {device} is fine but the fan is louder than the old one',
    ],
    praise: [
      'Shoutout to @fernhill_help for fixing my line in {minutes} minutes. Great service! {happy}',
      'Switched to Fernhill last month and honestly the {plan} speed is amazing {happy}',
      'Fernhill engineer in {place} was brilliant, friendly and sorted everything. Thanks!',
      'Rare to say this about an ISP but Fernhill support is excellent {happy}',
    ],
    promo: [
      '@fernhill_help any Black Friday deals on the {plan} plan?',
      'Does Fernhill have any discount codes for existing customers?',
      'Is there a Fernhill student discount? Moving into halls in {place} next week',
    ],
    noise: ['Lovely walk up Fernhill trail this morning, the view was worth it', 'Fernhill Road closed again for roadworks, avoid', 'Fernhill FC 3–1 at home, what a finish'],
  },
  mastodon: {
    question: [
      'Does anyone on here use Fernhill for broadband? Wondering whether their {plan} plan is worth it in {place}. #UKBroadband',
      'Question for Fernhill customers: can you run your own {device} in bridge mode, or is the Fernhill hub mandatory?',
      'Fernhill folks: is there an IPv6 roadmap? Self-hosting a few things and would love native v6. #homelab',
    ],
    complaint: [
      'Fernhill has now billed me {money} for a service I cancelled in the spring. Three emails, zero answers. Not impressed. #customerservice',
      'Genuinely tired of Fernhill. Engineer appointment moved for the third time, now {day}. Working from home in {place} is impossible.',
    ],
    problem: [
      'Fernhill connection in {place} has been flapping {since}. Traceroutes die two hops out. Anyone else? #outage',
      'PSA: Fernhill DNS seems broken {since} — switching resolvers fixes it for me. #UKBroadband',
      'Fernhill fibre down across {place} {since}. Status page still green. {mood}',
    ],
    feedback: [
      'Small thing, but the Fernhill app would be so much better with a dark mode and a speed history graph.',
      'Fernhill\'s new router firmware finally lets you turn off the LEDs. Now do WPA3 by default please.',
    ],
    praise: [
      'Credit where due: Fernhill support sorted a line fault in {place} same day, and the engineer explained everything. {happy}',
      'Six months on Fernhill {plan}: stable, fast, no drama. Recommended. #UKBroadband',
    ],
    promo: ['Does Fernhill ever do loyalty upgrades, or do you have to threaten to leave? Asking for me.'],
    noise: ['The Fernhill trail loop in spring is a gem, bluebells everywhere #walking', 'Fernhill Primary\'s winter fair is on {day}, all welcome'],
  },
  bluesky: {
    question: [
      'ok which of you is on fernhill broadband and is the {plan} actually {plan} or is it vibes',
      'does fernhill let you move house without a new contract? moving to {place} {day}',
      'fernhill people: how do you get to the wifi settings in the new app',
    ],
    complaint: [
      'fernhill broadband customer service is a hold queue and a prayer. {minutes} mins so far {mood}',
      'fernhill charged me {money} extra this month and the chat bot just loops. incredible stuff',
    ],
    problem: [
      'fernhill down in {place}? {since} nothing loads {mood}',
      'my fernhill {device} has been blinking orange {since}, is it just me',
      'fernhill outage map lighting up around {place} rn',
    ],
    feedback: ['fernhill app redesign is cleaner but where did the usage page go', 'wish fernhill would just email when the engineer is 30 mins away'],
    praise: ['fernhill support fixed my line in {minutes} mins and were lovely about it {happy}', 'switched to fernhill and my upload speed is finally real {happy}'],
    promo: ['anyone got a fernhill referral code, happy to share the bonus'],
    noise: ['fernhill trail at golden hour 📸', 'fernhill road traffic is a nightmare again'],
  },
  rss: {
    problem: [
      'Fernhill Broadband customers in {place} report outage — local news',
      'Fernhill users hit by DNS failures {since}, company investigating — ISP news',
    ],
    complaint: [
      'Fernhill Broadband among most complained-about providers in latest Ofcom figures — consumer news',
      'Readers\' letters: Fernhill\'s {money} price rise came without warning — consumer column',
    ],
    feedback: [
      'Review: Fernhill {plan} after six months — fast, but the app needs work — tech blog',
      'Fernhill Broadband {device} teardown: decent hardware, odd firmware choices — forum thread',
    ],
    praise: ['Fernhill Broadband wins regional award for customer support — press release', 'Fernhill expands full fibre to 40,000 homes in {place} — local news'],
    question: ['Is Fernhill Broadband worth it in 2026? Readers weigh in — forum thread'],
    noise: ['Fernhill trail restoration project gets lottery funding — local news', 'Fernhill FC sign new striker ahead of derby — sports'],
  },
};

const WEIGHTS: Record<Flavour, [Kind, number][]> = {
  twitter: [['question', 22], ['complaint', 20], ['problem', 18], ['feedback', 8], ['praise', 14], ['promo', 8], ['noise', 10]],
  mastodon: [['question', 22], ['complaint', 14], ['problem', 20], ['feedback', 16], ['praise', 14], ['promo', 4], ['noise', 10]],
  bluesky: [['question', 20], ['complaint', 18], ['problem', 20], ['feedback', 10], ['praise', 14], ['promo', 6], ['noise', 12]],
  rss: [['question', 5], ['complaint', 20], ['problem', 20], ['feedback', 25], ['praise', 15], ['noise', 15]],
};

const NAMES = ['amira', 'ben', 'chloe', 'dev', 'elena', 'farid', 'grace', 'hiro', 'isla', 'jonas', 'kemi', 'liam', 'maya', 'nico', 'olu', 'priya', 'quinn', 'rosa', 'sam', 'tariq', 'uma', 'vik', 'wren', 'xander', 'yusuf', 'zara'];
const SUFFIX = ['', '_uk', '88', '_writes', 'codes', '_b', 'x', '_m', '2024', '_ldn'];
const SITES = ['ispreview.example', 'localnews.example', 'consumerwatch.example', 'techblog.example', 'forums.example'];

const REPLIES: Partial<Record<Kind, string>> = {
  question: 'Hi @{author}, good question! You can do that in the Fernhill app under Settings > Account. Shout if you get stuck.',
  complaint: "Sorry to hear that, @{author}. Please DM us your account number and we'll sort it out today.",
  problem: "Hi @{author}, we're aware of an issue in some areas and engineers are on it. DM us your postcode and we'll check your line.",
  feedback: 'Thanks for the feedback, @{author}! Passing it on to the product team.',
  praise: 'Thank you @{author}, that made our day!',
  promo: 'Hi @{author}, current offers are on fernhill.example/deals. Existing customers can DM us for an upgrade quote.',
};

const FOLLOW_UPS = [
  { text: '@fernhill_help still down here, DM sent {minutes} minutes ago and nothing back {mood}', again: "Thanks for bearing with us, @{author} — we've got your DM and an engineer is booked for {day}." },
  { text: '@fernhill_help that worked, thank you! {happy}', again: null },
  { text: '@fernhill_help sent my account number, any update? Fernhill still not fixed', again: 'Hi @{author}, your case is with our network team now; we will message you the moment it is fixed.' },
  { text: '@fernhill_help the app says Settings but I only see Profile? Fernhill version 5.2', again: 'Ah, @{author}, on 5.2 it is under Profile > Wifi. Sorry for the confusion!' },
];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

function fill(rand: () => number, template: string, author: string): string {
  return template
    .replace(/\{(\w+)\}/g, (whole, slot: string) => (slot === 'author' ? author : SLOTS[slot] ? pick(rand, SLOTS[slot]!) : whole))
    .replace(/ +$/, '')
    .replace(/ {2,}/g, ' ');
}

function pickKind(rand: () => number, flavour: Flavour): Kind {
  const weights = WEIGHTS[flavour];
  let roll = rand() * weights.reduce((sum, [, w]) => sum + w, 0);
  for (const [kind, weight] of weights) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'question';
}

/** Minutes before the brand answers: most within the hour for problems, a long tail past a day. */
function delay(rand: () => number, kind: Kind): number {
  const median = kind === 'problem' || kind === 'complaint' ? 25 : 100;
  return Math.max(2, median * Math.exp((rand() - 0.5) * 4)) * 60_000;
}

/**
 * The platform's stream in time order from `start`, while items are at most `until`. Replies and
 * follow-ups come with their times, later ones included: the source shows each once its time has come.
 */
export function* flavouredItems(flavour: Flavour, seed: number, start: number, ratePerHour: number, until: number): Generator<SampleItem> {
  const meanGap = 3_600_000 / ratePerHour;
  let at = start;
  for (let index = 0; ; index++) {
    const rand = random(seed * 1_000_003 + index);
    at += -Math.log(1 - rand()) * meanGap;
    if (at > until) return;
    const kind = pickKind(rand, flavour);
    const author = flavour === 'rss' ? pick(rand, SITES) : `${pick(rand, NAMES)}${pick(rand, SUFFIX)}`;
    const text = fill(rand, pick(rand, BANK[flavour][kind] ?? BANK[flavour].problem!), author);
    const followers = flavour === 'rss' ? 0 : Math.round(Math.exp(rand() * 10));
    const viral = flavour !== 'rss' && (kind === 'problem' || kind === 'complaint') && rand() < 0.04;
    const engagement = viral ? 200 + Math.floor(rand() * 1500) : Math.floor(rand() * 10);
    const id = String(1_000_000 + index);
    const template = REPLIES[kind];
    const answered = flavour !== 'rss' && template !== undefined && rand() < (kind === 'praise' ? 0.5 : 0.85);
    const replyAt = Math.round(at + delay(rand, kind));
    const reply = answered ? { id: `r${id}`, text: template.replace('{author}', author), at: replyAt } : null;
    let followUp: SampleItem['followUp'] = null;
    if (reply && kind !== 'praise' && rand() < 0.3) {
      const shape = pick(rand, FOLLOW_UPS);
      const followAt = Math.round(reply.at + (10 + rand() * 170) * 60_000);
      const againAt = Math.round(followAt + delay(rand, 'complaint'));
      followUp = {
        id: `f${id}`,
        text: fill(rand, shape.text, author),
        at: followAt,
        reply: shape.again !== null && rand() < 0.7 ? { id: `rf${id}`, text: fill(rand, shape.again, author), at: againAt } : null,
      };
    }
    yield { index, id, kind, text, author, followers, createdAt: Math.round(at), likes: engagement, reposts: Math.floor(engagement / 4), replies: Math.floor(engagement / 6), reply, followUp };
  }
}
