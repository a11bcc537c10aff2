import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findContacts } from '../../src/knowledge/contacts.js';
import { checkContent } from '../../src/knowledge/content-check.js';
import { parseArticle } from '../../src/knowledge/load-articles.js';
import { knowledge } from '../support/conversation.js';

const dirs: string[] = [];
function copyOfContent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sj-content-'));
  cpSync('content', dir, { recursive: true });
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the shipped content', () => {
  it('passes the content check', () => {
    const report = checkContent('content');
    expect(report.errors).toEqual([]);
    expect(report.articles).toBeGreaterThanOrEqual(70);
  });

  it('has every required topic in Vietnamese and English, each with a sourced short answer', () => {
    const kb = knowledge();
    const required =
      readFileSync('content/topics.yaml', 'utf8').match(/^ {2}- ([a-z0-9-]+)$/gm) ?? [];
    expect(required.length).toBe(35);
    for (const line of required) {
      const id = line.replace(/^ {2}- /, '');
      for (const locale of ['vi', 'en']) {
        const a = kb.article(id, locale);
        expect(a?.locale, `${locale}/${id}`).toBe(locale);
        expect(a?.short.length).toBeLessThanOrEqual(600);
        expect(a?.sources.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('content check', () => {
  it('fails on a phone number that contacts.yaml does not declare', () => {
    const dir = copyOfContent();
    const file = join(dir, 'articles/vi/hotline-111.md');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nHoặc gọi 0912 345 678 để được giúp.\n`);
    const { errors } = checkContent(dir);
    expect(errors).toEqual([
      expect.stringMatching(/hotline-111\.md: phone number "0912345678" is not declared/),
    ]);
  });

  it('fails on an undeclared web address and e-mail', () => {
    const dir = copyOfContent();
    const file = join(dir, 'articles/en/hotline-111.md');
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}\nSee www.fake-help.com or write to help@fake-help.com.\n`,
    );
    const { errors } = checkContent(dir);
    expect(errors).toContainEqual(
      expect.stringMatching(/web address "fake-help.com" is not declared/),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(/e-mail "help@fake-help.com" is not declared/),
    );
  });

  it('fails on a missing translation', () => {
    const dir = copyOfContent();
    unlinkSync(join(dir, 'articles/en/debt-bondage.md'));
    const { errors } = checkContent(dir);
    expect(errors).toContainEqual(expect.stringMatching(/articles\/en\/debt-bondage\.md: missing/));
  });

  it('fails on front-matter errors and names the file and field', () => {
    const dir = copyOfContent();
    const file = join(dir, 'articles/vi/anti-stigma.md');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^sources:[\s\S]*?^review:/m, 'review:'),
    );
    const { errors } = checkContent(dir);
    expect(errors).toContainEqual(
      expect.stringMatching(/articles\/vi\/anti-stigma\.md: field "sources"/),
    );
  });

  it('warns about reviews older than a year without failing', () => {
    const report = checkContent('content', new Date('2028-01-01'));
    expect(report.errors).toEqual([]);
    expect(report.warnings.some((w) => /more than a year ago/.test(w))).toBe(true);
  });
});

describe('reading contacts out of text', () => {
  it('finds numbers to call, not article numbers, years or money', () => {
    const found = findContacts(
      'Gọi 111 hoặc 113. Điều 150 Bộ luật Hình sự, năm 2025, 125 triệu đồng, +84 981 84 84 84, dolab.moha.gov.vn',
    );
    expect(found.phones.sort()).toEqual(['0981848484', '111', '113']);
    expect(found.hosts).toEqual(['dolab.moha.gov.vn']);
  });
});

describe('article parsing', () => {
  it('names the file and the field that is wrong', () => {
    const text =
      '---\nid: x\nlocale: vi\ntitle: Hi\nquestions: []\nshort: ok\nsources: []\nreview: {}\n---\nbody';
    const { problems } = parseArticle(text, 'articles/vi/x.md', { locale: 'vi', id: 'x' });
    expect(problems.join('\n')).toMatch(/articles\/vi\/x\.md: field "title"/);
    expect(problems.join('\n')).toMatch(/field "sources" every article needs at least one source/);
  });
});
