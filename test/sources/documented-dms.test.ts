import { describe, expect, it } from 'vitest';
import { createdDmResponse, dmEventsResponse, mapDmEvents, billedDms } from '../../src/sources/twitter/direct-messages.js';
import { twitterDmCreated, twitterDmEvents, blueskyChat } from '../fixtures/documented.js';
import { getMessagesOutput, listConvosOutput, mapMessages, textMessages } from '../../src/sources/bluesky/direct-messages.js';

/** The DM mappings on the platforms' documented responses (test/fixtures/<platform>/README.md). */
describe('documented DM payloads', () => {
  it("X's GET /2/dm_events example maps to one DM of the queue, billed as a DM event and a user", () => {
    const at = Date.parse('2026-11-30T10:00:00Z');
    const page = dmEventsResponse.parse(twitterDmEvents(at));
    const [dm, ...rest] = mapDmEvents(page, '1');
    expect(rest).toEqual([]);
    expect(dm).toMatchObject({
      platform: 'twitter',
      externalId: '1234567890',
      channel: 'dm',
      dmConversationId: '1346889436626259968',
      authorId: '9876543210',
      authorHandle: 'customer',
      text: 'Hello! How are you?',
      createdAt: at,
      url: 'https://x.com/messages/1346889436626259968',
    });
    expect(billedDms(page)).toEqual([
      { kind: 'dm', id: '1234567890' },
      { kind: 'user', id: '9876543210' },
    ]);
    expect(page.meta.next_token).toBe('abc123');
  });

  it("our own messages are not the customer's: a page of ours maps to nothing", () => {
    const page = dmEventsResponse.parse(twitterDmEvents());
    expect(mapDmEvents(page, '9876543210')).toEqual([]);
  });

  it("X's DM create answer, inside data (OpenAPI) or bare (the older reference), gives the event id", () => {
    expect(createdDmResponse.parse(twitterDmCreated())).toEqual({ dm_conversation_id: '1346889436626259968', dm_event_id: '128341038123' });
    expect(createdDmResponse.parse(twitterDmCreated().data)).toEqual({ dm_conversation_id: '1346889436626259968', dm_event_id: '128341038123' });
  });

  it("Bluesky's lexicon-built chat outputs: the customer's message is a DM, ours and the deleted one are not", () => {
    const { list, messages } = blueskyChat(Date.parse('2026-11-30T10:00:00Z'));
    const convo = listConvosOutput.parse(list).convos[0]!;
    const page = textMessages(getMessagesOutput.parse(messages));
    expect(page.map((m) => m.id)).toEqual(['3l2pz5jhbx22q', '3l2pz5jhbx22m']);
    const dms = mapMessages(convo, page, 'did:plc:z72i7hdynmk6r22z27h6tvur', '2026-11-30T00:00:00.000Z');
    expect(dms).toEqual([
      expect.objectContaining({
        platform: 'bluesky',
        externalId: '3l2pz5jhbx22q',
        authorHandle: 'atproto.com',
        authorId: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
        text: 'Hi! Our order arrived broken & the box said <fragile>.',
        createdAt: Date.parse('2026-11-30T10:00:00Z'),
        channel: 'dm',
        dmConversationId: '3ku7w6h4vog2d',
        url: 'https://bsky.app/messages/3ku7w6h4vog2d',
      }),
    ]);
    // Only what was sent after the committed time is new.
    expect(mapMessages(convo, page, 'did:plc:z72i7hdynmk6r22z27h6tvur', '2026-11-30T10:00:00.000Z')).toEqual([]);
  });
});
