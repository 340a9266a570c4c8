/** The first-response target when the config names none for a platform and has no `sla.default`: 24 h. */
export const DEFAULT_SLA_TARGET = 86_400_000;

/**
 * Prefix of the DM targets in the parsed `sla` (`sla.dm.twitter` is read as `dm:twitter`): src/metrics/sla.ts
 * reads them. Here, not in the schema, so that reading a target does not load the config's validation.
 */
export const DM_SLA_PREFIX = 'dm:';
