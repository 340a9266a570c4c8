import pRetry, { AbortError } from 'p-retry';
import type { AlertRecord } from '../store/alerts.js';

export interface WebhookTarget {
  url: string;
  timeout: number;
  attempts: number;
  baseDelay: number;
}

/** The URL's path and query may hold a secret (Slack's do): messages name the origin only. */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the webhook';
  }
}

/** Slack mrkdwn treats `<…>` as links and mentions (`<!channel>`): platform text must not reach it raw. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The documented webhook body: Slack-compatible `text`, plus the whole alert under `alert` for other
 * receivers (Slack ignores fields it does not know).
 */
export function webhookBody(alert: AlertRecord): { text: string; alert: Record<string, unknown> } {
  const mention = alert.payload.mention as { url?: string | null } | null | undefined;
  const link = mention?.url && /^https?:\/\//.test(mention.url) ? ` <${slackEscape(mention.url)}|open>` : '';
  return { text: `${slackEscape(alert.title)}${link}`, alert: { id: alert.id, ...alert.payload } };
}

export type DeliveryOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; error: string };

/** POST one alert; 5xx, 429, timeouts and network errors are retried with exponential backoff. */
export async function postAlert(target: WebhookTarget, alert: AlertRecord): Promise<DeliveryOutcome> {
  const origin = webhookOrigin(target.url);
  const redact = (message: string) => message.split(target.url).join(`${origin}/…`);
  const body = JSON.stringify(webhookBody(alert));
  let attempts = 0;
  try {
    await pRetry(
      async () => {
        attempts++;
        let response: Response;
        try {
          response = await fetch(target.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'brandwatch', 'idempotency-key': alert.key },
            body,
            redirect: 'error',
            signal: AbortSignal.timeout(target.timeout),
          });
        } catch (error) {
          const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
          throw new Error(`cannot reach it (${redact(cause)})`);
        }
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        const message = `answered ${response.status}`;
        if (response.status >= 500 || response.status === 429 || response.status === 408) throw new Error(message);
        throw new AbortError(`${message}; check the webhook URL`);
      },
      { retries: target.attempts - 1, minTimeout: target.baseDelay, factor: 2, randomize: true },
    );
    return { ok: true, attempts };
  } catch (error) {
    return { ok: false, attempts, error: redact((error as Error).message) };
  }
}
