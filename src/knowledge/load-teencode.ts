import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ContentError } from '../core/errors.js';
import { fold, type TeencodeDictionary, teencodeKey } from '../core/text/normalize.js';

/**
 * Reads `content/teencode.yaml` (token → reading or list of readings). A key
 * written with tone marks matches only that spelling (see `teencodeKey`).
 */
export function loadTeencode(contentDir: string): TeencodeDictionary {
  const file = join(contentDir, 'teencode.yaml');
  const data = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const dict = new Map<string, string[]>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(data ?? {})) {
    const readings = Array.isArray(value) ? value : [value];
    if (!readings.every((r) => typeof r === 'string' && r.trim().length > 0)) {
      problems.push(`teencode.yaml: "${key}" must map to a word or a list of words`);
      continue;
    }
    dict.set(
      teencodeKey(key),
      readings.map((r: string) => fold(r).trim()),
    );
  }
  if (problems.length > 0) throw new ContentError(problems);
  return dict;
}
