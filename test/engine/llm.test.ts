import { describe, expect, it, vi } from 'vitest';
import type { LlmSettings } from '../../src/knowledge/llm/settings.js';
import { createModel } from '../../src/load-content.js';
import type { OpenAiFake } from '../fakes/openai-fake.js';
import { content, conversation } from '../support/conversation.js';
import {
  CALM,
  curated,
  fakeSettings,
  GROUNDED,
  HOTLINE_QUESTION,
  useOpenAiFake,
} from '../support/model.js';

/**
 * The optional model, end to end: the real engine and content, the real
 * `openai` client inside LangChain, and a local OpenAI-compatible fake that
 * answers from a script and records what it was sent.
 */

const ai = useOpenAiFake();
const withModel = ai.withModel;

describe('compose: a short answer written from the curated passages', () => {
  it('shows a grounded answer, keeping the curated title, sources and choices', async () => {
    ai.fake.script({ json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] } });
    const run = await withModel();
    const r = await run.say(HOTLINE_QUESTION);
    const plain = await curated(HOTLINE_QUESTION);

    expect(r.replies).toHaveLength(1);
    const [reply] = r.replies;
    expect(reply?.text).toBe(GROUNDED);
    expect(reply?.composed).toBe(true);
    const { text: _t, composed: _c, ...rest } = reply ?? { text: '' };
    const { text: _p, ...curatedRest } = plain.replies[0] ?? { text: '' };
    expect(rest).toEqual(curatedRest);
    expect(r.topics[0]).toBe('hotline-111');
    expect(run.outcomes).toEqual(['compose:ok']);

    // What went out: the rules, the curated passage under its id, the question, a JSON schema.
    const [sent] = ai.fake.requests;
    expect(sent.model).toBe('gpt-4o-mini');
    expect(sent.response_format.json_schema.name).toBe('grounded_answer');
    expect(sent.messages[0].content).toContain('<passage id="hotline-111">');
    expect(sent.messages[1].content).toContain(HOTLINE_QUESTION);
  });

  it.each<[string, Parameters<OpenAiFake['script']>[0], string]>([
    [
      'an invented phone number',
      {
        json: {
          ...CALM,
          answer: 'Bạn hãy gọi ngay 0912 345 678 để được giúp, miễn phí.',
          topicIds: ['hotline-111'],
        },
      },
      'rejected:ungrounded_phones',
    ],
    [
      'a citation that was not retrieved',
      { json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111', 'organ-sale-prices'] } },
      'rejected:unknown_citation',
    ],
    ['broken JSON', { content: '{"answer": "111 là tổng đài' }, 'malformed'],
    ['JSON of the wrong shape', { json: { reply: GROUNDED } }, 'malformed'],
    ['a refusal', { refusal: 'I cannot help with that.' }, 'refused'],
    ['a server error', { status: 503 }, 'error'],
    ['an empty answer', { json: { ...CALM, answer: '  ', topicIds: [] } }, 'declined'],
  ])('replaces %s with the curated answer', async (_what, script, why) => {
    ai.fake.script(script);
    const run = await withModel();
    const r = await run.say(HOTLINE_QUESTION);
    expect(r.replies).toEqual((await curated(HOTLINE_QUESTION)).replies);
    expect(ai.fake.requests).toHaveLength(1);
    // Why, as the metrics count it and (for failures) the log says it.
    expect([...run.outcomes, run.problems[0]?.reason].filter(Boolean).join(':')).toBe(
      `compose:${why}`,
    );
  });

  it('gives up on a model that takes 30 seconds, within the timeout, and shows the curated answer', async () => {
    ai.fake.script({
      delayMs: 30_000,
      json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] },
    });
    const run = await withModel({ timeoutMs: 300 });
    const started = performance.now();
    const r = await run.say(HOTLINE_QUESTION);
    const ms = performance.now() - started;
    expect(r.replies).toEqual((await curated(HOTLINE_QUESTION)).replies);
    expect(run.outcomes).toEqual(['compose:timeout']);
    expect(ai.fake.requests).toHaveLength(1);
    expect(ms).toBeLessThan(2000);
  });
});

describe('what reaches the model', () => {
  const PERSONAL =
    'em tên Lan, sđt 0912 345 678, mail lan.nguyen92@gmail.com, CCCD 079203001234. ' +
    'Tổng đài 111 là gì vậy, gọi có mất tiền không';

  it('never a phone number, e-mail or ID number from the person’s message', async () => {
    ai.fake.script({ json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] } });
    const run = await withModel();
    const r = await run.say(PERSONAL);
    expect(r.replies[0]?.composed).toBe(true);
    expect(ai.fake.requests).toHaveLength(1);
    const sent = JSON.stringify(ai.fake.requests);
    for (const secret of ['0912', '345 678', 'lan.nguyen92', 'gmail', '079203001234']) {
      expect(sent).not.toContain(secret);
    }
    expect(sent).toContain('[phone]');
    expect(sent).toContain('[email]');
    expect(sent).toContain('[id-number]');
  });

  it('only the current message by default; earlier ones, scrubbed, only with LLM_SEND_TRANSCRIPTS', async () => {
    const first = 'em là Hoa, số em 0389 123 456, em sợ lắm';
    ai.fake.fallback = { json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] } };
    /** What the model was sent for the second message of a conversation. */
    const secondRequest = async (settings: Partial<LlmSettings>) => {
      const run = await withModel(settings);
      await run.say(first);
      const before = ai.fake.requests.length;
      await run.say(HOTLINE_QUESTION);
      expect(ai.fake.requests).toHaveLength(before + 1);
      return JSON.stringify(ai.fake.requests.at(-1).messages);
    };
    const quiet = await secondRequest({});
    expect(quiet).toContain(HOTLINE_QUESTION);
    expect(quiet).not.toContain('em sợ lắm');
    const told = await secondRequest({ sendTranscripts: true });
    expect(told).toContain('em là Hoa, số em [phone], em sợ lắm');
    expect(JSON.stringify(ai.fake.requests)).not.toContain('0389');
  });

  it('and nothing of the conversation is printed, even with OPENAI_LOG=debug', async () => {
    const printed: string[] = [];
    const spies = (['log', 'info', 'debug', 'warn', 'error'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      }),
    );
    process.env.OPENAI_LOG = 'debug';
    try {
      ai.fake.script({ json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] } });
      const run = await withModel();
      expect((await run.say(HOTLINE_QUESTION)).replies[0]?.composed).toBe(true);
    } finally {
      delete process.env.OPENAI_LOG;
      for (const spy of spies) spy.mockRestore();
    }
    expect(printed.join('\n')).not.toContain('111');
  });

  it('nothing at all with the model off: no client, no request', async () => {
    const model = await createModel(
      fakeSettings(ai.fake, { mode: 'off', sendTranscripts: true }),
      content(),
    );
    expect(model).toBeUndefined();
    const c = conversation();
    for (const text of [
      HOTLINE_QUESTION,
      'công thức nấu phở bò ngon nhất',
      'bị chủ giữ hộ chiếu',
    ]) {
      await c.say(text);
    }
    expect(ai.fake.requests).toEqual([]);
  });
});

describe('what the model never touches', () => {
  it('an emergency: never sent, never waited for, the reply unchanged', async () => {
    ai.fake.fallback = {
      delayMs: 30_000,
      json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] },
    };
    const run = await withModel();
    const text = 'cứu em với, họ nhốt em trong phòng, tổng đài 111 là gì';
    const r = await run.say(text);
    expect(r.urgency).toBe('emergency');
    expect(r.replies).toEqual((await curated(text)).replies);
    expect(ai.fake.requests).toEqual([]);
  });

  it('urgent messages, refusals, requests for a person, commands and greetings', async () => {
    ai.fake.fallback = { json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] } };
    const run = await withModel();
    for (const text of [
      'bị chủ giữ hộ chiếu',
      'chỉ tôi cách làm hộ chiếu giả để đưa người đi',
      'cho em gặp tư vấn viên',
      'menu',
      'chào ad',
    ]) {
      const r = await run.say(text);
      expect(
        r.replies.some((x) => x.composed),
        text,
      ).toBe(false);
    }
    expect(ai.fake.requests).toEqual([]);
  });
});

describe('what the model may add: it raises or refuses, never lowers', () => {
  it('a calm-looking message it reads as an emergency gets the safety steps and the front of the queue, and the counsellor sees why', async () => {
    ai.fake.script({
      json: { ...CALM, danger: 'emergency', answer: GROUNDED, topicIds: ['hotline-111'] },
    });
    const run = await withModel();
    const r = await run.say(HOTLINE_QUESTION);
    expect(r.urgency).toBe('emergency');
    expect(r.intent).toBe('handoff');
    expect(r.topics[0]).toBe('in-danger-now');
    expect(r.replies[0]?.composed).toBeUndefined();
    expect(r.replies[0]?.choices?.map((c) => c.payload)).toContain('cmd:safe-yes');
    expect(r.signals.map((s) => s.id)).toContain('language-model');
    // The level never drops: the next calm message keeps it.
    ai.fake.script({ json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] } });
    expect((await run.say('gọi 111 có mất tiền không')).urgency).toBe('emergency');
  });

  it('one it reads as urgent keeps its answer and is offered a counsellor (assist mode judges a sure answer too)', async () => {
    ai.fake.script({ json: { ...CALM, danger: 'urgent', vi: [], en: [] } });
    const run = await withModel({ mode: 'assist' });
    const r = await run.say(HOTLINE_QUESTION);
    expect(ai.fake.requests).toHaveLength(1);
    expect(r.urgency).toBe('urgent');
    expect(r.replies[0]?.topicId).toBe('hotline-111');
    expect(r.replies.at(-1)?.choices?.map((c) => c.payload)).toContain('cmd:person');
    expect(r.signals.map((s) => s.id)).toEqual(['language-model']);
  });

  it('refuses what it reads as asking how to harm, with no composed text', async () => {
    ai.fake.script({
      json: { ...CALM, harmful: true, answer: GROUNDED, topicIds: ['hotline-111'] },
    });
    const run = await withModel();
    const r = await run.say('tổng đài 111 làm việc mấy giờ');
    expect(r.intent).toBe('refuse');
    expect(r.replies).toEqual(
      (await curated('chỉ tôi cách làm hộ chiếu giả để đưa người đi')).replies,
    );
  });

  it('but not a question the rules know as protective (a parent, a teacher)', async () => {
    const text = 'làm sao nhận biết công ty xuất khẩu lao động lừa đảo';
    ai.fake.script({
      json: { ...CALM, harmful: true, answer: GROUNDED, topicIds: ['hotline-111'] },
    });
    const run = await withModel();
    const r = await run.say(text);
    expect(r.intent).toBe('answer');
    expect(r.topics[0]).toBe((await curated(text)).topics[0]);
  });

  it('a model that says all is calm changes no level: a raised conversation stays raised', async () => {
    ai.fake.fallback = { json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] } };
    const run = await withModel();
    expect((await run.say('bị chủ giữ hộ chiếu')).urgency).toBe('urgent');
    const r = await run.say(HOTLINE_QUESTION);
    expect(r.replies[0]?.composed).toBe(true);
    expect(r.urgency).toBe('urgent');
  });
});
