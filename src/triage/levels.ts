/** Priority is a score from 0 to 100; alerts and the triage view speak of it in four levels. */
export const PRIORITY_LEVELS = ['low', 'normal', 'high', 'urgent'] as const;
export type PriorityLevel = (typeof PRIORITY_LEVELS)[number];

/** Lowest score of each level. */
export const LEVEL_FLOOR: Record<PriorityLevel, number> = { low: 0, normal: 25, high: 50, urgent: 75 };

export function priorityLevel(score: number): PriorityLevel {
  if (score >= LEVEL_FLOOR.urgent) return 'urgent';
  if (score >= LEVEL_FLOOR.high) return 'high';
  if (score >= LEVEL_FLOOR.normal) return 'normal';
  return 'low';
}
