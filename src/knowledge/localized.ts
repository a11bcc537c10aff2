import { z } from 'zod';

/**
 * A text in Vietnamese and in any other locale that has it
 * (`{ vi: ..., en: ..., km: ... }`); readers let Vietnamese stand in for a
 * missing locale. Keys must look like locale codes: in a YAML `{ vi: a, b }`
 * an unquoted comma silently starts a new key, cutting the text short.
 */
export const localizedText = (min = 1) =>
  z
    .object({ vi: z.string().min(min) })
    .catchall(z.unknown())
    .superRefine((value, ctx) => {
      for (const [key, text] of Object.entries(value)) {
        if (!/^[a-z]{2,3}$/.test(key))
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'is not a locale code (quote a text that contains a comma)',
          });
        else if (typeof text !== 'string' || text.length < min)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `must be a text of ${min}+ characters`,
          });
      }
    })
    .transform((value) => value as { vi: string } & Record<string, string>);
