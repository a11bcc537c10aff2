import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** The fixture locale's folder: H'Mông test texts, marked as fixtures (see its README). */
export const THIRD_LOCALE_FIXTURE = 'test/fixtures/content-third-locale';

/**
 * A copy of the shipped content with the fixture locale's files dropped in,
 * exactly as an editor would add a language: files only, no code. Removed
 * after the test file.
 */
export function contentWithThirdLocale(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sj-third-locale-'));
  cpSync('content', dir, { recursive: true });
  cpSync(THIRD_LOCALE_FIXTURE, dir, {
    recursive: true,
    filter: (src) => !src.endsWith('README.md'),
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
