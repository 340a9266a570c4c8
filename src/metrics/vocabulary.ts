/** A mention's statuses and categories (DESIGN §4): the words every layer shares. */
export const STATUSES = ['new', 'open', 'replied', 'private', 'resolved', 'ignored', 'spam'] as const;
export type Status = (typeof STATUSES)[number];
export const CATEGORIES = ['question', 'complaint', 'problem', 'feedback', 'praise', 'promo', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Where a customer wrote, and where we answer: in public, or by direct message. */
export const CHANNELS = ['public', 'dm'] as const;
export type Channel = (typeof CHANNELS)[number];
