import { describe, expect, it } from 'vitest';
import { createJobAdAnalyzer } from '../../src/flows/job-ad.js';
import { content } from '../support/conversation.js';

/**
 * Real-looking ads (written for this test, not taken from the evaluation set)
 * and the risk the pasted text alone gives: the flow then asks about what the
 * text did not say. Thresholds as in the job-offer-check flow files.
 */
const ADS: [string, 'low' | 'medium' | 'high', string][] = [
  [
    'vi',
    'high',
    'TUYỂN GẤP 20 nữ phục vụ nhà hàng tại Campuchia, lương 25 triệu/tháng, việc nhẹ, bao ăn ở, không cần kinh nghiệm. Phí visa và vé máy bay 15 triệu đóng trước. Liên hệ Zalo.',
  ],
  [
    'vi',
    'high',
    'can nguoi lam sale online o Myanmar, luong 30tr, khong can bang cap, bao ve may bay, inbox de biet them',
  ],
  [
    'vi',
    'high',
    'tuyển ctv đi TQ làm xưởng may, lương 20tr, cty lo hết, chỉ cần nộp cccd + 5tr phí hồ sơ, đi ngay tuần này',
  ],
  [
    'en',
    'high',
    'Easy job in Cambodia casino, $1500/month, no experience, no contract needed, free flight, message me on Telegram',
  ],
  [
    'en',
    'high',
    'Work in Thailand, go with tourist visa, we handle the work permit later. Deposit 500 USD.',
  ],
  [
    'vi',
    'high',
    'Tuyển lao động đi Nhật đơn hàng thực phẩm, đóng 150 triệu, công ty giữ hộ chiếu để làm visa, bay trong tháng.',
  ],
  ['vi', 'high', 'Tuyển học sinh từ 16 tuổi làm người mẫu ảnh tại Sài Gòn, thu nhập cao, bao ăn ở'],
  [
    'vi',
    'high',
    'viec nhe luong cao ben Lao, chi can biet dung dien thoai, di duong tieu ngach khong can ho chieu',
  ],
  [
    'vi',
    'medium',
    'Tuyển gấp thợ hàn đi Hàn Quốc, lương 40 triệu, liên hệ qua Facebook để phỏng vấn',
  ],
  [
    'en',
    'medium',
    'Factory workers needed in Malaysia, salary RM1800, processing fee applies, apply via WhatsApp',
  ],
  [
    'vi',
    'low',
    'Công ty TNHH ABC (giấy phép số 123/LĐTBXH-GP) tuyển 30 lao động đi Đài Loan làm điện tử. Hợp đồng 3 năm, người lao động ký hợp đồng tại văn phòng công ty trước khi xuất cảnh.',
  ],
  [
    'en',
    'low',
    'EPS programme: Korean language test registration at the Centre of Overseas Labour. Workers sign a standard labour contract before departure.',
  ],
  [
    'vi',
    'low',
    'Tuyển nhân viên bán hàng tại siêu thị ở Hà Nội, lương 7 triệu, làm ca, ký hợp đồng lao động, đóng bảo hiểm đầy đủ',
  ],
  [
    'vi',
    'low',
    'tuyen cong nhan may o khu cong nghiep Bac Ninh, co hop dong lao dong, luong 8 trieu, nghi chu nhat',
  ],
  [
    'en',
    'low',
    'Hotel housekeeping staff wanted in Da Nang. Written contract, monthly salary, social insurance. Apply in person at the hotel HR office.',
  ],
  [
    'vi',
    'low',
    'cty e tuyển thực tập sinh Nhật qua cty có giấy phép, học tiếng 6 tháng ở VN, hợp đồng ký trước khi bay',
  ],
];

describe('job ad warning signs', () => {
  const analyze = createJobAdAnalyzer(content().jobAdSigns, content().knowledge.dict);

  it.each(ADS)('(%s) reads as %s risk: %s', (locale, expected, ad) => {
    const signs = analyze(ad, locale);
    const score = signs.reduce((s, x) => s + x.weight, 0);
    const level = score >= 4 ? 'high' : score >= 2 ? 'medium' : 'low';
    expect(level, signs.map((s) => `${s.id} «${s.words}»`).join('; ')).toBe(expected);
  });

  it('quotes the words that raised each sign', () => {
    const signs = analyze('Phí visa 15 triệu đóng trước, sang Campuchia làm việc nhẹ', 'vi');
    expect(signs.map((s) => [s.id, s.words])).toEqual(
      expect.arrayContaining([
        ['fees', 'phí visa'],
        ['risky-destination', 'campuchia'],
        ['easy-high-pay', 'việc nhẹ'],
      ]),
    );
    expect(signs.find((s) => s.id === 'fees')?.label).toMatch(/đóng tiền/);
  });
});
