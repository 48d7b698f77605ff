import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const page = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // Two pages, two bundles: the staff console (index.html) and the client portal
    // (portal/index.html, which the server sends for /portal/*), so a client downloads the
    // portal only. What both use (React, Mantine, the API client) goes to one "shared" chunk.
    rolldownOptions: {
      input: { console: page('web/index.html'), portal: page('web/portal/index.html') },
      output: { codeSplitting: { groups: [{ name: 'shared', minShareCount: 2 }] } },
    },
    // dist/.vite/manifest.json says which files each page loads, and the source maps (not
    // referenced from the scripts, so browsers never fetch them) which modules each file holds:
    // a test reads both to prove the portal loads none of the console's pages.
    manifest: true,
    sourcemap: 'hidden',
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
