import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** One self-contained script that a school embeds with a single <script> tag. */
export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('../../../dist/widget', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    lib: {
      entry: fileURLToPath(new URL('./widget.ts', import.meta.url)),
      name: 'SafeJourneyWidget',
      formats: ['iife'],
      fileName: () => 'safe-journey-widget.js',
    },
  },
});
