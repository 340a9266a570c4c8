import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Category, SentimentLabel } from './model.js';

/** One labelled post; a source labels only what it knows (GoEmotions has no category, banking77 no praise). */
export interface Example {
  text: string;
  category?: Category;
  sentiment?: SentimentLabel;
  needsResponse?: boolean;
  source: string;
  /** How much the example counts in training: the team's brand posts outweigh the borrowed sets. */
  weight: number;
}

export interface Split {
  train: Example[];
  test: Example[];
}

const SENTIMENT_CODES: Record<string, SentimentLabel> = { negative: 'negative', neutral: 'neutral', positive: 'positive' };

/** Team-written TSV: category, sentiment, needs (0/1), industry, text. */
export function loadTeamPosts(file: string, source: string, weight: number): Example[] {
  const lines = readFileSync(file, 'utf8').split('\n').slice(1).filter((line) => line.trim() !== '');
  return lines.map((line, i) => {
    const [category, sentiment, needs, , ...text] = line.split('\t');
    const sentimentLabel = SENTIMENT_CODES[sentiment ?? ''];
    if (!sentimentLabel || text.length === 0) throw new Error(`${file}:${i + 2}: expected category, sentiment, needs, industry, text`);
    return { text: text.join('\t'), category: category as Category, sentiment: sentimentLabel, needsResponse: needs === '1', source, weight };
  });
}

/** A post's place in train or test depends only on its text, so adding posts never reshuffles the rest. */
export function isTestText(text: string, testShare = 0.2): boolean {
  const h = createHash('sha256').update(text).digest().readUInt32BE(0);
  return h / 0x100000000 < testShare;
}

// GoEmotions "group" labels (the paper's sentiment grouping of its 27 emotions).
const GOEMOTIONS_GROUPS: Record<string, SentimentLabel | null> = { '0': null, '1': 'negative', '2': 'neutral', '3': 'positive' };

/** GoEmotions (Reddit comments), single-label rows only; "ambiguous" rows are left out. */
export function loadGoEmotions(file: string, weight: number): Example[] {
  const examples: Example[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [text, labels] = line.split('\t');
    if (!text || !labels || labels.includes(',')) continue;
    const sentiment = GOEMOTIONS_GROUPS[labels];
    if (!sentiment) continue;
    examples.push({ text: text.replace(/\[NAME\]/g, '@someone').replace(/\[RELIGION\]/g, 'religion'), sentiment, source: 'goemotions', weight });
  }
  return examples;
}

// banking77 intents that report something broken or missing.
const BANKING_PROBLEMS = new Set([
  'card_not_working', 'contactless_not_working', 'virtual_card_not_working', 'declined_card_payment',
  'declined_cash_withdrawal', 'declined_transfer', 'failed_transfer', 'top_up_failed', 'top_up_reverted',
  'pin_blocked', 'card_swallowed', 'transfer_not_received_by_recipient', 'balance_not_updated_after_cheque_or_cash_deposit',
  'balance_not_updated_after_bank_transfer', 'unable_to_verify_identity', 'lost_or_stolen_card', 'lost_or_stolen_phone',
  'compromised_card', 'card_payment_not_recognised', 'cash_withdrawal_not_recognised',
  'direct_debit_payment_not_recognised', 'reverted_card_payment?', 'wrong_amount_of_cash_received', 'Refund_not_showing_up',
]);
// Intents that object to a charge or a rate.
const BANKING_COMPLAINTS = new Set([
  'transaction_charged_twice', 'extra_charge_on_statement', 'card_payment_fee_charged', 'transfer_fee_charged',
  'cash_withdrawal_charge', 'card_payment_wrong_exchange_rate', 'wrong_exchange_rate_for_cash_withdrawal',
]);
// Still-pending money and card arrival read as problems, but their tone varies: no sentiment label.
const BANKING_WAITING = new Set(['pending_card_payment', 'pending_cash_withdrawal', 'pending_top_up', 'pending_transfer', 'card_arrival', 'request_refund']);

/** banking77: customer messages to a bank, 77 intents mapped onto our categories. */
export function loadBanking77(file: string, weight: number): Example[] {
  const examples: Example[] = [];
  const lines = readFileSync(file, 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const comma = line.lastIndexOf(',');
    if (comma < 0) continue;
    let text = line.slice(0, comma);
    const intent = line.slice(comma + 1).trim();
    if (text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).replace(/""/g, '"');
    let example: Example;
    if (BANKING_PROBLEMS.has(intent)) example = { text, category: 'problem', sentiment: 'negative', needsResponse: true, source: 'banking77', weight };
    else if (BANKING_COMPLAINTS.has(intent)) example = { text, category: 'complaint', sentiment: 'negative', needsResponse: true, source: 'banking77', weight };
    else if (BANKING_WAITING.has(intent)) example = { text, category: intent === 'request_refund' ? 'complaint' : 'problem', needsResponse: true, source: 'banking77', weight };
    else example = { text, category: 'question', sentiment: 'neutral', needsResponse: true, source: 'banking77', weight };
    examples.push(example);
  }
  return examples;
}

interface NluPlusPlusRow {
  text: string;
  intents?: string[];
}

const NLU_QUESTION_INTENTS = new Set(['request_info', 'how', 'why', 'when', 'how_much', 'how_long', 'limits']);
const NLU_DIALOGUE_ONLY = new Set(['affirm', 'deny', 'dont_know', 'acknowledge', 'greet', 'end_call', 'handoff', 'repeat']);

/** NLU++ (banking and hotels): a problem when something is wrong, lost or stolen; otherwise a question or request. */
export function loadNluPlusPlus(files: readonly string[], weight: number): Example[] {
  const examples: Example[] = [];
  for (const file of files) {
    for (const row of JSON.parse(readFileSync(file, 'utf8')) as NluPlusPlusRow[]) {
      const intents = row.intents ?? [];
      if (intents.length === 0 || intents.every((intent) => NLU_DIALOGUE_ONLY.has(intent))) continue;
      const source = 'nlu++';
      if (intents.includes('wrong_notworking_notshowing') || intents.includes('lost_stolen')) {
        examples.push({ text: row.text, category: 'problem', sentiment: 'negative', needsResponse: true, source, weight });
      } else if (intents.includes('thank') && intents.length === 1) {
        examples.push({ text: row.text, category: 'praise', sentiment: 'positive', needsResponse: false, source, weight });
      } else if (intents.some((intent) => NLU_QUESTION_INTENTS.has(intent)) || row.text.trim().endsWith('?')) {
        examples.push({ text: row.text, category: 'question', sentiment: 'neutral', needsResponse: true, source, weight });
      } else {
        // Requests ("cancel my booking") need an answer like a question does.
        examples.push({ text: row.text, category: 'question', needsResponse: true, source, weight });
      }
    }
  }
  return examples;
}

export interface DataPaths {
  /** data/ in the repository: the team's own posts and check sets. */
  team: string;
  /** Where the third-party sets are unpacked (see data/README.md); absent sets are skipped. */
  external: string;
}

export interface Corpus {
  /** Every split by source, so figures can be reported per source; `team` is always there. */
  sources: Record<string, Split>;
  /** Sources trained on: `team` alone unless third-party training was asked for. */
  trainedOn: string[];
  /** Evaluation-only sets in the repository (never trained on), by name. */
  checks: Record<string, Example[]>;
  /** Airline posts (every airline check file): the check of how the model carries to an unseen industry. */
  airline: Example[];
  /** sha256 over every text and label of the sources trained on, in order (what the weights record). */
  dataHash: string;
  /** Third-party sets not laid down in data/external/. */
  missing: string[];
}

/** Source weights: the team's brand posts are closest to what the product sees. */
export const SOURCE_WEIGHTS = { team: 1, goemotions: 0.05, banking77: 0.02, nlupp: 0.02 };

/** The team's training files, in a fixed order: data/team/customer-posts*.tsv. */
export function teamPostFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'team');
  return readdirSync(dir).filter((f) => /^customer-posts.*\.tsv$/.test(f)).sort().map((f) => join(dir, f));
}

/** Every team-written post meant for training or held-out figures, split by a stable hash of its text. */
export function loadTeamSplit(dataDir: string): Split {
  const team = teamPostFiles(dataDir).flatMap((file) => loadTeamPosts(file, 'team', SOURCE_WEIGHTS.team));
  return { train: team.filter((e) => !isTestText(e.text)), test: team.filter((e) => isTestText(e.text)) };
}

/** The hash recorded in weights trained on `sources`: it changes when any text or label does. */
export function hashSources(sources: Record<string, Split>, names: readonly string[]): string {
  const hash = createHash('sha256');
  for (const name of [...names].sort()) {
    for (const part of ['train', 'test'] as const) {
      for (const e of sources[name]![part]) hash.update(`${part}\t${e.source}\t${e.category ?? ''}\t${e.sentiment ?? ''}\t${e.needsResponse ?? ''}\t${e.weight}\t${e.text}\n`);
    }
  }
  return hash.digest('hex');
}

/** The data hash of the in-repository training data: what the shipped weights must record. */
export function inRepoDataHash(dataDir: string): string {
  return hashSources({ team: loadTeamSplit(dataDir) }, ['team']);
}

/** data/team/airline-check*.tsv and broadband-check.tsv: evaluation only. */
function loadChecks(dataDir: string): Record<string, Example[]> {
  const dir = join(dataDir, 'team');
  const checks: Record<string, Example[]> = {};
  for (const file of readdirSync(dir).filter((f) => /-check.*\.tsv$/.test(f)).sort()) {
    const name = file.replace(/\.tsv$/, '');
    checks[name] = loadTeamPosts(join(dir, file), name, 1);
  }
  return checks;
}

/**
 * The team's posts (always), the in-repo check sets, and whichever third-party sets are laid down.
 * Third-party sets are evaluated on; they are trained on only with `trainOnExternal`.
 */
export function loadCorpus(paths: DataPaths, options: { trainOnExternal?: boolean } = {}): Corpus {
  const sources: Record<string, Split> = { team: loadTeamSplit(paths.team) };
  const missing: string[] = [];
  const goemotions = join(paths.external, 'goemotions');
  if (existsSync(join(goemotions, 'train.tsv'))) {
    sources.goemotions = {
      train: [...loadGoEmotions(join(goemotions, 'train.tsv'), SOURCE_WEIGHTS.goemotions), ...loadGoEmotions(join(goemotions, 'dev.tsv'), SOURCE_WEIGHTS.goemotions)],
      test: loadGoEmotions(join(goemotions, 'test.tsv'), SOURCE_WEIGHTS.goemotions),
    };
  } else missing.push('goemotions');
  const banking = join(paths.external, 'banking77');
  if (existsSync(join(banking, 'train.csv'))) {
    sources.banking77 = {
      train: loadBanking77(join(banking, 'train.csv'), SOURCE_WEIGHTS.banking77),
      test: loadBanking77(join(banking, 'test.csv'), SOURCE_WEIGHTS.banking77),
    };
  } else missing.push('banking77');
  const nlu = join(paths.external, 'nlupp');
  if (existsSync(join(nlu, 'banking', 'fold0.json'))) {
    const folds = (from: number, to: number): string[] =>
      ['banking', 'hotels'].flatMap((domain) => Array.from({ length: to - from }, (_, i) => join(nlu, domain, `fold${from + i}.json`)));
    // Folds 16–19 of each domain are held out.
    sources['nlu++'] = { train: loadNluPlusPlus(folds(0, 16), SOURCE_WEIGHTS.nlupp), test: loadNluPlusPlus(folds(16, 20), SOURCE_WEIGHTS.nlupp) };
  } else missing.push('nlu++');
  const trainedOn = options.trainOnExternal ? Object.keys(sources).sort() : ['team'];
  const checks = loadChecks(paths.team);
  const airline = Object.entries(checks).filter(([name]) => name.startsWith('airline')).flatMap(([, examples]) => examples);
  return { sources, trainedOn, checks, airline, dataHash: hashSources(sources, trainedOn), missing };
}
