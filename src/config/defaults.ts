/** The first-response target when the config names none for a platform and has no `sla.default`: 24 h. */
export const DEFAULT_SLA_TARGET = 86_400_000;
