/**
 * `doctor`'s line about direct messages: what each platform needs to bring the brand's DMs into the
 * queue, and why Facebook Messenger and Instagram DMs are not read.
 */
import type { SourceConfig } from '../config/schema.js';
import { formatMoney, X_PRICES } from '../metrics/cost.js';
import type { SourceCheck } from './types.js';

const NAME = 'direct messages';

/** The check for one source, from its config and whether the built source can send DMs (credentials present); null where DMs do not apply. */
export function directMessagesCheck(source: SourceConfig, canSend: boolean): SourceCheck | null {
  switch (source.platform) {
    case 'twitter': {
      const prices = { ...X_PRICES, ...source.prices };
      const what = `GET /2/dm_events (${formatMoney(prices.dmEventRead)} a DM event, once per UTC day; a quiet poll asks for 1) and DMs sent with POST /2/dm_conversations/with/:id/messages (${formatMoney(prices.dmCreate)} each)`;
      if (!source.directMessages) return { name: NAME, status: 'ok', detail: `off; directMessages: true reads ${what}` };
      if (!canSend) return { name: NAME, status: 'fail', detail: 'directMessages is on but there is no user token', fix: 'set userTokenEnv to an OAuth 2 user token of the brand account with dm.read dm.write tweet.read users.read, and export it' };
      return { name: NAME, status: 'ok', detail: `read and answered: ${what}; the user token needs dm.read and dm.write` };
    }
    case 'mastodon':
      if (!source.directMessages) return { name: NAME, status: 'ok', detail: 'off; directMessages: true keeps the direct statuses to the brand (they come with the mention notifications, no request of their own) and answers with direct statuses' };
      if (!canSend) return { name: NAME, status: 'fail', detail: 'directMessages is on but there is no access token', fix: 'set accessTokenEnv to a token with read:notifications, read:statuses and write:statuses (Preferences → Development)' };
      return { name: NAME, status: 'ok', detail: 'direct statuses to the brand come with the mention notifications; answers are direct statuses naming the customer; the DM list (GET /api/v1/conversations) is read only to check an answer of unknown outcome' };
    case 'bluesky':
      if (!source.directMessages) return { name: NAME, status: 'ok', detail: 'off; directMessages: true reads the chats (chat.bsky.convo.listConvos, getMessages) through the PDS chat proxy' };
      return {
        name: NAME,
        status: 'ok',
        detail: 'chats read through the PDS chat proxy (one listConvos a poll, one getMessages per conversation with news) and answered with sendMessage',
        fix: 'the app password must be created with "Allow access to your direct messages" (Settings → Privacy and security → App passwords); without it the chat service refuses it',
      };
    case 'facebook':
      return {
        name: NAME,
        status: 'ok',
        detail:
          "Messenger (the Page's inbox) and Instagram DMs are not read: Meta gives those to apps only after App Review grants pages_messaging and instagram_manage_messages (Advanced Access), which a self-serve tool cannot count on",
      };
    default:
      return null;
  }
}
