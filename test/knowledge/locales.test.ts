import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkContent } from '../../src/knowledge/content-check.js';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { THIRD_LOCALE_FIXTURE } from '../support/third-locale.js';

const dirs: string[] = [];
/** A fresh copy of content/ with the fixture locale dropped in, for a test to break. */
function withThirdLocale(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sj-locales-'));
  cpSync('content', dir, { recursive: true });
  cpSync(THIRD_LOCALE_FIXTURE, dir, { recursive: true, filter: (s) => !s.endsWith('README.md') });
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
/** Removes one top-level key (and its folded lines) from a YAML file. */
function dropKey(file: string, key: string) {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(new RegExp(`^${key}:.*\\n(?:[ ]+.*\\n)*`, 'm'), ''));
}

describe('content check, per locale', () => {
  it('passes a partial locale, and reports what it lacks compared with Vietnamese', () => {
    const report = checkContent(withThirdLocale());
    expect(report.errors).toEqual([]);
    const hmn = report.locales.find((l) => l.locale === 'hmn');
    expect(hmn?.articles).toMatchObject({ have: 2, total: 35 });
    expect(hmn?.articles.missing).toContain('debt-bondage');
    expect(hmn?.flows).toMatchObject({ have: 0, total: 4 });
    expect(hmn?.messages.missing).toContain('fallback');
    expect(hmn?.messages.missing).not.toContain('emergency');
    expect(hmn?.triage).toBe(true);
    const en = report.locales.find((l) => l.locale === 'en');
    expect([en?.messages.missing, en?.articles.missing, en?.flows.missing]).toEqual([[], [], []]);
  });

  it('fails when a locale lacks the emergency reply or a "talk to a person" message', () => {
    for (const key of ['emergency', 'queued', 'nobody_online', 'talk_to_person']) {
      const dir = withThirdLocale();
      dropKey(join(dir, 'messages/hmn.yaml'), key);
      expect(checkContent(dir).errors, key).toEqual([
        expect.stringMatching(new RegExp(`^messages/hmn\\.yaml: field "${key}" is missing`)),
      ]);
      expect(() => loadKnowledgeBase(dir), key).toThrow(/messages\/hmn\.yaml/);
    }
  });

  it('fails on content in a language that has no messages file (no emergency reply)', () => {
    const dir = withThirdLocale();
    unlinkSync(join(dir, 'messages/hmn.yaml'));
    const { errors } = checkContent(dir);
    expect(errors).toContainEqual(
      expect.stringMatching(/^articles\/hmn\/: there is no messages\/hmn\.yaml/),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(/^triage\/hmn\.yaml: there is no messages\/hmn\.yaml/),
    );
  });

  it('warns, without failing, when danger written in a locale cannot be recognised', () => {
    const dir = withThirdLocale();
    unlinkSync(join(dir, 'triage/hmn.yaml'));
    const report = checkContent(dir);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toContainEqual(expect.stringMatching(/^triage\/hmn\.yaml: missing/));
  });

  it('fails on a localised text cut short by an unquoted comma', () => {
    const dir = withThirdLocale();
    const file = join(dir, 'directory/agencies.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'name: { vi: Cấp cứu y tế, en: Ambulance }',
        'name: { vi: Cấp cứu y tế, xe cứu thương, en: Ambulance }',
      ),
    );
    expect(checkContent(dir).errors).toContainEqual(
      expect.stringMatching(
        /agencies\.yaml: field "agencies\.2\.name\.xe cứu thương" .*locale code/,
      ),
    );
  });

  it('needs no messages file beyond the default one to hold every key', () => {
    const dir = withThirdLocale();
    mkdirSync(join(dir, 'articles/hmn'), { recursive: true });
    const kb = loadKnowledgeBase(dir);
    expect(kb.locales).toEqual(['vi', 'en', 'hmn']);
    expect(kb.messages('hmn').greeting).toBe('[hmn fixture] hello, ask me anything.');
    expect(kb.messages('hmn').read_more).toBe(kb.messages('vi').read_more);
  });
});
