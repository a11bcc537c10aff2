import type { Conversation, Inbound, Locale, Reply } from '../core/types.js';
import type { FlowTools } from '../flows/run-flow.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { Decision } from './route.js';

/**
 * The optional profile the hotline reports by (who got in touch, from which
 * province): offered once, when a person asks for a counsellor and is not in
 * danger, always with "skip". Nothing else about the person is asked.
 */

const CALLERS = ['self', 'relative-or-friend', 'other'] as const;

export function askProfileReply(kb: KnowledgeBase, locale: Locale): Reply {
  const m = kb.messages(locale);
  const labels = [m.profile_self, m.profile_relative, m.profile_other];
  return {
    text: m.profile_ask,
    choices: [
      ...CALLERS.map((c, i) => ({ label: labels[i] as string, payload: `profile:caller:${c}` })),
      { label: m.profile_skip, payload: 'profile:skip' },
    ],
  };
}

/** A pressed profile button, or the typed province after the question; undefined otherwise. */
export function profileStep(
  kb: KnowledgeBase,
  tools: FlowTools,
  conversation: Conversation,
  inbound: Inbound,
  text: string,
  locale: Locale,
): Decision | undefined {
  const m = kb.messages(locale);
  const profile = conversation.context.profile ?? {};
  const done = (extra: Partial<Decision> = {}): Decision => ({
    intent: 'command',
    topics: [],
    replies: [{ text: m.profile_thanks }],
    context: { profileStep: undefined },
    ...extra,
  });
  const choice = inbound.choice ?? '';
  if (choice === 'profile:skip') return done();
  const caller = CALLERS.find((c) => choice === `profile:caller:${c}`);
  if (caller) {
    return {
      intent: 'command',
      topics: [],
      replies: [
        {
          text: m.profile_province_ask,
          choices: [{ label: m.profile_skip, payload: 'profile:skip' }],
        },
      ],
      context: { profile: { ...profile, callerType: caller }, profileStep: 'province' },
    };
  }
  if (conversation.context.profileStep !== 'province' || inbound.choice) return undefined;
  // Only a short answer that names a province is taken ("Lào Cai", "ở Hà Tây cũ");
  // anything longer is a new message and goes through the normal route.
  const short = text.trim().split(/\s+/).length <= 4;
  const found = short ? tools.findProvince(text) : undefined;
  return found
    ? done({ context: { profile: { ...profile, province: found.name }, profileStep: undefined } })
    : undefined;
}
