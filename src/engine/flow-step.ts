import type { FlowState } from '../core/flow-types.js';
import type { Conversation, Inbound, Locale, Reply } from '../core/types.js';
import { continueFlow, type FlowTools, startFlow } from '../flows/run-flow.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { withNote } from './replies.js';
import type { Decision } from './route.js';

/**
 * Turns that belong to a guided check: start one (button or typed request),
 * answer its current step, or come back to it. A question typed in the middle
 * of a check gets its answer, with a button to go back to the same step.
 * Returns undefined when the turn has nothing to do with a check.
 */
export async function decideFlow(
  kb: KnowledgeBase,
  tools: FlowTools,
  conversation: Conversation,
  inbound: Inbound,
  text: string,
  locale: Locale,
  answerOtherwise: () => Decision,
): Promise<Decision | undefined> {
  const active = conversation.context.flow;
  const requested = inbound.choice?.startsWith('flow:')
    ? inbound.choice.slice('flow:'.length)
    : inbound.choice
      ? undefined
      : kb.intents.flowRequest(text);
  if (requested) {
    const def = kb.flow(requested, locale);
    if (!def) return undefined;
    const started = fromOutput(await startFlow(def, tools), requested);
    return { ...started, replies: noted(kb.untranslatedNote(locale, def.locale), started.replies) };
  }
  if (!active) return undefined;
  const def = kb.flow(active.id, locale);
  if (!def) return { intent: 'command', topics: [], replies: [], context: { flow: undefined } };
  if (inbound.choice === 'cmd:flow-resume') {
    const step = def.steps[active.step];
    return {
      intent: 'flow',
      topics: [],
      replies: step
        ? [
            {
              text: step.say,
              ...(step.choices
                ? {
                    choices: step.choices.map((c) => ({
                      label: c.label,
                      payload: `flow-answer:${c.value}`,
                    })),
                  }
                : {}),
            },
          ]
        : [],
    };
  }
  // Any other button or command (menu, language, a person, delete) leaves the check.
  if (inbound.choice && !inbound.choice.startsWith('flow-answer:'))
    return { ...answerOtherwise(), context: { flow: undefined } };
  if (!inbound.choice && (kb.intents.isCancel(text) || kb.intents.isMenu(text))) {
    return { ...answerOtherwise(), context: { flow: undefined } };
  }
  const output = await continueFlow(
    def,
    active,
    { text, ...(inbound.choice ? { choice: inbound.choice } : {}) },
    tools,
  );
  if (output.unmatched) {
    const answer = answerOtherwise();
    const m = kb.messages(locale);
    return {
      ...answer,
      replies: [
        ...answer.replies,
        { text: def.title, choices: [{ label: m.flow_resume, payload: 'cmd:flow-resume' }] },
      ],
    };
  }
  return fromOutput(output, active.id);

  function fromOutput(out: Awaited<ReturnType<typeof continueFlow>>, _id: string): Decision {
    return {
      intent: 'flow',
      topics: [],
      replies: out.replies,
      context: { flow: out.state as FlowState | undefined },
      ...(out.escalate ? { raiseTo: out.escalate } : {}),
    };
  }
}

/** A check not translated yet says so once, above its first question. */
function noted(note: string | undefined, replies: Reply[]): Reply[] {
  const [first, ...rest] = replies;
  return note && first ? [{ ...first, text: withNote(note, first.text) }, ...rest] : replies;
}
