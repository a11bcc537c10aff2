import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';
import { REGIONS } from '../core/report-types.js';
import { fold } from '../core/text/normalize.js';
import { type Contact, loadContacts } from './contacts.js';
import { localizedText } from './localized.js';

const localized = localizedText(2);
const provincesSchema = z.object({
  source: z.object({ title: z.string(), url: z.url() }),
  needs_review: z.string().optional(),
  provinces: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        region: z.enum(REGIONS),
        former: z.array(z.string()),
      }),
    )
    .length(34, 'Vietnam has 34 provincial-level units since 1/7/2025'),
});
const agenciesSchema = z.object({
  agencies: z.array(
    z.object({
      id: z.string(),
      name: localized,
      needs: z.array(z.string()).min(1),
      provinces: z.union([z.literal('all'), z.array(z.string())]),
      contacts: z.array(z.string()),
      note: localized.optional(),
    }),
  ),
});

export type Province = z.infer<typeof provincesSchema>['provinces'][number];

export interface DirectoryEntry {
  id: string;
  name: string;
  needs: string[];
  note?: string;
  contacts: Pick<Contact, 'value' | 'kind' | 'hours' | 'purpose'>[];
}

export interface Directory {
  provinces: Province[];
  needs: string[];
  /** Agencies serving a province (by current or former name, typed any way) and a need. */
  search(query: { province?: string; need?: string; locale: string }): {
    province?: Province;
    agencies: DirectoryEntry[];
  };
}

/** The referral directory: `content/directory/`, contacts resolved from contacts.yaml. */
export function loadDirectory(contentDir: string): Directory {
  const read = (name: string) =>
    parseYaml(readFileSync(join(contentDir, 'directory', name), 'utf8'));
  const problems: string[] = [];
  const provinces = provincesSchema.safeParse(read('provinces.yaml'));
  const agencies = agenciesSchema.safeParse(read('agencies.yaml'));
  if (!provinces.success)
    problems.push(
      ...provinces.error.issues.map(
        (i) => `directory/provinces.yaml: field "${i.path.join('.')}" ${i.message}`,
      ),
    );
  if (!agencies.success)
    problems.push(
      ...agencies.error.issues.map(
        (i) => `directory/agencies.yaml: field "${i.path.join('.')}" ${i.message}`,
      ),
    );
  if (!provinces.success || !agencies.success) throw new ContentError(problems);
  const contacts = new Map(loadContacts(contentDir).map((c) => [c.id, c]));
  const provinceIds = new Set(provinces.data.provinces.map((p) => p.id));
  for (const a of agencies.data.agencies) {
    for (const c of a.contacts)
      if (!contacts.has(c))
        problems.push(`directory/agencies.yaml: agency "${a.id}" names unknown contact "${c}"`);
    if (a.provinces !== 'all')
      for (const p of a.provinces)
        if (!provinceIds.has(p))
          problems.push(`directory/agencies.yaml: agency "${a.id}" names unknown province "${p}"`);
  }
  if (problems.length > 0) throw new ContentError(problems);

  const findProvince = (text: string) => {
    const q = fold(text).trim();
    return provinces.data.provinces.find((p) =>
      [p.id.replace(/-/g, ' '), p.name, ...p.former].some(
        (n) => fold(n) === q || fold(n).includes(q),
      ),
    );
  };
  return {
    provinces: provinces.data.provinces,
    needs: [...new Set(agencies.data.agencies.flatMap((a) => a.needs))].sort(),
    search({ province, need, locale }) {
      const found = province ? findProvince(province) : undefined;
      const list = agencies.data.agencies
        .filter((a) => !need || a.needs.includes(need))
        .filter((a) => a.provinces === 'all' || (found && a.provinces.includes(found.id)))
        .map((a) => ({
          id: a.id,
          name: a.name[locale] ?? a.name.vi,
          needs: a.needs,
          ...(a.note ? { note: a.note[locale] ?? a.note.vi } : {}),
          contacts: a.contacts.map((id) => {
            const c = contacts.get(id) as Contact;
            return { value: c.value, kind: c.kind, hours: c.hours, purpose: c.purpose };
          }),
        }));
      return { ...(found ? { province: found } : {}), agencies: list };
    },
  };
}
