import { type Contact, findContacts, hostKey, phoneKey } from '../contacts.js';

/**
 * The checkable facts of a text: what a composed answer may only repeat, never
 * invent. Both the answer and its sources go through the same extraction, so
 * a fact counts as grounded when it comes out the same on both sides.
 */
export interface Facts {
  /** Phone numbers as `phoneKey` (digits, +84 read as 0), short codes with a phone word. */
  phones: Set<string>;
  /** Web hosts (`hostKey`: no scheme, no www, no path). */
  hosts: Set<string>;
  emails: Set<string>;
  /** Money amounts as numbers (5 triệu = 5.000.000 = 5000000); the currency is not compared. */
  money: Set<number>;
  /** Articles of law (`art:150`) and numbered legal texts (`53/2024/qh15`). */
  law: Set<string>;
  /** Day/month dates as `d/m` or `d/m/y`, without leading zeros (also "24/7"). */
  dates: Set<string>;
  /** Every number, thousands separators removed: what the finer kinds above miss. */
  numbers: Set<string>;
}

const HOST =
  /(?<![\p{L}\p{N}@.-])(?:https?:\/\/)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:\/[^\s)>\]"']*)?/giu;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const UNITS: [RegExp, number][] = [
  [/^(?:tỷ|tỉ|ty|billion|bn)$/iu, 1e9],
  [/^(?:triệu|trieu|tr|million|m)$/iu, 1e6],
  [/^(?:nghìn|nghin|ngàn|ngan|k|thousand)$/iu, 1e3],
];
const CURRENCY =
  'đồng|dong|đ|vnđ|vnd|usd|đô|do la|\\$|yên|yen|won|ringgit|rm|baht|tệ|ndt|nhân dân tệ|euro|€';
const MONEY = new RegExp(
  `(?:(?:\\$|usd|€)\\s?)?(\\d+(?:[.,]\\d+)*)\\s*(tỷ|tỉ|billion|bn|triệu|trieu|tr|million|nghìn|nghin|ngàn|ngan|k|thousand)?\\s*(${CURRENCY})?(?![\\p{L}\\p{N}])`,
  'giu',
);
const LAW_ARTICLE = /(?<![\p{L}])(?:điều|dieu|article|art\.?)\s*(\d+[a-z]?)(?![\p{N}])/giu;
const LAW_NUMBER = /(?<![\p{N}/])\d{1,4}\/(?:19|20)\d{2}\/[\p{L}\p{N}-]+/gu;
const DATE = /(?<![\p{N}/.])(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?(?![\p{N}/])/gu;
const NUMBER = /\d+(?:[.,]\d+)*/g;

/** The facts a text states. */
export function extractFacts(text: string): Facts {
  const found = findContacts(text);
  const hosts = new Set(found.hosts);
  for (const m of text.replace(EMAIL, ' ').matchAll(HOST)) hosts.add(hostKey(m[0]));
  // Numbers inside addresses are part of the address, not amounts or dates.
  const plain = text.replace(EMAIL, ' ').replace(HOST, ' ');
  return {
    phones: new Set(found.phones),
    hosts,
    emails: new Set(found.emails),
    money: money(plain),
    law: law(plain),
    dates: new Set([...plain.matchAll(DATE)].map((m) => dateKey(m[1], m[2], m[3]))),
    numbers: new Set([...plain.matchAll(NUMBER)].map((m) => numberKey(m[0]))),
  };
}

/** Facts of several texts together (the cited passages and contacts.yaml). */
export function mergeFacts(all: Facts[]): Facts {
  const merged = extractFacts('');
  for (const f of all) {
    for (const key of Object.keys(merged) as (keyof Facts)[]) {
      for (const v of f[key] as Set<string | number>) (merged[key] as Set<string | number>).add(v);
    }
  }
  return merged;
}

/** What contacts.yaml lets every answer say: its numbers and addresses, hours and costs. */
export function contactFacts(contacts: Contact[]): Facts {
  const facts = extractFacts(
    contacts.map((c) => `${c.value}\n${c.hours}\n${c.cost ?? ''}`).join('\n'),
  );
  for (const c of contacts) {
    // A bare "111" has no phone word beside it here, so the declared kind says what it is.
    if (c.kind === 'phone') facts.phones.add(phoneKey(c.value));
    if (c.kind === 'email') facts.emails.add(c.value.toLowerCase());
    if (c.kind === 'web') facts.hosts.add(hostKey(c.value));
  }
  return facts;
}

/** The first kind of fact in `answer` that `allowed` does not hold, or undefined. */
export function ungroundedFact(answer: Facts, allowed: Facts): keyof Facts | undefined {
  const order: (keyof Facts)[] = ['phones', 'hosts', 'emails', 'money', 'law', 'dates', 'numbers'];
  return order.find((kind) =>
    [...(answer[kind] as Set<string | number>)].some(
      (v) => !(allowed[kind] as Set<string | number>).has(v),
    ),
  );
}

function money(text: string): Set<number> {
  const values = new Set<number>();
  for (const m of text.matchAll(MONEY)) {
    const [whole, digits, unit, currency] = m;
    // Only amounts: a unit, a currency word or a currency sign makes a number money.
    if (!unit && !currency && !/^(?:\$|usd|€)/i.test(whole)) continue;
    const multiplier = UNITS.find(([re]) => re.test(unit ?? ''))?.[1] ?? 1;
    values.add(Math.round(parseAmount(digits ?? '') * multiplier));
  }
  return values;
}

/** "15.000.000" and "1,500,000" group thousands; "1,5" and "1.5" are decimals. */
function parseAmount(digits: string): number {
  if (/^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$/.test(digits)) {
    return Number(digits.replace(/[.,]/g, ''));
  }
  return Number(digits.replace(',', '.'));
}

function law(text: string): Set<string> {
  const refs = new Set<string>();
  for (const m of text.matchAll(LAW_ARTICLE)) refs.add(`art:${m[1]?.toLowerCase()}`);
  for (const m of text.matchAll(LAW_NUMBER)) refs.add(m[0].toLowerCase().normalize('NFC'));
  return refs;
}

function dateKey(day?: string, month?: string, year?: string): string {
  const parts = [day, month, year].filter((p): p is string => p !== undefined);
  return parts.map((p) => String(Number(p))).join('/');
}

function numberKey(token: string): string {
  return /^\d{1,3}(?:([.,])\d{3})+$/.test(token) ? token.replace(/[.,]/g, '') : token;
}
