/* global module */
/**
 * Module boundaries, checked by `npm run check` (`npm run boundaries`).
 *
 * The layout these rules hold is described in ARCHITECTURE.md ("Boundaries") and the choice of
 * dependency-cruiser in docs/decisions/0026-module-boundaries.md.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'shared-imports-nothing-from-src',
      comment:
        'src/shared/ is pure code the web app bundles too: it imports nothing else from src/ ' +
        '(packages are fine).',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'web-imports-only-shared-server-code',
      comment: 'The browser bundle may take server code only from src/shared/.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(src|tests|bench)/', pathNot: '^src/shared/' },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^web/dist/', '^data/', '^node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
