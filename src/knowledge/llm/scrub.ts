import { phoneKey } from '../contacts.js';

/** What personal data is replaced with before text leaves the process. */
export const PLACEHOLDERS = {
  phone: '[phone]',
  email: '[email]',
  id: '[id-number]',
  passport: '[passport]',
  account: '[account]',
} as const;

export interface ScrubOptions {
  /**
   * Public numbers that may stay (contacts.yaml, as `phoneKey` values): a
   * person asking "is 1800 1567 real?" keeps the number the answer is about.
   */
  keepPhones?: ReadonlySet<string>;
}

const EMAIL = /[\p{L}\p{N}._%+-]+\s*(?:@|\(at\)|\[at\])\s*[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/giu;
// Vietnamese passports are one letter and 7 digits (C1234567); others up to 2 letters and 9 digits.
const PASSPORT = /(?<![\p{L}\p{N}])[a-z]{1,2}[ -]?\d{7,9}(?![\p{L}\p{N}])/giu;
/** Six digits or more, with spaces, dots, dashes or brackets between them, and an optional leading +. */
const DIGIT_RUN = /(?<![\d+])(?:\(\+|\+)?\d(?:[\s.()-]{0,2}\d){5,}(?!\d)/gu;

// Words just before a number that say what it is (Vietnamese with and without accents, English).
const ACCOUNT_WORDS =
  /(?:stk|số tài khoản|so tai khoan|tài khoản|tai khoan|\btk\b|account|\bacc\b|acct|a\/c|ngân hàng|ngan hang|bank|thẻ|\bthe\b|card|iban|momo|zalopay|ví)\W*(?:\S+\W+){0,2}$/iu;
const ID_WORDS =
  /(?:cccd|cmnd|\bcmt\b|căn cước|can cuoc|chứng minh|chung minh|định danh|dinh danh|\bid\b|identity|citizen)\W*(?:\S+\W+){0,2}$/iu;
const PASSPORT_WORDS = /(?:hộ chiếu|ho chieu|passport|\bhc\b)\W*(?:\S+\W+){0,2}$/iu;
const PHONE_WORDS =
  /(?:sđt|sdt|điện thoại|dien thoai|\bđt\b|\bdt\b|zalo|gọi|goi|call|phone|tel|whatsapp|viber|\bline\b|hotline|liên hệ|lien he|nhắn|nhan tin)\W*(?:\S+\W+){0,2}$/iu;

/**
 * Replaces personal data with placeholders: e-mail addresses, phone numbers
 * (Vietnamese 0xx and +84, international +cc), citizen ID numbers (CCCD 12
 * digits, CMND 9), passport numbers and bank or card account numbers. Money
 * amounts (15.000.000), dates (19.09.2025) and year ranges stay, because the
 * answer may turn on them. Short codes (111, 113) are never personal.
 *
 * It errs towards removing: a run of eight digits or more that is not a money
 * amount or a date goes, whatever it is. Names, street addresses and numbers
 * written in words are not recognised (see README, "Optional language model").
 */
export function scrubPersonalData(text: string, options: ScrubOptions = {}): string {
  const keep = options.keepPhones ?? new Set<string>();
  return text
    .normalize('NFC')
    .replace(EMAIL, PLACEHOLDERS.email)
    .replace(PASSPORT, (m, offset: number, whole: string) =>
      // "C1234567" is a passport anywhere; "AB 12345678" only when the words say so.
      /^[a-z]\d{7}$/i.test(m) || PASSPORT_WORDS.test(before(whole, offset))
        ? PLACEHOLDERS.passport
        : m,
    )
    .replace(DIGIT_RUN, (m, offset: number, whole: string) =>
      classifyRun(m, before(whole, offset), keep),
    );
}

function before(text: string, offset: number): string {
  return text.slice(Math.max(0, offset - 40), offset);
}

/** What one run of digits is, judged by its shape and the words just before it. */
function classifyRun(run: string, context: string, keep: ReadonlySet<string>): string {
  const trimmed = run.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (isMoney(trimmed) || isDate(trimmed)) return run;
  if (ACCOUNT_WORDS.test(context)) return PLACEHOLDERS.account;
  if (ID_WORDS.test(context)) return PLACEHOLDERS.id;
  if (PASSPORT_WORDS.test(context)) return PLACEHOLDERS.passport;
  if (keep.has(phoneKey(trimmed.replace(/[()]/g, '')))) return run;
  if (PHONE_WORDS.test(context) || /^\(?\+/.test(trimmed)) return PLACEHOLDERS.phone;
  if (/^0/.test(digits) && digits.length >= 9 && digits.length <= 11) return PLACEHOLDERS.phone;
  if (/^84/.test(digits) && digits.length >= 10 && digits.length <= 12) return PLACEHOLDERS.phone;
  if (digits.length === 12 || digits.length === 9) return PLACEHOLDERS.id;
  if (digits.length >= 8) return PLACEHOLDERS.account;
  // Six or seven digits with no label: a salary in đồng, a postcode, a year and a day.
  return run;
}

/** 15.000.000 or 1,500,000 or 2 000 000: thousands grouped, never starting with 0. */
function isMoney(run: string): boolean {
  return /^[1-9]\d{0,2}(?:([.,\s])\d{3})(?:\1\d{3})*$/.test(run);
}

/** 19.09.2025, 19-9-2025, 2025-09-19, 2019-2025. */
function isDate(run: string): boolean {
  return (
    /^\d{1,2}([.-])\d{1,2}\1(?:19|20)\d{2}$/.test(run) ||
    /^(?:19|20)\d{2}-\d{1,2}-\d{1,2}$/.test(run) ||
    /^(?:19|20)\d{2}\s?-\s?(?:19|20)\d{2}$/.test(run)
  );
}
