/**
 * npm run bench:triage — how long triage adds to one message (target p99 < 1 ms).
 * Messages: every sample question of every article, as written and without diacritics.
 */
import { loadContent } from '../src/load-content.js';
import { sampleMessages, timeEach } from './sample.js';

const { knowledge, triage } = loadContent(process.env.CONTENT_DIR ?? 'content', 'vi');
const figures = timeEach(sampleMessages(knowledge), (m) => triage.screen(m));
console.log(`triage: ${figures} (target p99 < 1 ms)`);
