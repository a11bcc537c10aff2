/**
 * npm run train [-- --check]
 * Trains the understanding model on content/corpus/ and writes
 * content/model/understanding.json (manifest, thresholds) and
 * understanding.bin.gz (weights). Deterministic: the same corpus and seed give
 * the same bytes. With --check it writes nothing and fails when the committed
 * model is not what the committed corpus builds (CI runs this).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { loadConfig } from '../config.js';
import { loadTriage } from '../handoff/triage.js';
import { loadKnowledgeBase } from '../knowledge/knowledge-base.js';
import { loadCorpus } from '../knowledge/understand/corpus.js';
import { FEATURE_BITS } from '../knowledge/understand/features.js';
import { DEFAULT_TRAINING } from '../knowledge/understand/softmax.js';
import { buildModel, prepare, readersOf, TARGETS } from '../knowledge/understand/train.js';
import {
  HEAD_NAMES,
  type Manifest,
  modelFiles,
  sha256,
  weightBytes,
} from '../knowledge/understand/understanding.js';

export function trainFromContent(contentDir: string) {
  const kb = loadKnowledgeBase(contentDir, 'vi', { withModel: false });
  const triage = loadTriage(contentDir, kb.dict);
  const topicIds = kb.topicIds();
  const corpus = loadCorpus(contentDir, topicIds);
  if (corpus.problems.length > 0) {
    throw new Error(`the corpus has problems:\n${corpus.problems.join('\n')}`);
  }
  const lines = [...corpus.lines].sort((a, b) => (a.id < b.id ? -1 : 1));
  const data = prepare(lines, readersOf(kb, triage));
  const model = buildModel(data, topicIds);
  const heads = HEAD_NAMES.map((name) => model.heads[name]);
  const bytes = weightBytes(heads, model.vocabulary);
  const manifest: Manifest = {
    format: 1,
    featureBits: FEATURE_BITS,
    heads: HEAD_NAMES.map((name) => ({
      name,
      classes: model.heads[name].classes,
      scale: model.heads[name].scale,
    })),
    thresholds: model.thresholds,
    weightsSha256: sha256(bytes),
    vocabulary: model.vocabulary.length,
    corpus: {
      lines: lines.length,
      authors: [...new Set(lines.map((l) => l.author))].sort(),
      sha256: sha256(lines.map((l) => JSON.stringify(l)).join('\n')),
    },
    training: { ...DEFAULT_TRAINING, folds: 4, targets: TARGETS },
  };
  return { manifest, bytes };
}

function main() {
  const check = process.argv.includes('--check');
  const contentDir = loadConfig().CONTENT_DIR;
  const started = Date.now();
  const { manifest, bytes } = trainFromContent(contentDir);
  const manifestFile = join(contentDir, modelFiles.manifest);
  const weightsFile = join(contentDir, modelFiles.weights);
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  if (check) {
    const problems: string[] = [];
    let committed = '';
    try {
      committed = readFileSync(manifestFile, 'utf8');
    } catch {
      problems.push(`${modelFiles.manifest} is missing`);
    }
    if (committed && committed !== text)
      problems.push(`${modelFiles.manifest} differs from a fresh build`);
    try {
      if (sha256(gunzipSync(readFileSync(weightsFile))) !== manifest.weightsSha256)
        problems.push(`${modelFiles.weights} differs from a fresh build`);
    } catch {
      problems.push(`${modelFiles.weights} is missing or unreadable`);
    }
    if (problems.length > 0) {
      process.stderr.write(`${problems.join('\n')}\nrun npm run train and commit content/model/\n`);
      process.exit(1);
    }
    process.stdout.write(
      `model matches the corpus (${manifest.corpus.lines} lines, ${Date.now() - started} ms)\n`,
    );
    return;
  }
  mkdirSync(dirname(manifestFile), { recursive: true });
  writeFileSync(weightsFile, gzipSync(bytes, { level: 9 }));
  writeFileSync(manifestFile, text);
  process.stdout.write(
    `trained on ${manifest.corpus.lines} lines by ${manifest.corpus.authors.length} authors in ${Date.now() - started} ms\n` +
      `thresholds ${JSON.stringify(manifest.thresholds)}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
