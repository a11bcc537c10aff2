import type { Locale, Reply } from '../core/types.js';
import type { TriageResult } from '../handoff/triage.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { Decision } from './route.js';

/**
 * What triage changes in a turn. An emergency is answered first and only with
 * safety steps, the right numbers and "is it safe to keep chatting?"; an
 * urgent message keeps its answer and is offered a counsellor.
 */
export function applyTriage(
  kb: KnowledgeBase,
  triage: TriageResult,
  decision: Decision,
  locale: Locale,
): Decision {
  const m = kb.messages(locale);
  if (triage.level === 'emergency') {
    const text = triage.abroad ? `${m.emergency}\n\n${m.emergency_abroad}` : m.emergency;
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
