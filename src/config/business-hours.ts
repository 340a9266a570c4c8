import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Opening hours of one weekday: `09:00-17:30` (local time in the config's zone), or `closed`. */
const dayHours = z.string().transform((text, ctx) => {
  const value = text.trim().toLowerCase();
  if (value === 'closed') return null;
  const match = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(value);
  const open = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  const close = match ? Number(match[3]) * 60 + Number(match[4]) : NaN;
  if (!match || Number(match[2]) > 59 || Number(match[4]) > 59 || open >= close || close > 24 * 60) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not opening hours (use e.g. 09:00-17:30, or closed)` });
    return z.NEVER;
  }
  return { open, close };
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use ISO dates like 2026-12-25');

/**
 * `businessHours` in config: per-weekday opening hours (a weekday left out is closed) and holidays.
 * When set, SLA deadlines and first-response times count open hours only.
 */
export const businessHoursSchema = z
  .strictObject({
    mon: dayHours.optional(),
    tue: dayHours.optional(),
    wed: dayHours.optional(),
    thu: dayHours.optional(),
    fri: dayHours.optional(),
    sat: dayHours.optional(),
    sun: dayHours.optional(),
    holidays: z.array(isoDate).default([]),
  })
  .transform((raw) => ({
    /** Monday first; null = closed all day. Minutes since local midnight. */
    days: WEEKDAYS.map((d) => raw[d] ?? null),
    holidays: raw.holidays,
  }))
  .refine((hours) => hours.days.some((d) => d !== null), 'open on at least one weekday (e.g. mon: 09:00-17:30)');

export type BusinessHours = z.output<typeof businessHoursSchema>;
