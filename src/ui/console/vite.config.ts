import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The counsellor console: a small single-page app served at /console. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
  },
});
