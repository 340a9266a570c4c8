import type { Config } from '../config/schema.js';

/** The first-response target for a platform: its own entry in `sla`, else `sla.default`, else 24 h. */
export function slaTarget(config: Pick<Config, 'sla'>, platform: string): number {
  return config.sla[platform] ?? config.sla.default ?? 86_400_000;
}

/** When the first response is due (calendar clock). */
export function slaDeadline(createdAt: number, target: number): number {
  return createdAt + target;
}
