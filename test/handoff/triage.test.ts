import { describe, expect, it } from 'vitest';
import { content } from '../support/conversation.js';

const screen = (text: string) => content().triage.screen(text);

describe('triage', () => {
  it.each([
    ['em đang bị nhốt trong phòng, không cho ra ngoài'],
    ['em dang bi nhot trong phong ko cho ra ngoai'],
    ['e bj nhốt từ hôm qua r, cứu e vs'],
    ['they locked us in the house and took our phones'],
    ['bọn nó đang đánh anh em, chích điện nữa'],
    ['tối nay họ đưa em qua biên giới'],
    ['a man just took the baby from the woman next to me'],
    ['thôi chết cho xong, em không muốn sống nữa'],
    ['i want to end my life'],
    ['chủ dọa giết cả nhà nếu em bỏ trốn'],
    ['i am hiding behind a shop, they are looking for me'],
  ])('marks an emergency: %s', (text) => {
    expect(screen(text).level).toBe('emergency');
  });

  it.each([
    ['chủ giữ hộ chiếu của em không trả'],
    ['my employer keeps my passport'],
    ['mẹ em sang Đài Loan 3 tuần nay mất liên lạc'],
    ['my sister in malaysia, her phone is off for two weeks, no news'],
    ['3 tháng rồi cty ko trả lương, còn dọa đuổi'],
    ['họ bảo phải trả 3 nghìn đô mới cho về'],
    ['em vừa thoát ra được, đang ở nhà bạn'],
    ['my friend leaves tonight with a guy she met online'],
  ])('marks as urgent or higher: %s', (text) => {
    expect(screen(text).level).not.toBe('none');
  });

  it.each([
    ['111 là số gì'],
    ['làm sao kiểm tra công ty xuất khẩu lao động'],
    ['cô giáo giao bài tập tìm hiểu về các vụ bắt cóc trẻ em'],
    ['em xem phim thấy nhân vật bị nhốt và bị đánh, ngoài đời có thật không'],
    ['ngày xưa bà em kể hồi chiến tranh bị bắt đi làm phu'],
    ['mấy bạn rủ em sang Hà Khẩu chơi có an toàn không'],
    ['what documents do i need to work in korea'],
  ])('raises no alarm for questions, school work, films and the long past: %s', (text) => {
    expect(screen(text).level).toBe('none');
  });

  it('never lowers a suicidal statement, whatever the context', () => {
    expect(screen('đọc báo xong em thấy muốn chết quá').level).toBe('emergency');
  });

  it('says why, in words a counsellor can read, and notices a place abroad', () => {
    const r = screen('em đang bị nhốt ở Campuchia');
    expect(r.signals[0]).toMatchObject({ id: 'confined', words: 'bị nhốt' });
    expect(r.signals[0]?.label).toMatch(/nhốt/);
    expect(r.abroad).toBe(true);
  });
});
