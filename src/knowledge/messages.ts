import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';

const text = z.string().min(1);

/** UI strings of one locale: `content/messages/<locale>.yaml`. */
export const messagesSchema = z.object({
  greeting: text,
  menu_prompt: text,
  menu: z.array(z.object({ label: text, payload: text })).min(2),
  fallback: text,
  clarify: text,
  talk_to_person: text,
  menu_button: text,
  read_more: text,
  sources: text,
  refuse: text,
  language_set: text,
  delete_confirm: text,
  delete_yes: text,
  delete_no: text,
  deleted: text,
  delete_kept: text,
  too_long: text,
  not_text: text,
  emergency: text,
  emergency_abroad: text,
  safe_to_chat: text,
  safe_yes: text,
  safe_no: text,
  safe_yes_reply: text,
  safe_no_reply: text,
  urgent_offer: text,
  not_now: text,
  queued: text,
  nobody_online: text,
  outside_hours: text,
  cancel_button: text,
  cancelled: text,
  counsellor_joined: text,
  counsellor_closed: text,
  flow_resume: text,
  exit_confirm: text,
  exit_done: text,
});

export type Messages = z.infer<typeof messagesSchema>;

/** Loads every locale's messages; problems name the file and the field. */
export function loadMessages(contentDir: string): Map<string, Messages> {
  const dir = join(contentDir, 'messages');
  const result = new Map<string, Messages>();
  const problems: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const file = `messages/${name}`;
    try {
      const parsed = messagesSchema.safeParse(parseYaml(readFileSync(join(dir, name), 'utf8')));
      if (parsed.success) result.set(name.slice(0, -5), parsed.data);
      else
        for (const issue of parsed.error.issues)
          problems.push(`${file}: field "${issue.path.join('.')}" ${issue.message}`);
    } catch (error) {
      problems.push(`${file}: not valid YAML: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ContentError(problems);
  return result;
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}
