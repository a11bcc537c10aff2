import { clean, words } from '../core/text/normalize.js';

/** Letters only Vietnamese uses among the Latin scripts we meet (folded text loses them). */
const VIETNAMESE_LETTERS =
  /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]|[\u0300\u0301\u0303\u0309\u0323]/u;

// Common words, folded. Short, frequent, and distinctive for each language.
const VI = new Set(
  `la co khong toi em anh chi ban minh cua va thi ma nay do gi sao lam di ve o cho duoc
   nguoi viec cong ty tien nha me bo con chau ho chieu bi dang roi nhung nhu the nao oi a
   ko k dc j ntn vs ng cty xkld sdt mk mik ad e hok ak nha nhe vay z thoi giup hoi voi den
   tu tai sang qua mot hai ba nam thang ngay gio luong trieu nuoc ngoai biet muon can phai
   xin chao cam on dau nhieu it lai len xuong trong ngoai sau truoc chua da se ai`.split(/\s+/),
);
const EN = new Set(
  `the a an and or but if of to in on at for with from by about is are was were be been
   i me my we our you your he him his she her it its they them their this that what which
   who how why when where there here not no yes so very just can could will would should
   do does did have has had get got go going want need help please pls job work money
   friend sister brother mother father family company passport visa boss police chat hi
   hello hey thanks thank say says said tell told know don't dont cant can't im i'm`.split(/\s+/),
);

export interface LanguageGuess {
  locale: 'vi' | 'en' | undefined;
  /** How sure: 0 (no idea) to 1 (Vietnamese letters seen, or many distinctive words). */
  confidence: number;
}

/**
 * Vietnamese or English, for one message. Vietnamese letters settle it at
 * once; otherwise common words are counted. A library such as franc guesses
 * from letter trigrams and fails on short, unaccented Vietnamese ("ko dc k"),
 * which is exactly how our users type, so a word list serves better here.
 */
export function detectLanguage(text: string): LanguageGuess {
  if (VIETNAMESE_LETTERS.test(clean(text))) return { locale: 'vi', confidence: 1 };
  const tokens = words(text);
  let vi = 0;
  let en = 0;
  for (const t of tokens) {
    if (VI.has(t)) vi++;
    if (EN.has(t)) en++;
  }
  if (vi === en) return { locale: undefined, confidence: 0 };
  const locale = vi > en ? 'vi' : 'en';
  const margin = Math.abs(vi - en);
  return { locale, confidence: Math.min(1, margin / 3) };
}
