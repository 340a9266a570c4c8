// Types of bench/data.js for the tests that check the generator.
import type { NewMention, OwnReply } from '../src/sources/types.js';

export const HOUR: number;
export const DAY: number;
export const ID_BASE: bigint;

export interface GeneratedRow {
  platform: string;
  external_id: string;
  author_handle: string;
  text: string;
  created_at: number;
  in_reply_to: string | null;
  conversation_id: string;
  status: string;
  response: number | null;
  native: boolean;
  [column: string]: unknown;
}

export interface EarlierRow {
  platform: string;
  external_id: string;
  conversation_id: string | null;
  author_handle: string;
  created_at: number;
}

export interface GeneratorOptions {
  seed: number;
  count: number;
  start: number;
  end: number;
  idBase?: bigint;
  earlier?: EarlierRow[];
}

export function generateMentions(options: GeneratorOptions, emit: (row: GeneratedRow) => void): void;
export function pollPages(options: GeneratorOptions & { pageSize?: number }): { mentions: NewMention[]; ownReplies: OwnReply[] }[];
export function newMentions(options: GeneratorOptions): NewMention[];
