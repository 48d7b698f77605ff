import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
  parameters?: { in: string; name: string; schema?: object }[];
  requestBody?: { content?: Record<string, { schema?: object }> };
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, object> };
}

let testApp: TestApp;
let document: OpenApiDocument;

beforeAll(async () => {
  testApp = await startTestApp();
  const response = await testApp.app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  document = response.json();
});
afterAll(async () => testApp?.close());

/** The /api routes a client can call, as registered (HEAD is Fastify's own twin of GET). */
function apiRoutes() {
  return testApp.app.routeTable.filter(
    (route) =>
      route.url.startsWith('/api/') &&
      route.method !== 'HEAD' &&
      !(route.schema as { hide?: boolean }).hide,
  );
}

/** A route's URL as OpenAPI writes it: `:id` becomes `{id}`. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('the OpenAPI document at /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document whose schemas are valid JSON Schema 2020-12', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: 'Portico API', version: expect.any(String) });
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const schema of Object.values(document.components?.schemas ?? {})) {
      expect(ajv.validateSchema(schema), ajv.errorsText()).toBe(true);
    }
    for (const [path, operations] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\/api\//);
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        const schemas = [
          ...Object.values(operation.responses ?? {}).flatMap((r) =>
            Object.values(r.content ?? {}).map((c) => c.schema),
          ),
          ...(operation.parameters ?? []).map((p) => p.schema),
          ...Object.values(operation.requestBody?.content ?? {}).map((c) => c.schema),
        ];
        for (const schema of schemas) {
          if (schema)
            expect(ajv.validateSchema(schema), `${where}: ${ajv.errorsText()}`).toBe(true);
        }
        // Every {placeholder} of the path is a declared path parameter.
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
          expect(
            operation.parameters?.some((p) => p.in === 'path' && p.name === name),
            `${where} declares its path parameter ${name}`,
          ).toBe(true);
        }
      }
    }
  });

  it('lists every registered /api route, and nothing else', () => {
    const registered = apiRoutes()
      .map((route) => `${route.method} ${openApiPath(route.url)}`)
      .sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented).toEqual(registered);
  });

  it('declares each route answers: a success and the shared error body', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        const statuses = Object.keys(operation.responses ?? {});
        // Every route declares its answers: a route without them fails here.
        expect(statuses, `${where} declares its answers`).toContain('4XX');
        expect(
          statuses.some((status) => /^2\d\d$/.test(status)),
          where,
        ).toBe(true);
        const error = operation.responses?.['4XX']?.content?.['application/json']?.schema as {
          properties?: Record<string, unknown>;
        };
        expect(Object.keys(error?.properties ?? {}), where).toEqual(['error']);
      }
    }
  });

  it('declares documents as PDF or HTML, not JSON', () => {
    for (const [path, type] of [
      ['/api/invoices/{id}/pdf', 'application/pdf'],
      ['/api/invoices/{id}/html', 'text/html'],
      ['/api/portal/invoices/{id}/pdf', 'application/pdf'],
      ['/api/portal/invoices/{id}/html', 'text/html'],
      ['/api/organizations/{id}/statement.pdf', 'application/pdf'],
    ] as const) {
      const content = document.paths[path]?.get?.responses?.['200']?.content ?? {};
      expect(Object.keys(content), path).toEqual([type]);
    }
  });

  it('describes a portal invoice without its staff-only fields', () => {
    const portalInvoice = document.paths['/api/portal/invoices/{id}']?.get;
    expect(Object.keys(portalInvoice?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '4XX']),
    );
    const invoice = portalInvoice?.responses?.['200']?.content?.['application/json']?.schema as {
      properties: { invoice: { properties: Record<string, unknown> } };
    };
    expect(Object.keys(invoice.properties.invoice.properties)).toContain('balanceCents');
    expect(Object.keys(invoice.properties.invoice.properties)).not.toContain('memo');
  });

  it('is shown on a reference page at /api/docs that the CSP lets run', async () => {
    const page = await testApp.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.body).not.toMatch(/<script>[^<]/);
    const json = await testApp.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(json.json().paths).toEqual(document.paths);
  });
});
