import { describe, expect, it } from 'vitest';
import { classify, sentimentScore } from '../../src/classifier/rules.js';
import type { Category } from '../../src/store/mentions.js';

/** Hand-labelled mentions as brand accounts receive them; the label is what a person would file it under. */
export const LABELLED: readonly [string, Category][] = [
  // questions
  ['How do I change the wifi password on the new Acme hub?', 'question'],
  ['@acme_help does the 500 plan include a static IP?', 'question'],
  ['Anyone know if Acme lets you pause your contract while abroad?', 'question'],
  ["Is there a way to see my data usage for this month? Can't find it in the app", 'question'],
  ['@acme_help what time do engineers usually turn up for an install?', 'question'],
  ['Can I keep my old router with Acme or do I have to use theirs?', 'question'],
  ['Does Acme support IPv6 yet? Asking before I switch', 'question'],
  ['How long does it take Acme to port a landline number', 'question'],
  ['@acme_help where do I find my account number on the bill?', 'question'],
  ['Quick one for @acme_help - which plan do I need for 4K streaming?', 'question'],
  // complaints
  ['Third time this month Acme has charged me twice. I want a refund @acme_help', 'complaint'],
  ['Been on hold with Acme for 47 minutes. This is ridiculous.', 'complaint'],
  ["@acme_help engineer didn't show up AGAIN. Took a day off work for nothing. Acme is a joke", 'complaint'],
  ['Acme just raised my bill by £8 with no warning. Cancelling.', 'complaint'],
  ['Worst customer service ever from Acme, nobody replies to emails', 'complaint'],
  ['My Acme bill says I owe for a router I sent back in March. Sort it out @acme_help', 'complaint'],
  ['Acme promised 500Mbps and I get 40 on a good day. Want my money back', 'complaint'],
  ['Absolutely fed up with @acme_help, three weeks and still waiting for a callback', 'complaint'],
  ['Never again Acme. Switching to a proper provider as soon as my contract ends', 'complaint'],
  ['Overcharged again by acme, this is the third month running. Disgraceful', 'complaint'],
  // problems
  ['Is Acme down? No internet in Leeds since 9am @acme_help', 'problem'],
  ['Acme outage again?? Whole street offline', 'problem'],
  ['Acme broadband keeps dropping every 10 minutes since the update last night', 'problem'],
  ['@acme_help router flashing red, no connection, restarted three times', 'problem'],
  ["Anyone else on Acme getting DNS errors? Half the web won't load", 'problem'],
  ['Acme app crashes when I try to pay my bill, error 503', 'problem'],
  ['Acme wifi dead in Manchester M14, status page says all fine???', 'problem'],
  ["@acme_help the login page has been broken all morning, can't log in at all", 'problem'],
  ['acme checkout not working on mobile, card gets declined with error code 402', 'problem'],
  // feedback
  ['The new Acme app is nice but I wish it showed speed history', 'feedback'],
  ['Acme should really let you pick the install slot online instead of phoning', 'feedback'],
  ['Suggestion for @acme_help: text me when the engineer is on the way', 'feedback'],
  ['Acme hub is fine but the fan is louder than the old one', 'feedback'],
  ['It would be great if the Acme app had a dark mode', 'feedback'],
  ['Feature request for acme: let me export my bills as PDF in one go', 'feedback'],
  // praise
  ['Shoutout to @acme_help for fixing my line in 20 minutes. Great service!', 'praise'],
  ['Switched to Acme last month and honestly the speed is amazing', 'praise'],
  ['Acme engineer was brilliant, friendly and sorted everything. Thanks!', 'praise'],
  ['Rare to say this about an ISP but Acme support is excellent', 'praise'],
  ['Love my Acme fibre, gaming with zero lag now', 'praise'],
  ['Thank you @acme_help, the new router works perfectly', 'praise'],
  // promo
  ['Does Acme have any discount codes for existing customers?', 'promo'],
  ['@acme_help any Black Friday deals on the 900 plan?', 'promo'],
  ['Is there an Acme student discount? Moving into halls next week', 'promo'],
  ['Got an Acme referral coupon if anyone wants one, DM me', 'promo'],
  ['Will Acme price match what the other lot are offering new customers?', 'promo'],
  // other
  ['Lovely walk up the Acme trail this morning, the view was worth it', 'other'],
  ['Acme Road closed for roadworks again, avoid', 'other'],
  ['Reading the Acme annual report on the train', 'other'],
  ['Acme anvils in the new Looney Tunes exhibit', 'other'],
  // written after the rules, as a check on over-fitting
  ['my acme parcel tracker has said "out for delivery" for 4 days, unreal', 'complaint'],
  ['@acme_help TV box stuck on the loading screen since this morning', 'problem'],
  ['What are your opening hours on Sunday @acme_help', 'question'],
  ['cheers @acme_help, all working again 👍', 'praise'],
  ['Any chance of a loyalty discount? Been with acme 9 years', 'promo'],
  ['Would love to see Acme add eSIM support for the tablet plan', 'feedback'],
  ['acme support chat closed the conversation on me twice. Useless.', 'complaint'],
  ['Signal keeps cutting out on my Acme phone whenever I leave the house', 'problem'],
  ['acme bill went up again and nobody told me', 'complaint'],
  ['Watching the match at the Acme Arena tonight', 'other'],
];

describe('classification at ingest', () => {
  it(`files at least 85% of ${LABELLED.length} hand-labelled mentions under the category a person chose`, () => {
    expect(LABELLED.length).toBeGreaterThanOrEqual(40);
    const misses = LABELLED.map(([text, label]) => ({ text, label, got: classify(text).category })).filter((r) => r.got !== r.label);
    const accuracy = 1 - misses.length / LABELLED.length;
    expect(accuracy, `accuracy ${(accuracy * 100).toFixed(1)}%; misses:\n${misses.map((m) => `  ${m.label} → ${m.got}: ${m.text}`).join('\n')}`).toBeGreaterThanOrEqual(0.85);
  });

  it('gets every category right at least most of the time', () => {
    const categories = [...new Set(LABELLED.map(([, c]) => c))];
    for (const category of categories) {
      const cases = LABELLED.filter(([, c]) => c === category);
      const right = cases.filter(([text]) => classify(text).category === category).length;
      expect(right / cases.length, category).toBeGreaterThanOrEqual(0.6);
    }
  });

  it('scores sentiment from -1 to 1: complaints sour, praise sweet, plain questions near zero', () => {
    expect(sentimentScore('Worst customer service ever, this is ridiculous and terrible')).toBeLessThan(-0.7);
    expect(sentimentScore('Brilliant engineer, amazing service, thank you!')).toBeGreaterThan(0.7);
    expect(Math.abs(sentimentScore('What time do engineers turn up for an install'))).toBeLessThan(0.3);
    expect(sentimentScore('not good')).toBeLessThan(0);
    for (const [text] of LABELLED) {
      const s = classify(text).sentiment;
      expect(s).toBeGreaterThanOrEqual(-1);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('does not read the brand handle as a word and survives odd input', () => {
    expect(classify('@acme_down_help thanks for the quick fix, brilliant').category).toBe('praise');
    expect(classify('').category).toBe('other');
    expect(classify('\u001b[2J\u0000 ???').category).toBe('question');
    expect(classify('🙂🙂🙂').category).toBe('other');
  });
});
