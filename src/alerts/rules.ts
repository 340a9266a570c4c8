/**
 * Alert rules: pure functions from what the store knows after a poll to the alerts that poll raises.
 * Each alert has a unique key (one per mention per reason, one per spike episode), so evaluating
 * twice raises nothing twice; the store ignores keys it already holds.
 */
import { formatDuration } from '../config/duration.js';
import { sanitizeLine, truncate } from '../io/sanitize.js';
import { LEVEL_FLOOR, priorityLevel, type PriorityLevel } from '../triage/levels.js';
import { atCreation, engagement, engagementGrowth, FIRST_SIGHT_AGE, type EngagementReading } from '../metrics/engagement.js';
import { awaitingFirstResponse } from '../metrics/response.js';
import { isPastDeadline } from '../metrics/sla.js';
import type { Category, Status } from '../store/mentions.js';
import type { Channel } from '../metrics/vocabulary.js';

export const ALERT_KINDS = ['new', 'sla_soon', 'breach', 'viral', 'spike'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface RuleSettings {
  minPriority: PriorityLevel;
  slaLead: number;
  slaMinPriority: PriorityLevel;
  maxAge: number;
  viral: { perHour: number; minGrowth: number };
  spike: { window: number; baseline: number; factor: number; minCount: number; cooldown: number };
}

/** An open mention as the rules see it. */
export interface MentionFacts {
  id: number;
  platform: string;
  url: string | null;
  authorHandle: string;
  text: string;
  keywords: string[];
  createdAt: number;
  status: Status;
  category: Category | null;
  sentiment: number | null;
  priority: number;
  firstResponseAt: number | null;
  /** The latest engagement reading; null when never read. */
  engagement: EngagementReading | null;
  /** The reading of the poll before (src/metrics/engagement.ts); null until a second one. */
  previousEngagement: EngagementReading | null;
  /** First-response target and deadline (from src/metrics/sla.ts). */
  slaTarget: number;
  deadline: number;
  /** A direct message: its alerts name the sender and link it, never its text. */
  channel?: Channel;
}

/** Mentions of one keyword: in the spike window, and in the baseline before it. */
export interface KeywordVolume {
  keyword: string;
  recent: number;
  recentNegative: number;
  baseline: number;
  baselineNegative: number;
  /** Length of history the baseline counts cover (ms); shorter than a window means "too little history to judge". */
  baselineSpan: number;
}

export interface RuleInput {
  now: number;
  settings: RuleSettings;
  /** Open mentions (status new or open). */
  mentions: readonly MentionFacts[];
  /** Mentions with a higher id arrived since the last evaluation; null on the very first one. */
  lastSeenMentionId: number | null;
  volumes: readonly KeywordVolume[];
  /** Spike alerts raised within the last `maxAge` + `cooldown`: their episodes still cover mentions. */
  spikes: readonly { keyword: string; at: number; key: string }[];
}

export interface RaisedAlert {
  key: string;
  kind: AlertKind;
  mentionId: number | null;
  keyword: string | null;
  /** One line, already sanitised: the terminal line and the webhook text. */
  title: string;
  /** Figures behind the alert, for the webhook payload and `alerts --json`. */
  details: Record<string, number | string | null>;
  /** Key of the spike alert that speaks for this one; such alerts are logged but not delivered. */
  foldedInto: string | null;
}

export interface RuleOutput {
  alerts: RaisedAlert[];
}

function atLeast(priority: number, level: PriorityLevel): boolean {
  return priority >= LEVEL_FLOOR[level];
}

/** `: "the text"` — nothing for a direct message, whose text stays private. */
function quote(m: MentionFacts): string {
  return m.channel === 'dm' ? '' : `: "${truncate(sanitizeLine(m.text), 100)}"`;
}

function who(m: MentionFacts): string {
  return `@${truncate(sanitizeLine(m.authorHandle), 30)} on ${m.platform}`;
}

function mentionDetails(m: MentionFacts): RaisedAlert['details'] {
  return { level: priorityLevel(m.priority) };
}

/** Spike alerts first (so the mention alerts they cover can point at them), then per mention: new, viral, SLA. */
export function evaluateAlerts(input: RuleInput): RuleOutput {
  const { now, settings } = input;
  const alerts: RaisedAlert[] = [];

  // A spike episode covers its keyword's mentions created from the start of its window to the end of
  // its cooldown: one alert speaks for all of them, now and when their SLA deadlines pass.
  const episodes: { keyword: string; from: number; until: number; key: string }[] = input.spikes.map((s) => ({
    keyword: s.keyword,
    from: s.at - settings.spike.window,
    until: s.at + settings.spike.cooldown,
    key: s.key,
  }));
  for (const v of input.volumes) {
    if (episodes.some((e) => e.keyword === v.keyword && now < e.until)) continue;
    const spike = detectSpike(v, settings.spike);
    if (!spike) continue;
    const key = `spike:${v.keyword}:${now}`;
    const negative = spike.negative ? `; ${v.recentNegative} are problem reports, complaints or negative` : '';
    alerts.push({
      key,
      kind: 'spike',
      mentionId: null,
      keyword: v.keyword,
      title: `Spike: ${v.recent} mentions of "${truncate(sanitizeLine(v.keyword), 40)}" in the last ${formatDuration(settings.spike.window)} (usually ${round1(spike.expected)})${negative}`,
      details: {
        window: settings.spike.window,
        count: v.recent,
        negative: v.recentNegative,
        usual: round1(spike.expected),
        usualNegative: round1(spike.expectedNegative),
      },
      foldedInto: null,
    });
    episodes.push({ keyword: v.keyword, from: now - settings.spike.window, until: now + settings.spike.cooldown, key });
  }
  const foldedBy = (m: MentionFacts): string | null =>
    episodes.find((e) => m.keywords.includes(e.keyword) && m.createdAt >= e.from && m.createdAt < e.until)?.key ?? null;

  // Oldest first: the receiver hears about mentions in the order they were posted.
  const ordered = [...input.mentions].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  for (const m of ordered) {
    const folded = foldedBy(m);
    const raise = (kind: AlertKind, title: string, details: RaisedAlert['details'] = {}) =>
      alerts.push({ key: `${kind}:${m.id}`, kind, mentionId: m.id, keyword: m.keywords[0] ?? null, title, details: { ...mentionDetails(m), ...details }, foldedInto: folded });

    const arrived = input.lastSeenMentionId === null || m.id > input.lastSeenMentionId;
    if (arrived && atLeast(m.priority, settings.minPriority) && now - m.createdAt <= settings.maxAge) {
      const due = awaitingFirstResponse(m) ? ` — ${dueText(m.deadline - now)}` : '';
      const what = m.category ? `${m.category}, ` : '';
      raise('new', `New ${priorityLevel(m.priority)} ${m.channel === 'dm' ? 'DM' : 'mention'} from ${who(m)} (${what}priority ${Math.round(m.priority)})${due}${quote(m)}`);
    }

    if (m.engagement !== null) {
      // Without a previous reading, a young post is measured from its creation (nothing then); an older one waits for the next poll.
      const young = m.engagement.at - m.createdAt <= FIRST_SIGHT_AGE;
      const from = m.previousEngagement ?? (young ? atCreation(m.createdAt) : null);
      const growth = from && engagementGrowth(m.engagement, from);
      if (growth && m.category !== 'praise' && growth.gained >= settings.viral.minGrowth && growth.perHour >= settings.viral.perHour) {
        raise('viral', `Going viral: ${who(m)} gained ${growth.gained} interactions in ${formatDuration(growth.over)} (${Math.round(growth.perHour)}/h)${quote(m)}`, {
          growth: growth.gained,
          perHour: Math.round(growth.perHour),
          engagement: engagement(m.engagement),
        });
      }
    }

    if (awaitingFirstResponse(m) && atLeast(m.priority, settings.slaMinPriority)) {
      const target = formatDuration(m.slaTarget);
      if (isPastDeadline(m.deadline, now)) {
        if (now - m.deadline <= settings.maxAge) {
          raise('breach', `SLA breached: ${who(m)} has waited ${formatDuration(now - m.createdAt)} (target ${target})${quote(m)}`);
        }
      } else if (m.deadline - now <= settings.slaLead) {
        raise('sla_soon', `SLA soon: ${who(m)} is ${dueText(m.deadline - now)} (target ${target})${quote(m)}`);
      }
    }
  }
  return { alerts };
}

function dueText(left: number): string {
  return left > 0 ? `due in ${formatDuration(left)}` : `overdue by ${formatDuration(-left)}`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * A spike: at least `minCount` mentions in the window and at least `factor` times the usual count
 * for a window of that length — in all mentions of the keyword, or in its negative ones.
 */
export function detectSpike(
  v: KeywordVolume,
  spike: RuleSettings['spike'],
): { expected: number; expectedNegative: number; volume: boolean; negative: boolean } | null {
  // Too little history to know what is usual: never call a backlog a spike.
  if (v.baselineSpan < spike.window) return null;
  const scale = spike.window / v.baselineSpan;
  const expected = v.baseline * scale;
  const expectedNegative = v.baselineNegative * scale;
  // At least one mention per window is assumed usual, so a quiet keyword needs a real burst.
  const volume = v.recent >= spike.minCount && v.recent >= spike.factor * Math.max(expected, 1);
  const negative = v.recentNegative >= spike.minCount && v.recentNegative >= spike.factor * Math.max(expectedNegative, 1);
  if (!volume && !negative) return null;
  return { expected, expectedNegative, volume, negative };
}
