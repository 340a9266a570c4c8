/**
 * What a platform bills, in US dollars. X's pay-per-use credits (the default since 2026-02-06) bill reads
 * per resource returned and writes per request; the same resource read again in the same UTC day is not
 * billed again. Defaults from X's published prices (docs.x.com x-api/getting-started/pricing); prices
 * change, so every figure can be overridden per source in the config (`prices:`).
 */
export interface PriceTable {
  /** A post returned by search, lookup or a timeline that is not the brand's own. */
  postRead: number;
  /** A user object returned (expansions=author_id brings one per new author). */
  userRead: number;
  /** A post read from the authenticated user's own timelines (`/2/users/:id/tweets`, `/2/users/:id/mentions`) when that user owns the app. */
  ownedRead: number;
  /** One `GET /2/tweets/counts/recent` request, whatever the volume. */
  countsRequest: number;
  /** Creating a post. */
  postCreate: number;
  /** A reply to a post that summoned the account. */
  summonedReply: number;
  /** A post (not a summoned reply) whose text contains a URL. */
  urlPost: number;
  /** A DM event returned by the DM endpoints (`GET /2/dm_events`): "DM Event: Read". */
  dmEventRead: number;
  /** Sending a DM: "DM Interaction: Create", per request. */
  dmCreate: number;
}

export const X_PRICES: PriceTable = {
  postRead: 0.005,
  userRead: 0.01,
  ownedRead: 0.001,
  countsRequest: 0.005,
  postCreate: 0.015,
  summonedReply: 0.01,
  urlPost: 0.2,
  dmEventRead: 0.01,
  dmCreate: 0.015,
};

/** What one billed thing is: its price kind, and the resource id X de-duplicates on within a UTC day. */
export type BilledKind = 'post' | 'user' | 'owned' | 'counts' | 'dm';
export interface BilledRead {
  kind: BilledKind;
  /** The resource's id (post id, user id); for per-request kinds, an id unique to the request. */
  id: string;
}

export function priceOf(prices: PriceTable, kind: BilledKind): number {
  switch (kind) {
    case 'post':
      return prices.postRead;
    case 'user':
      return prices.userRead;
    case 'owned':
      return prices.ownedRead;
    case 'counts':
      return prices.countsRequest;
    case 'dm':
      return prices.dmEventRead;
  }
}

/** Money is kept in whole micro-dollars so sums over a month never drift. */
export function toMicros(dollars: number): number {
  return Math.round(dollars * 1_000_000);
}

export function fromMicros(micros: number): number {
  return micros / 1_000_000;
}

/** `$0.005`, `$1.23`, `$1,234.50`: cents for sums, more digits only for sub-cent unit prices. */
export function formatMoney(dollars: number): string {
  const subCent = Math.abs(dollars * 100 - Math.round(dollars * 100)) > 1e-7;
  const digits = subCent && Math.abs(dollars) < 1 ? 3 : 2;
  return `$${dollars.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A URL in the text, as X detects it for billing (scheme or bare www./domain.tld links). */
export function containsUrl(text: string): boolean {
  return /\bhttps?:\/\/\S+|\bwww\.\S+\.\S+|\b[a-z0-9-]+\.(com|net|org|io|co|ly|app|dev|uk|de|fr)\b(\/\S*)?/i.test(text);
}

/** What sending a text costs on X: a summoned reply keeps its price; any other post with a URL costs the URL price. */
export function sendCost(prices: PriceTable, send: { summonedReply: boolean; text: string }): { cost: number; usual: number; why: string | null } {
  const usual = send.summonedReply ? prices.summonedReply : prices.postCreate;
  if (!send.summonedReply && containsUrl(send.text)) {
    return { cost: prices.urlPost, usual, why: 'it contains a URL and is not a reply to a post that mentions the account' };
  }
  return { cost: usual, usual, why: null };
}
