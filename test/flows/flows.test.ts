import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPANY_DATASET } from '../../src/engine/flow-tools.js';
import { checkContent } from '../../src/knowledge/content-check.js';
import { conversation, readable } from '../support/conversation.js';

const AD =
  'TUYỂN GẤP nữ phục vụ nhà hàng ở Campuchia, lương 25 triệu, việc nhẹ, không cần kinh nghiệm, phí visa 15 triệu đóng trước, liên hệ Zalo';

describe('check a job offer', () => {
  it('quotes the warning signs of a pasted ad, asks what it did not say, and gives a high risk with next steps (vi)', async () => {
    const c = conversation();
    const start = await c.press('flow:job-offer-check', 'Việc làm này có an toàn không?');
    expect(start.intent).toBe('flow');
    expect(readable(start)).toMatch(/Hãy dán tin tuyển dụng/);
    const signs = await c.say(AD);
    const text = readable(signs);
    expect(text).toMatch(/Đòi đóng tiền.*«phí visa»/);
    expect(text).toMatch(/«campuchia»/);
    // The ad already said there are fees, so the next question is about the contract.
    expect(text).toMatch(/hợp đồng bằng tiếng Việt/);
    await c.say('ko');
    await c.say('k');
    const result = await c.say('ko biet');
    expect(readable(result)).toMatch(/rủi ro CAO/);
    expect(readable(result)).toMatch(/Không có hợp đồng đọc được/);
    expect(result.replies.at(-1)?.choices?.map((x) => x.payload)).toContain(
      'topic:verify-recruitment-agency',
    );
    expect((await c.store.getConversation(result.conversationId))?.context.flow).toBeUndefined();
  });

  it('works in English with buttons, and a safe-sounding offer comes out low', async () => {
    const c = conversation();
    await c.say('check a job offer');
    await c.say(
      'Hotel housekeeping staff in Da Nang, written contract, monthly salary, apply at the HR office',
    );
    await c.press('flow-answer:no');
    await c.press('flow-answer:yes');
    await c.press('flow-answer:yes');
    const result = await c.press('flow-answer:no');
    expect(readable(result)).toMatch(/Result: LOW risk/);
  });

  it('answers a question typed in the middle, then goes back to the same step', async () => {
    const c = conversation();
    await c.press('flow:job-offer-check');
    await c.say(AD);
    const aside = await c.say('tổng đài 111 là gì');
    expect(aside.replies[0]?.topicId).toBe('hotline-111');
    expect(aside.replies.at(-1)?.choices?.[0]?.payload).toBe('cmd:flow-resume');
    const back = await c.press('cmd:flow-resume');
    expect(readable(back)).toMatch(/hợp đồng bằng tiếng Việt/);
    const next = await c.say('có');
    expect(readable(next)).toMatch(/tên đầy đủ, địa chỉ và giấy phép/);
  });

  it('lets the person leave a check at any time', async () => {
    const c = conversation();
    await c.press('flow:job-offer-check');
    await c.say('hủy');
    const after = await c.say('tổng đài 111 là gì');
    expect(after.intent).toBe('answer');
  });
});

describe('am I being exploited', () => {
  it('explains the signs present and, past the threshold, raises the conversation to urgent with a counsellor offered', async () => {
    const c = conversation();
    await c.say('am I being exploited');
    const answers = ['1', 'yes', 'yes', 'no', 'yes', 'no', 'yes', 'no', 'no', 'no'];
    let last = await c.say(answers[0] as string);
    for (const a of answers.slice(1)) last = await c.say(a);
    expect(readable(last)).toMatch(/many signs of forced labour/);
    expect(readable(last)).toMatch(/Movement restricted/);
    expect(last.urgency).toBe('urgent');
    expect(last.replies.at(-1)?.choices?.[0]?.payload).toBe('cmd:person');
  });
});

describe('help near me', () => {
  it('finds agencies by a former province name and a need', async () => {
    const c = conversation();
    await c.press('flow:help-near-me');
    const unknown = await c.say('Atlantis');
    expect(readable(unknown)).toMatch(/34 tỉnh/);
    await c.say('ha giang');
    const result = await c.press('flow-answer:rescue');
    expect(readable(result)).toMatch(/Tuyên Quang/);
    expect(readable(result)).toMatch(/113/);
  });
});

describe('check a company', () => {
  it('looks names and licence numbers up in the imported list, tolerant of cty, TNHH and diacritics', async () => {
    const c = conversation();
    await c.store.putDataset(COMPANY_DATASET, {
      date: '2026-11-01',
      rows: [{ name: 'Công ty TNHH Nhân Lực Sao Mai', licence: '101/LĐTBXH-GP' }],
    });
    await c.press('flow:verify-company');
    const found = await c.say('cty tnhh nhan luc sao mai');
    expect(readable(found)).toMatch(/cập nhật 2026-11-01/);
    expect(readable(found)).toMatch(/Nhân Lực Sao Mai \(101\/LĐTBXH-GP\)/);
    expect(readable(found)).toMatch(/chưa có nghĩa/);
    await c.press('flow:verify-company');
    const byLicence = await c.say('101/LDTBXH-GP');
    expect(readable(byLicence)).toMatch(/Sao Mai/);
    await c.press('flow:verify-company');
    const missing = await c.say('Công ty Sao Mai Xanh Quốc Tế');
    expect(readable(missing)).toMatch(/không thấy tên/);
  });

  it('says honestly when no list has been imported', async () => {
    const c = conversation();
    await c.press('flow:verify-company');
    expect(readable(await c.say('cty abc'))).toMatch(/chưa được nạp danh sách/);
  });
});

describe('flow files', () => {
  it('content:check rejects a flow with an error, naming the file, the step and the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-flows-'));
    try {
      cpSync('content', dir, { recursive: true });
      const file = join(dir, 'flows/vi/job-offer-check.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('next: q-company', 'next: q-nowhere'));
      const { errors } = checkContent(dir);
      expect(errors).toEqual([
        expect.stringMatching(
          /flows\/vi\/job-offer-check\.yaml: step "q-contract" goes to unknown step "q-nowhere"/,
        ),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
