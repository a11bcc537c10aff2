import type { Locale, Reply, Urgency } from '../core/types.js';
import type { TriageResult } from '../handoff/triage.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { Decision } from './route.js';

/**
 * What triage changes in a turn. An emergency is answered first and only with
 * safety steps, the right numbers and "is it safe to keep chatting?"; an
 * urgent message keeps its answer and is offered a counsellor. When the
 * message is written in another language than the conversation's (a chosen
 * language, or one short message that did not switch it), the safety steps
 * come in both: a person in danger is never answered only in a language
 * they did not write.
 *
 * A refused request for a method ("how do I get the girls across without being
 * caught") often holds the very words of an emergency ("bị bắt", "qua biên
 * giới"). When only the phrase rules, not the learned model, read it as an
 * emergency, the refusal stays the reply (it names 111 and 113 and says a
 * person forced to ask can tell a counsellor), and the emergency ticket still
 * opens: the level is never lowered, a counsellor looks.
 */
export function applyTriage(
  kb: KnowledgeBase,
  triage: TriageResult,
  decision: Decision,
  locale: Locale,
  writtenIn: Locale = locale,
  modelUrgency?: Urgency,
): Decision {
  const m = kb.messages(locale);
  if (
    triage.level === 'emergency' &&
    decision.intent === 'refuse' &&
    modelUrgency !== undefined &&
    modelUrgency !== 'emergency'
  ) {
    return { ...decision, openTicket: 'emergency' };
  }
  if (triage.level === 'emergency') {
    const languages = writtenIn === locale ? [locale] : [locale, writtenIn];
    const text = languages.map((l) => safetySteps(kb, l, triage.abroad)).join('\n\n');
    const safety: Reply = {
      text: `${text}\n\n${m.safe_to_chat}`,
      choices: [
        { label: m.safe_yes, payload: 'cmd:safe-yes' },
        { label: m.safe_no, payload: 'cmd:safe-no' },
      ],
    };
    return {
      ...decision,
      intent: 'handoff',
      openTicket: 'emergency',
      topics: ['in-danger-now', ...decision.topics.filter((t) => t !== 'in-danger-now')],
      replies: [safety],
    };
  }
  if (triage.level === 'urgent' && decision.intent !== 'handoff' && decision.intent !== 'refuse') {
    const offer: Reply = {
      text: m.urgent_offer,
      choices: [
        { label: m.talk_to_person, payload: 'cmd:person' },
        { label: m.not_now, payload: 'cmd:menu' },
      ],
    };
    return { ...decision, replies: [...decision.replies, offer] };
  }
  return decision;
}

/** The emergency reply of one locale, with the line for people abroad when they are. */
function safetySteps(kb: KnowledgeBase, locale: Locale, abroad: boolean): string {
  const m = kb.messages(locale);
  return abroad ? `${m.emergency}\n\n${m.emergency_abroad}` : m.emergency;
}
