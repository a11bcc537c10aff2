import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';

const contactSchema = z.object({
  id: z.string().min(1),
  value: z.string().min(3),
  kind: z.enum(['phone', 'email', 'web']),
  owner: z.string().min(3),
  purpose: z.string().min(3),
  hours: z.string().min(2),
  cost: z.string().optional(),
  scope: z.string().optional(),
  source: z.object({ title: z.string().min(3), url: z.url() }),
  verified_on: z.union([z.date(), z.string()]),
  needs_review: z.string().optional(),
});

export type Contact = z.infer<typeof contactSchema>;

/** Reads `content/contacts.yaml`: every number and address the bot may show. */
export function loadContacts(contentDir: string): Contact[] {
  const data = parseYaml(readFileSync(join(contentDir, 'contacts.yaml'), 'utf8'));
  const parsed = z.object({ contacts: z.array(contactSchema).min(1) }).safeParse(data);
  if (!parsed.success) {
    throw new ContentError(
      parsed.error.issues.map((i) => `contacts.yaml: field "${i.path.join('.')}" ${i.message}`),
    );
  }
  return parsed.data.contacts;
}

/** Digits only, with Vietnam's +84 read as the leading 0 of a domestic number. */
export function phoneKey(value: string): string {
  const digits = value.replace(/\D/g, '');
  return value.trim().startsWith('+84') ? `0${digits.slice(2)}` : digits;
}

export function hostKey(value: string): string {
  return value
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/?#].*$/, '')
    .replace(/\.$/, '');
}

const PHONE_WORDS =
  /(?<!\p{L})(gọi|goi|số|so|call|dial|hotline|line|tổng đài|tong dai|đường dây|duong day|phone|sđt|sdt|liên hệ|contact)\W{0,3}(\S+\W{1,3}){0,3}$/iu;

/**
 * Phone numbers, e-mail and web addresses a text shows. Short codes (111,
 * 113...) count when a phone word comes just before them, so "Điều 150" or
 * "2025" are not read as numbers to call.
 */
export function findContacts(text: string): {
  phones: string[];
  emails: string[];
  hosts: string[];
} {
  const phones = new Set<string>();
  const emails = new Set<string>();
  const hosts = new Set<string>();
  for (const m of text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)) emails.add(m[0].toLowerCase());
  const withoutEmails = text.replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' ');
  for (const m of withoutEmails.matchAll(
    /\b(?:https?:\/\/)?(?:[a-z0-9-]+\.)+(?:vn|com|org|net|gov|int|info|jp|kr|tw|cn|la|kh|my|th|uk|eu|io)\b(?:\/\S*)?/gi,
  )) {
    hosts.add(hostKey(m[0]));
  }
  const phoneLike =
    /(?<![\w/.,])(\+\d{1,3}[\s.-]?\d(?:[\d\s.-]{6,14}\d)|0\d{2,3}[\s.-]?\d{3,4}[\s.-]?\d{3,4}|1[89]00[\s.-]?\d{3,4}(?:[\s.-]?\d{2,4})?)(?![\w/])/g;
  for (const m of withoutEmails.matchAll(phoneLike)) phones.add(phoneKey(m[0]));
  for (const m of withoutEmails.matchAll(/(?<![\w/.,])1\d\d(?![\w/%]|[.,]\d)/g)) {
    const before = withoutEmails.slice(Math.max(0, (m.index ?? 0) - 40), m.index);
    if (PHONE_WORDS.test(before)) phones.add(m[0]);
  }
  return { phones: [...phones], emails: [...emails], hosts: [...hosts] };
}
