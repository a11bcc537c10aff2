import type { FlowDefinition, FlowOutput, FlowState, FlowStep } from '../core/flow-types.js';
import type { Reply } from '../core/types.js';
import type { FoundSign } from './job-ad.js';
import { matchChoice } from './typed-answer.js';

/** What flows may look up; given by the engine, so the interpreter itself does no I/O. */
export interface FlowTools {
  analyzeAd(text: string, locale: string): FoundSign[];
  findProvince(text: string): { name: string; former: string[] } | undefined;
  directory(
    province: string,
    need: string,
    locale: string,
  ): { name: string; note?: string; contacts: { value: string; hours: string }[] }[];
  /** Undefined when no list of licensed companies has been imported. */
  lookupCompany(
    query: string,
  ): Promise<{ date: string; matches: { name: string; licence: string }[] } | undefined>;
}

export const ANSWER_PREFIX = 'flow-answer:';
const fill = (t: string, v: Record<string, string>) =>
  t.replace(/\{(\w+)\}/g, (w, k: string) => v[k] ?? w);

function ask(step: FlowStep): Reply {
  return {
    text: step.say,
    ...(step.choices
      ? {
          choices: step.choices.map((c) => ({
            label: c.label,
            payload: `${ANSWER_PREFIX}${c.value}`,
          })),
        }
      : {}),
  };
}

/** Moves to `stepId`, skipping questions the pasted ad already answered, and says what comes next. */
async function goTo(
  def: FlowDefinition,
  state: FlowState,
  stepId: string,
  tools: FlowTools,
  said: Reply[],
): Promise<FlowOutput> {
  let step = def.steps[stepId] as FlowStep;
  while (step.skipIfSign && state.signs.some((s) => s.id === step.skipIfSign) && step.next) {
    step = def.steps[step.next] as FlowStep;
  }
  if (step.kind === 'end') return finish(def, state, step, tools, said);
  return { state: { ...state, step: step.id }, replies: [...said, ask(step)] };
}

export async function startFlow(def: FlowDefinition, tools: FlowTools): Promise<FlowOutput> {
  const state: FlowState = {
    id: def.id,
    step: def.start,
    score: 0,
    reasons: [],
    signs: [],
    answers: {},
  };
  return goTo(def, state, def.start, tools, [{ text: def.title }]);
}

/** The person's answer to the current step: a pressed choice or typed text. */
export async function continueFlow(
  def: FlowDefinition,
  state: FlowState,
  input: { text: string; choice?: string },
  tools: FlowTools,
): Promise<FlowOutput> {
  const step = def.steps[state.step];
  if (!step) return startFlow(def, tools);
  if (step.kind === 'choice') {
    const pressed = input.choice?.startsWith(ANSWER_PREFIX)
      ? input.choice.slice(ANSWER_PREFIX.length)
      : undefined;
    const chosen = pressed
      ? step.choices?.find((c) => c.value === pressed)
      : matchChoice(input.text, step.choices ?? []);
    if (!chosen) return { state, replies: [], unmatched: true };
    const next: FlowState = {
      ...state,
      score: state.score + (chosen.score ?? 0),
      reasons: chosen.reason ? [...state.reasons, chosen.reason] : state.reasons,
      answers: { ...state.answers, [step.id]: chosen.value },
    };
    return goTo(def, next, step.next as string, tools, []);
  }
  const text = input.text.trim();
  if (step.tool === 'job-ad') {
    const signs = tools.analyzeAd(text, def.locale);
    const found: Reply = signs.length
      ? { text: [def.texts.found, ...signs.map((s) => `• ${s.label} («${s.words}»)`)].join('\n') }
      : { text: def.texts.none_found ?? '' };
    const next: FlowState = {
      ...state,
      signs: signs.map(({ id, label, words }) => ({ id, label, words })),
      score: state.score + signs.reduce((sum, s) => sum + s.weight, 0),
    };
    return goTo(def, next, step.next as string, tools, [found]);
  }
  if (step.tool === 'province') {
    const province = tools.findProvince(text);
    if (!province) return { state, replies: [{ text: def.texts.unknown_province ?? '' }] };
    return goTo(
      def,
      { ...state, answers: { ...state.answers, province: province.name } },
      step.next as string,
      tools,
      [],
    );
  }
  return goTo(
    def,
    { ...state, answers: { ...state.answers, [step.id]: text } },
    step.next as string,
    tools,
    [],
  );
}

async function finish(
  def: FlowDefinition,
  state: FlowState,
  step: FlowStep,
  tools: FlowTools,
  said: Reply[],
): Promise<FlowOutput> {
  const close = (text: string, escalate = false): FlowOutput => ({
    replies: [...said, ...(step.say ? [{ text: step.say }] : []), { text, choices: def.next }],
    ...(escalate ? { escalate: 'urgent' as const } : {}),
  });
  if (step.result === 'job-risk' || step.result === 'exploitation') {
    const t = def.thresholds ?? { medium: 2, high: 4 };
    const level = state.score >= t.high ? 'high' : state.score >= t.medium ? 'medium' : 'low';
    const reasons = [...state.signs.map((s) => `${s.label} («${s.words}»)`), ...state.reasons];
    const text = [
      def.texts[level],
      ...(reasons.length ? [def.texts.reasons, ...reasons.map((r) => `• ${r}`)] : []),
    ].join('\n');
    return close(text, step.result === 'exploitation' && level !== 'low');
  }
  if (step.result === 'directory') {
    const province = state.answers.province ?? '';
    const agencies = tools.directory(province, state.answers.need ?? '', def.locale);
    if (agencies.length === 0) return close(def.texts.none ?? '');
    const lines = agencies.map((a) => {
      const contacts = a.contacts.map((c) => `${c.value} (${c.hours})`).join(', ');
      return `• ${a.name}${contacts ? `: ${contacts}` : ''}${a.note ? `\n  ${a.note}` : ''}`;
    });
    return close([fill(def.texts.results ?? '', { province }), ...lines].join('\n'));
  }
  // company
  const query = state.answers.name ?? '';
  const found = await tools.lookupCompany(query);
  if (!found) return close([def.texts.how, def.texts.no_list].join('\n\n'));
  if (found.matches.length === 0)
    return close(
      [def.texts.how, fill(def.texts.not_found ?? '', { date: found.date })].join('\n\n'),
    );
  const list = found.matches.slice(0, 5).map((m) => `• ${m.name} (${m.licence})`);
  return close(
    [fill(def.texts.found ?? '', { date: found.date }), ...list, '', def.texts.caution].join('\n'),
  );
}
