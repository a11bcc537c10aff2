import { z } from 'zod';

const topicId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a kebab-case topic id');

export const sourceSchema = z.object({
  title: z.string().min(3),
  url: z.url({ protocol: /^https?$/ }),
  publisher: z.string().optional(),
});

/** The YAML front-matter of `content/articles/<locale>/<topic-id>.md`. */
export const articleFrontMatterSchema = z.object({
  id: topicId,
  locale: z.string().regex(/^[a-z]{2,3}$/),
  title: z.string().min(3).max(120),
  questions: z.array(z.string().min(2)).min(1),
  keywords: z.array(z.string().min(1)).default([]),
  short: z.string().min(20).max(600, 'must be at most 600 characters (it is read on a phone)'),
  related: z.array(topicId).default([]),
  sources: z.array(sourceSchema).min(1, 'every article needs at least one source'),
  review: z.object({
    reviewer: z.string().min(2),
    reviewed: z
      .union([z.date(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)])
      .transform((d) => (typeof d === 'string' ? new Date(`${d}T00:00:00Z`) : d)),
    needs_review: z
      .array(z.string())
      .nullish()
      .transform((v) => v ?? []),
  }),
});

export type ArticleFrontMatter = z.infer<typeof articleFrontMatterSchema>;

/** One curated article in one language. */
export interface Article extends ArticleFrontMatter {
  body: string;
  /** Path relative to the content folder, for error messages and editors. */
  file: string;
}
