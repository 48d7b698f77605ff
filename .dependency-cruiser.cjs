/* global module */
/**
 * Module boundaries, checked by `npm run check` (`npm run boundaries`).
 *
 * The layout these rules hold is described in ARCHITECTURE.md ("Boundaries") and the choice of
 * dependency-cruiser in docs/decisions/0025-module-boundaries.md.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-module',
      comment:
        'src/platform/ is what is not Portico’s own logic: it never imports a module. Routes, hooks ' +
        'and jobs are wired in the composition root (src/app.ts, src/jobs.ts).',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/(modules|db)/|^src/(app|jobs|main|cli)\\.ts$' },
    },
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
    {
      name: 'sandbox-processor-is-external',
      comment:
        'The sandbox processor behaves like an external processor (docs/decisions/0030): it ' +
        'knows only the PaymentGateway types (payments/gateway.ts), the platform and src/shared.',
      severity: 'error',
      from: { path: '^src/modules/sandbox-processor/' },
      to: {
        path: '^src/(modules|db)/|^src/(app|jobs|main|cli|payment-gateway)\\.ts$',
        pathNot: '^src/modules/(sandbox-processor/|payments/gateway\\.ts$)',
      },
    },
    {
      name: 'no-module-imports-the-sandbox',
      comment:
        'Portico reaches the sandbox only through the PaymentGateway the composition roots ' +
        '(src/payment-gateway.ts, src/app.ts) hand in, as it would reach Stripe.',
      severity: 'error',
      from: { path: '^src/modules/', pathNot: '^src/modules/sandbox-processor/' },
      to: { path: '^src/modules/sandbox-processor/' },
    },
    {
      name: 'no-module-cycles',
      comment:
        'Modules depend on each other in one direction only (ARCHITECTURE.md, Boundaries): a ' +
        'cycle between two modules, whichever of their files import each other, means a piece ' +
        'sits in the wrong module. Move it to the module that owns it, or pass a function in at ' +
        'the composition root (src/app.ts hands settings the staff guard, and email the ' +
        'statements module’s Account Summary for the contact card).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/modules/[^/]+$' },
      to: { circular: true },
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
