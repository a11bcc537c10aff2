import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ContentError } from '../core/errors.js';
import { type Article, articleFrontMatterSchema } from './article-schema.js';

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Parses one article file; problems are returned, naming the file and the field. */
export function parseArticle(
  text: string,
  file: string,
  expected: { locale: string; id: string },
): { article?: Article; problems: string[] } {
  const match = FRONT_MATTER.exec(text.normalize('NFC'));
  if (!match) return { problems: [`${file}: no YAML front-matter between --- lines`] };
  let data: unknown;
  try {
    data = parseYaml(match[1] ?? '');
  } catch (error) {
    return { problems: [`${file}: front-matter is not valid YAML: ${(error as Error).message}`] };
  }
  const parsed = articleFrontMatterSchema.safeParse(data);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map(
        (issue) => `${file}: field "${issue.path.join('.') || '(root)'}" ${issue.message}`,
      ),
    };
  }
  const problems: string[] = [];
  if (parsed.data.id !== expected.id) {
    problems.push(
      `${file}: field "id" is "${parsed.data.id}" but the file is named ${expected.id}.md`,
    );
  }
  if (parsed.data.locale !== expected.locale) {
    problems.push(
      `${file}: field "locale" is "${parsed.data.locale}" but the file is in ${expected.locale}/`,
    );
  }
  const body = (match[2] ?? '').trim();
  if (body.length < 50) problems.push(`${file}: the body is missing or shorter than 50 characters`);
  return { article: { ...parsed.data, body, file }, problems };
}

/**
 * Reads every `articles/<locale>/<id>.md` under the content folder. Throws a
 * ContentError listing every problem at once, so an editor fixes them in one go.
 */
export function loadArticles(contentDir: string): Article[] {
  const root = join(contentDir, 'articles');
  const articles: Article[] = [];
  const problems: string[] = [];
  for (const locale of readdirSync(root, { withFileTypes: true })) {
    if (!locale.isDirectory()) continue;
    for (const name of readdirSync(join(root, locale.name)).sort()) {
      if (!name.endsWith('.md')) continue;
      const path = join(root, locale.name, name);
      const result = parseArticle(readFileSync(path, 'utf8'), relative(contentDir, path), {
        locale: locale.name,
        id: name.slice(0, -3),
      });
      problems.push(...result.problems);
      if (result.article) articles.push(result.article);
    }
  }
  const ids = new Set(articles.map((a) => a.id));
  for (const a of articles) {
    for (const r of a.related) {
      if (!ids.has(r)) problems.push(`${a.file}: field "related" names unknown topic "${r}"`);
    }
  }
  if (problems.length > 0) throw new ContentError(problems);
  return articles;
}
