import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ContentError } from '../core/errors.js';
import type { FlowDefinition, FlowStep } from '../core/flow-types.js';
import { localizedText } from './localized.js';

const choice = z
  .object({
    label: z.string().min(1),
    value: z.string().min(1),
    score: z.number().min(0).max(10).optional(),
    reason: z.string().optional(),
  })
  .strict();
const step = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    kind: z.enum(['choice', 'text', 'end']),
    say: z.string(),
    choices: z.array(choice).optional(),
    tool: z.enum(['job-ad', 'company', 'province']).optional(),
    skipIfSign: z.string().optional(),
    next: z.string().optional(),
    result: z.enum(['job-risk', 'exploitation', 'company', 'directory']).optional(),
  })
  .strict();
const flowSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  locale: z.string().regex(/^[a-z]{2,3}$/),
  title: z.string().min(3),
  start: z.string(),
  thresholds: z.object({ medium: z.number(), high: z.number() }).optional(),
  texts: z.record(z.string(), z.string()),
  next: z.array(z.object({ label: z.string().min(1), payload: z.string().min(1) })),
  /** Topics whose answers offer this check as a next step. */
  offer_after: z.array(z.string()).default([]),
  steps: z.array(step).min(1),
});

/** Problems of one flow's steps, each naming the step and the reason. */
function checkSteps(file: string, steps: FlowStep[], start: string): string[] {
  const ids = new Set(steps.map((s) => s.id));
  const problems: string[] = [];
  if (!ids.has(start)) problems.push(`${file}: "start" names unknown step "${start}"`);
  for (const s of steps) {
    const at = `${file}: step "${s.id}"`;
    if (s.kind === 'choice' && !s.choices?.length)
      problems.push(`${at} is a choice without choices`);
    if (s.kind !== 'end' && !s.next) problems.push(`${at} has no "next" step`);
    if (s.next && !ids.has(s.next)) problems.push(`${at} goes to unknown step "${s.next}"`);
    if (s.kind === 'end' && !s.result) problems.push(`${at} is an end step without "result"`);
    if (s.kind === 'text' && !s.tool) problems.push(`${at} is a text step without "tool"`);
  }
  return problems;
}

/** Reads `content/flows/<locale>/<flow>.yaml`; errors name the file, the step and the reason. */
export function loadFlows(contentDir: string): FlowDefinition[] {
  const root = join(contentDir, 'flows');
  const flows: FlowDefinition[] = [];
  const problems: string[] = [];
  for (const locale of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const name of readdirSync(join(root, locale.name)).filter((n) => n.endsWith('.yaml'))) {
      const file = `flows/${locale.name}/${name}`;
      let data: unknown;
      try {
        data = parseYaml(readFileSync(join(root, locale.name, name), 'utf8'));
      } catch (error) {
        problems.push(`${file}: not valid YAML: ${(error as Error).message}`);
        continue;
      }
      const parsed = flowSchema.safeParse(data);
      if (!parsed.success) {
        for (const i of parsed.error.issues) {
          const where =
            i.path[0] === 'steps' && typeof i.path[1] === 'number' ? `step #${i.path[1] + 1} ` : '';
          problems.push(`${file}: ${where}field "${i.path.join('.')}" ${i.message}`);
        }
        continue;
      }
      const f = parsed.data;
      const stepProblems = checkSteps(file, f.steps as FlowStep[], f.start);
      if (f.locale !== locale.name)
        stepProblems.push(`${file}: "locale" is ${f.locale} but the file is in ${locale.name}/`);
      if (`${f.id}.yaml` !== name)
        stepProblems.push(`${file}: "id" is ${f.id} but the file is ${name}`);
      problems.push(...stepProblems);
      if (stepProblems.length === 0) {
        flows.push({
          ...f,
          steps: Object.fromEntries(f.steps.map((s) => [s.id, s as FlowStep])),
          file,
        } as FlowDefinition);
      }
    }
  }
  if (problems.length > 0) throw new ContentError(problems);
  return flows;
}

const signsSchema = z.object({
  signs: z.array(
    z.object({
      id: z.string(),
      weight: z.number().min(0).max(10),
      label: localizedText(),
      phrases: z.array(z.string().min(1)).min(1),
    }),
  ),
});
export type JobAdSignSpec = z.infer<typeof signsSchema>['signs'][number];

export function loadJobAdSigns(contentDir: string): JobAdSignSpec[] {
  const parsed = signsSchema.safeParse(
    parseYaml(readFileSync(join(contentDir, 'flows', 'job-ad-signs.yaml'), 'utf8')),
  );
  if (!parsed.success) {
    throw new ContentError(
      parsed.error.issues.map(
        (i) => `flows/job-ad-signs.yaml: field "${i.path.join('.')}" ${i.message}`,
      ),
    );
  }
  return parsed.data.signs;
}
