import { describe, expect, it } from 'vitest';
import {
  CALM,
  curated,
  GROUNDED,
  HOTLINE_QUESTION,
  useOpenAiFake,
  withoutLearnedModel,
} from '../support/model.js';

/**
 * The optional model's token budget and its assist step, against the local
 * OpenAI-compatible fake with the real `openai` client inside LangChain.
 */

const ai = useOpenAiFake();
const withModel = ai.withModel;

describe('the token budget', () => {
  it('stops calls for the day once spent, and the curated answer is shown', async () => {
    ai.fake.fallback = {
      json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] },
      usage: { prompt_tokens: 9000, completion_tokens: 500 },
    };
    const run = await withModel({ dailyTokenBudget: 10_000 });
    expect((await run.say(HOTLINE_QUESTION)).replies[0]?.composed).toBe(true);
    const second = await run.say('gọi 111 có mất tiền không');
    expect(second.replies[0]?.composed).toBeUndefined();
    expect(ai.fake.requests).toHaveLength(1);
    expect(run.outcomes).toEqual(['compose:ok', 'compose:budget']);
    expect(run.tokens).toBe(9500);
  });

  it('per conversation: one conversation spent does not stop another', async () => {
    ai.fake.fallback = {
      json: { ...CALM, answer: GROUNDED, topicIds: ['hotline-111'] },
      usage: { prompt_tokens: 3000, completion_tokens: 200 },
    };
    const run = await withModel({ perConversationTokenBudget: 5000 });
    const other = await withModel({ perConversationTokenBudget: 5000 });
    await run.say(HOTLINE_QUESTION);
    await run.say(HOTLINE_QUESTION);
    await other.say(HOTLINE_QUESTION);
    expect(run.outcomes).toEqual(['compose:ok', 'compose:budget']);
    expect(other.outcomes).toEqual(['compose:ok']);
  });
});

describe('assist: search queries from the model, the curated answer shown', () => {
  // The language model's assist step on its own: the learned understanding model is left out,
  // as in content without model/ (with it, it already reads this paraphrase itself).
  const plain = withoutLearnedModel();
  // The retriever alone hesitates between two topics on this paraphrase of "they keep my passport".
  const PARAPHRASE = 'quyển sổ nhỏ màu xanh đi nước ngoài của em bị người ta cầm mất rồi';

  it('finds the curated answer the retriever alone did not give', async () => {
    const alone = await curated(PARAPHRASE, plain);
    expect(alone.replies[0]?.topicId).toBeUndefined();

    ai.fake.script({
      json: {
        ...CALM,
        vi: ['người khác đang giữ hộ chiếu của tôi'],
        en: ['someone is keeping my passport'],
      },
    });
    const run = await withModel({ mode: 'assist' }, plain);
    const r = await run.say(PARAPHRASE);
    expect(r.intent).toBe('answer');
    expect(r.replies).toEqual((await curated('bị chủ giữ hộ chiếu', plain)).replies.slice(0, 1));
    expect(r.replies[0]?.composed).toBeUndefined();
    expect(ai.fake.requests).toHaveLength(1);
    expect(ai.fake.requests[0].response_format.json_schema.name).toBe('search_queries');
    expect(run.outcomes).toEqual(['assist:ok']);
  });

  it('only judges a sure answer (its queries unused), and keeps the fallback when the queries find nothing', async () => {
    const run = await withModel({ mode: 'assist' }, plain);
    ai.fake.script({ json: { ...CALM, vi: ['lừa đảo việc làm'], en: [] } });
    const sure = await run.say(HOTLINE_QUESTION);
    expect(sure.replies).toEqual((await curated(HOTLINE_QUESTION, plain)).replies);
    expect(ai.fake.requests).toHaveLength(1);

    ai.fake.script({ json: { ...CALM, vi: [], en: [] } });
    const text = 'công thức nấu phở bò ngon nhất';
    const r = await run.say(text);
    expect(r.intent).toBe('fallback');
    expect(r.replies).toEqual((await curated(text, plain)).replies);
    expect(run.outcomes).toEqual(['assist:ok', 'assist:declined']);
  });

  it('in compose mode, then writes the answer for the topic it found', async () => {
    ai.fake.script(
      { json: { ...CALM, vi: ['người khác đang giữ hộ chiếu của tôi'], en: [] } },
      (body) => ({
        json: {
          ...CALM,
          answer:
            'Người khác không có quyền giữ hộ chiếu của bạn. Bạn có thể gọi 111 miễn phí để được tư vấn.',
          topicIds: [body.messages[0].content.match(/<passage id="([^"]+)">/)[1]],
        },
      }),
    );
    const run = await withModel({}, plain);
    const r = await run.say(PARAPHRASE);
    expect(r.replies[0]?.topicId).toBe('document-confiscation');
    expect(r.replies[0]?.composed).toBe(true);
    expect(run.outcomes).toEqual(['assist:ok', 'compose:ok']);
  });
});
