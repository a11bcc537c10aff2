import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTokenBudget } from '../../src/knowledge/llm/budget.js';
import { contactFacts, extractFacts } from '../../src/knowledge/llm/facts.js';
import { checkComposed, type GuardInput } from '../../src/knowledge/llm/guards.js';
import { PLACEHOLDERS, scrubPersonalData } from '../../src/knowledge/llm/scrub.js';
import { content, knowledge } from '../support/conversation.js';

describe('removing personal data before text leaves the process', () => {
  const keepPhones = new Set(['0981848484', '18001567']);
  const scrub = (text: string) => scrubPersonalData(text, { keepPhones });

  it.each([
    ['em tên Lan, sđt 0912 345 678, zalo 0987.654.321', ['0912', '345 678', '0987.654.321']],
    ['gọi giúp em +84 912-345-678 hoặc (+84) 912 345 678 hoặc +84912345678', ['912', '+84']],
    ['anh trai em ở Đài Loan, số +886 912 345 678', ['886', '912 345 678']],
    ['sdt0912345678 ai gọi cũng ko nghe', ['0912345678']],
    ['so dt cua me em la 0243 856 7890', ['0243', '856 7890']],
  ])('phone numbers in Vietnamese and international forms: %s', (text, gone) => {
    const out = scrub(text);
    for (const g of gone) expect(out, out).not.toContain(g);
    expect(out).toContain(PLACEHOLDERS.phone);
  });

  it('e-mail addresses, also written with (at)', () => {
    const out = scrub('mail em là lan.nguyen92@gmail.com, hoặc hoa_tran (at) yahoo.com.vn nha');
    expect(out).not.toMatch(/lan\.nguyen92|gmail|hoa_tran|yahoo/);
    expect(out.split(PLACEHOLDERS.email)).toHaveLength(3);
  });

  it('citizen ID (CCCD 12 digits, CMND 9), passports and bank accounts', () => {
    const out = scrub(
      'CCCD của em là 001203004567, cmnd cũ 123456789, hộ chiếu C1234567, ' +
        'họ bắt chuyển vào stk 1903 5678 9012 34 techcombank, thẻ ATM 9704 1234 5678 9012',
    );
    expect(out).toBe(
      `CCCD của em là ${PLACEHOLDERS.id}, cmnd cũ ${PLACEHOLDERS.id}, hộ chiếu ${PLACEHOLDERS.passport}, ` +
        `họ bắt chuyển vào stk ${PLACEHOLDERS.account} techcombank, thẻ ATM ${PLACEHOLDERS.account}`,
    );
    expect(scrub('passport no. B12345678 is held by the agency')).toBe(
      `passport no. ${PLACEHOLDERS.passport} is held by the agency`,
    );
    // An unlabelled long number is removed too: better one number too many than one too few.
    expect(scrub('mã số 84729104')).toBe(`mã số ${PLACEHOLDERS.account}`);
  });

  it('keeps what the answer may turn on: money, dates, years, hotlines and public numbers', () => {
    const text =
      'lương 8.500.000đ/tháng, phí 2 000 000, nợ 50 triệu, từ 19.09.2025, làm 2019-2025, ' +
      'gọi 111 hay 113, Điều 150, số 1800 1567 và +84 981 84 84 84 có thật không';
    expect(scrub(text)).toBe(text);
  });

  it('leaves the question readable for search', () => {
    const out = scrub(
      'chị ơi, công ty ở Bình Dương giữ CCCD 079203001234 của em, sđt em 0389123456',
    );
    expect(out).toBe(
      `chị ơi, công ty ở Bình Dương giữ CCCD ${PLACEHOLDERS.id} của em, sđt em ${PLACEHOLDERS.phone}`,
    );
  });
});

describe('facts a composed answer may only repeat', () => {
  it('reads the same fact written two ways as one', () => {
    const a = extractFacts('Phí không quá 5 triệu đồng; xem Điều 150; gọi +84 981 84 84 84.');
    const b = extractFacts('mức 5.000.000 đồng, Article 150, hotline 0981 848 484');
    expect([...a.money]).toEqual([5_000_000]);
    expect([...b.money]).toEqual([5_000_000]);
    expect([...a.law]).toEqual(['art:150']);
    expect([...b.law]).toEqual(['art:150']);
    expect([...a.phones]).toEqual(['0981848484']);
    expect([...b.phones]).toEqual(['0981848484']);
  });

  it('finds laws, dates, hosts and e-mails', () => {
    const f = extractFacts(
      'Luật 53/2024/QH15 và Nghị định 162/2025/NĐ-CP, từ ngày 19/9/2025, mở 24/7, ' +
        'xem https://www.dolab.gov.vn/tra-cuu hoặc bnn.gov.vn, viết cho help@example.org',
    );
    expect([...f.law].sort()).toEqual(['162/2025/nđ-cp', '53/2024/qh15']);
    expect([...f.dates].sort()).toEqual(['19/9/2025', '24/7']);
    expect([...f.hosts].sort()).toEqual(['bnn.gov.vn', 'dolab.gov.vn']);
    expect([...f.emails]).toEqual(['help@example.org']);
  });

  it('counts every number in contacts.yaml as allowed, short codes included', () => {
    const allowed = contactFacts(content().contacts);
    expect(allowed.phones.has('111')).toBe(true);
    expect(allowed.phones.has('113')).toBe(true);
    expect(allowed.phones.has('0981848484')).toBe(true);
  });
});

describe('the guards on a composed answer', () => {
  const kb = knowledge();
  const article = kb.article('hotline-111', 'vi');
  const base: GuardInput = {
    answer:
      '111 là tổng đài quốc gia về phòng, chống mua bán người. Bạn gọi miễn phí, cả ngày lẫn đêm. Nếu đang gặp nguy hiểm, hãy gọi 113.',
    topicIds: ['hotline-111'],
    passages: [{ topicId: 'hotline-111', text: `${article?.short}\n${article?.body}` }],
    contactFacts: contactFacts(content().contacts),
    maxChars: 600,
    locale: 'vi',
    detect: kb.detect,
  };

  it('let a grounded answer through', () => {
    expect(checkComposed(base)).toBeUndefined();
  });

  it.each<[string, Partial<GuardInput>, string]>([
    [
      'an invented phone number',
      { answer: 'Hãy gọi 0912 345 678 để được giúp.' },
      'ungrounded_phones',
    ],
    ['an invented short code', { answer: 'Bạn có thể gọi 1900 ngay.' }, 'ungrounded_numbers'],
    [
      'an invented web address',
      { answer: 'Xem thêm tại cuutro-nhanh.com nhé.' },
      'ungrounded_hosts',
    ],
    ['an invented amount', { answer: 'Gọi 111 mất 2 triệu đồng.' }, 'ungrounded_money'],
    ['an invented article of law', { answer: 'Theo Điều 151, bạn được bảo vệ.' }, 'ungrounded_law'],
    ['an invented date', { answer: 'Tổng đài mở từ ngày 1/1/2020.' }, 'ungrounded_dates'],
    [
      'a citation that was not retrieved',
      { topicIds: ['hotline-111', 'made-up'] },
      'unknown_citation',
    ],
    ['no citation', { topicIds: [] }, 'no_citation'],
    ['an answer too long', { answer: 'Bạn hãy gọi 111. '.repeat(60) }, 'too_long'],
    ['a placeholder repeated', { answer: `Đừng gửi ${PLACEHOLDERS.phone} cho ai.` }, 'placeholder'],
    [
      'the wrong language',
      { answer: 'You can call 111 for free, day and night, and they will help you.' },
      'language',
    ],
  ])('refuses %s', (_what, change, reason) => {
    expect(checkComposed({ ...base, ...change })).toBe(reason);
  });
});

describe('the token budget', () => {
  it('stops at the daily limit and starts again the next day in the configured time zone', () => {
    let now = new Date('2026-03-01T16:59:00Z'); // 23:59 in Hồ Chí Minh City
    const budget = createTokenBudget({ daily: 1000, timeZone: 'Asia/Ho_Chi_Minh', now: () => now });
    expect(budget.allows('c1', 600)).toBe(true);
    budget.spend('c1', 600);
    expect(budget.allows('c2', 600)).toBe(false);
    expect(budget.allows('c2', 400)).toBe(true);
    now = new Date('2026-03-01T17:01:00Z'); // 00:01 the next day there
    expect(budget.allows('c2', 600)).toBe(true);
    expect(budget.spentToday()).toBe(0);
  });

  it('limits one conversation without stopping the others', () => {
    const budget = createTokenBudget({ daily: 10_000, perConversation: 1000, timeZone: 'UTC' });
    budget.spend('c1', 900);
    expect(budget.allows('c1', 200)).toBe(false);
    expect(budget.allows('c2', 200)).toBe(true);
  });
});

describe('the model packages stay out of the way', () => {
  it('are imported by no source file at load time, only dynamically inside the factory', () => {
    const files = sourceFiles('src');
    const offenders = files.filter((f) =>
      /^import\s+(?!type\b)[^;]*from\s+'(?:openai|@langchain\/[^']+)'/m.test(
        readFileSync(f, 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
    const dynamic = files.filter((f) =>
      /await import\('@langchain\/openai'\)/.test(readFileSync(f, 'utf8')),
    );
    expect(dynamic).toEqual([join('src', 'knowledge', 'llm', 'model.ts')]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}
