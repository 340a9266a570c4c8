/** Times for a person reading a terminal: "5m ago", "3h ago", "2d ago"; RFC 3339 is for pipes and JSON. */
export function relativeTime(at: number, now: number): string {
  const ms = now - at;
  if (ms < 0) return 'in the future';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  const days = Math.floor(hours / 24);
  if (days < 60) return `${days}d ago`;
  return `${Math.floor(days / 30)}mo ago`;
}
