import type { Conversation, Locale } from '../core/types.js';
import type { Handoff } from '../handoff/handoff.js';
import type { TriageResult } from '../handoff/triage.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { format } from '../knowledge/messages.js';
import { askProfileReply } from './profile-step.js';
import type { Decision } from './route.js';

/**
 * What a turn does with the counsellor queue: open or raise a ticket and tell
 * the person their place (or, honestly, that nobody is online), withdraw a
 * request, and let the console see messages written while waiting.
 */
export async function applyHandoff(
  kb: KnowledgeBase,
  handoff: Handoff,
  conversation: Conversation,
  decision: Decision,
  screened: TriageResult,
  text: string,
  locale: Locale,
  /** Offer the optional profile question once a counsellor is actually on the way. */
  askProfile = false,
): Promise<Decision> {
  const m = kb.messages(locale);
  if (decision.cancel) {
    await handoff.cancel(conversation);
    return decision;
  }
  if (decision.openTicket) {
    const reason =
      decision.openTicket === 'emergency'
        ? 'emergency'
        : conversation.urgency === 'urgent'
          ? 'urgent-offer'
          : 'asked';
    const place = await handoff.requestPerson(
      conversation,
      conversation.urgency,
      screened.signals,
      reason,
    );
    await handoff.userMessage(conversation, text, 'none', []);
    const info = !place.withinHours
      ? { text: format(m.outside_hours, { hours: place.hoursLabel }) }
      : place.online === 0
        ? { text: m.nobody_online }
        : {
            text: format(m.queued, { position: place.position, minutes: place.waitMinutes }),
            choices: [{ label: m.cancel_button, payload: 'cmd:cancel' }],
          };
    // Only while someone is coming: when nobody can come, the person is told to call 111, and
    // a question about them would only be in the way.
    const coming = place.withinHours && place.online > 0;
    const profile = askProfile && coming ? [askProfileReply(kb, locale)] : [];
    return { ...decision, replies: [...decision.replies, info, ...profile] };
  }
  if (conversation.state === 'waiting') {
    await handoff.userMessage(conversation, text, screened.level, screened.signals);
  }
  return decision;
}
