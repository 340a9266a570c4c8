/** The rules that made the first guess before the trained model: kept as the baseline `npm run train` prints beside it. */
import { createRequire } from 'node:module';
import type { Category } from './model.js';

/** The first guess at ingest: a category and a sentiment score in [-1, 1]. */
export interface Classification {
  category: Category;
  sentiment: number;
}

interface Rule {
  category: Category;
  points: number;
  pattern: RegExp;
}

// Our own rules for the categories; sentiment comes from the AFINN lexicon (the `sentiment` package).
const RULES: readonly Rule[] = [
  {
    category: 'problem',
    points: 3,
    pattern:
      /\b(?:is \S+ down|down again|(?:are|is) (?:you|it|the \w+) down|outage|not working|(?:doesn'?t|does not|won'?t|will not|can'?t|cannot) (?:work|connect|load|log ?in|sign ?in|open)|stopped working|keeps? (?:dropping|crashing|disconnecting|freezing|buffering)|crash(?:es|ed|ing)?|no (?:internet|connection|signal|service|broadband|wifi|dial tone)|offline|error(?: code)? ?\d*|bug(?:gy)?|glitch|(?:wifi|internet|line|broadband|app|site|website|router|hub) (?:is |keeps )?(?:dead|down|broken)|flashing red|dns errors?|packet loss|stuck (?:on|at|in)|cutting out|keeps? cutting|frozen|no picture|disconnect(?:s|ed|ing))\b/i,
  },
  {
    category: 'complaint',
    points: 3,
    pattern:
      /\b(?:refund|money back|charged (?:me )?(?:twice|double|again)|overcharg\w*|double[- ]charged|worst|ridiculous|terrible|awful|appalling|disgrace\w*|unacceptable|shocking|useless|rip[- ]?off|scam|joke|fed up|sick of|never again|cancel+(?:ing|ed)?(?: my)?(?: contract| account| subscription)?|switching to|(?:on|been on) hold|still waiting|nobody (?:replies|answers|responds|got back)|no (?:one|reply|response) (?:replies|answers|from)?|sort it out|raised my (?:bill|price)|(?:bill|price)s? (?:went|gone|has gone|going) up|nobody (?:told|tells)|hidden fees?|didn'?t (?:show|turn) up|no[- ]show|complain\w*|let down|fuming|furious|disappointed|lied|false advertising)\b/i,
  },
  {
    category: 'promo',
    points: 3,
    pattern:
      /\b(?:discount(?: codes?)?|coupon|promo(?: code)?|voucher|deals?|offers?|black friday|cyber monday|student (?:discount|price|deal)|referral|cheaper|price match|loyalty (?:discount|offer|reward)|upgrade (?:offer|deal)|free trial|any sales?)\b/i,
  },
  { category: 'question', points: 2, pattern: /\?/ },
  {
    category: 'question',
    points: 2,
    pattern:
      /(?:^|[.!]\s+|@\w+\s+)(?:how|what|when|where|why|who|which|can|could|does|do|is|are|will|would|should|has|have|anyone)\b[^.!]*$|\b(?:how do i|how (?:can|long|much)|anyone know|is there a way|does anyone|can i|do you|wondering (?:if|whether)|any idea)\b/i,
  },
  {
    category: 'feedback',
    points: 3,
    pattern:
      /\b(?:suggestion|feature request|(?:i )?wish (?:it|you|they|the|there)|would (?:be|love) (?:nice|great|good|it if)|should (?:really )?(?:let|add|have|make|show|offer|allow|be able)|please (?:add|bring back|make)|it'?d be (?:nice|great)|feedback|idea for|would love (?:a|to see)|could (?:you )?(?:add|improve)|louder than|(?:nice|fine|good|ok) but)\b/i,
  },
  {
    category: 'praise',
    points: 2,
    pattern:
      /\b(?:thanks?(?: you)?|thank u|cheers|(?:all )?working again|shout ?out|kudos|love (?:my|the|it|this|you)|amazing|excellent|brilliant|fantastic|awesome|great (?:service|job|support|work|speed)|well done|impressed|best (?:isp|service|support|provider)|recommend|sorted (?:it|everything)|made my day|hero|legends?)\b/i,
  },
];

/** Sentiment that tips an undecided mention: complaint when sour, praise when sweet. */
const SOUR = -0.45;
const SWEET = 0.45;
/** Order among equal scores: the more urgent category wins. */
const ORDER: readonly Category[] = ['problem', 'complaint', 'promo', 'question', 'feedback', 'praise', 'other'];

// Words that the general lexicon does not weigh as brand customers use them.
const DOMAIN_WORDS: Record<string, number> = {
  down: -2,
  outage: -3,
  offline: -2,
  crashes: -2,
  crashing: -2,
  dropping: -1,
  slow: -2,
  laggy: -2,
  refund: -2,
  overcharged: -3,
  joke: -2,
  cancelling: -2,
  useless: -3,
  fixed: 2,
  sorted: 2,
  'no-show': -2,
  hold: -1,
};

interface SentimentAnalyzer {
  analyze(text: string, options?: { language?: string }): { score: number; tokens: string[] };
  registerLanguage(code: string, language: { labels: Record<string, number>; scoringStrategy?: unknown }): void;
}

let analyzer: SentimentAnalyzer | null = null;

/** The AFINN analyser with our domain words, loaded on first use (it is not needed to start the CLI). */
function sentimentAnalyzer(): SentimentAnalyzer {
  if (analyzer) return analyzer;
  const require = createRequire(import.meta.url);
  const Sentiment = require('sentiment') as new () => SentimentAnalyzer;
  const english = require('sentiment/languages/en/index.js') as { labels: Record<string, number>; scoringStrategy: unknown };
  const instance = new Sentiment();
  instance.registerLanguage('brand', { labels: { ...english.labels, ...DOMAIN_WORDS }, scoringStrategy: english.scoringStrategy });
  analyzer = instance;
  return instance;
}

/** AFINN sum squashed into [-1, 1] (the VADER normalisation, alpha 15), rounded to 3 places. */
export function sentimentScore(text: string): number {
  const { score } = sentimentAnalyzer().analyze(text, { language: 'brand' });
  return Math.round((score / Math.sqrt(score * score + 15)) * 1000) / 1000;
}

/** Category scores from the rules alone (for `explain` and tests). */
export function categoryPoints(text: string): Map<Category, number> {
  const points = new Map<Category, number>();
  for (const rule of RULES) {
    // Several rules of one category count once: a question mark and "how do I" are one signal.
    if (rule.pattern.test(text)) points.set(rule.category, Math.max(points.get(rule.category) ?? 0, rule.points));
  }
  return points;
}

export function classify(text: string): Classification {
  // Handles and links say nothing about the category, and "@acme_help down" must not match on the handle.
  const body = text.replace(/https?:\/\/\S+/g, ' ').replace(/@\w+/g, (m, offset: number) => (offset === 0 ? '@x' : ' @x'));
  const sentiment = sentimentScore(body);
  const points = categoryPoints(body);
  if (sentiment <= SOUR) points.set('complaint', (points.get('complaint') ?? 0) + 1);
  if (sentiment >= SWEET) points.set('praise', (points.get('praise') ?? 0) + 1);
  let best: Category = 'other';
  let bestPoints = 1;
  for (const category of ORDER) {
    const p = points.get(category) ?? 0;
    if (p > bestPoints) {
      best = category;
      bestPoints = p;
    }
  }
  return { category: best, sentiment };
}
