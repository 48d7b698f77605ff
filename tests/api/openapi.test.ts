import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { randomUUID } from 'node:crypto';
import { portalPermissions } from '../../src/shared/contract/access-profiles.js';
import {
  ApiClient,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { signedInToPortal } from '../support/portal-client.js';

interface JsonSchema {
  type?: string | string[];
  format?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  maxLength?: number;
  enum?: unknown[];
}
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
  parameters?: { in: string; name: string; schema?: object }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
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

  it('describes every route that reads multipart/form-data by its form: typed fields, the required ones, and files as binary', async () => {
    // Which routes read a form: a form posted to any other route is refused (415) before its
    // handler runs. Each route is tried with the session it is for: Master Admin, or a contact
    // whose profile has every permission. The example ids and the form's lone field make each
    // reader refuse the post (404 or 400), so nothing is written.
    const admin = await signedInAs(testApp.app, 'master_admin');
    const { email, portal } = await signedInToPortal(
      testApp,
      await organizationId(testApp, 'Pawnee Parks Dept.'),
    );
    await testApp.database.pool.query(
      `WITH profile AS (INSERT INTO access_profiles (name, permissions)
                        VALUES ('OpenAPI forms check', $1) RETURNING id)
       UPDATE contact_organizations SET access_profile_id = (SELECT id FROM profile)
        WHERE contact_id = (SELECT id FROM contacts WHERE email = $2)`,
      [[...portalPermissions], email],
    );
    const tokenOf = async (client: ApiClient, portalRoute: boolean) =>
      (await client.get(portalRoute ? '/api/portal/session' : '/api/auth/session')).json<{
        csrfToken: string;
      }>().csrfToken;
    const tokens = { staff: await tokenOf(admin, false), portal: await tokenOf(portal, true) };
    const boundary = `----portico${randomUUID()}`;
    const form = [
      `--${boundary}\r\nContent-Disposition: form-data; name="probe"\r\n\r\nyes\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const readers: string[] = [];
    const unreached: string[] = [];
    for (const route of apiRoutes().filter((r) => r.method !== 'GET')) {
      const portalRoute = route.url.startsWith('/api/portal/');
      const response = await testApp.app.inject({
        method: route.method as 'POST',
        url: route.url.replace(/:\w+/g, '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f'),
        headers: {
          cookie: (portalRoute ? portal : admin).cookieHeader(),
          'x-csrf-token': portalRoute ? tokens.portal : tokens.staff,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload: form,
      });
      const where = `${route.method} ${openApiPath(route.url)}`;
      if (response.statusCode === 401 || response.statusCode === 403) unreached.push(where);
      else if (response.statusCode !== 415) readers.push(where);
    }
    // The routes a session cannot reach here: signing in, and the TOTP steps.
    expect(
      unreached.every((where) => /\/api\/(auth|portal)\/|totp/.test(where)),
      unreached.join('\n'),
    ).toBe(true);
    expect(readers.length).toBeGreaterThanOrEqual(4);

    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => operation.requestBody?.content?.['multipart/form-data'])
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented).toEqual(readers.sort());

    for (const where of readers) {
      const [method, path] = where.split(' ') as [string, string];
      const body = document.paths[path]![method.toLowerCase()]!.requestBody!;
      const schema = body.content!['multipart/form-data']!.schema!;
      expect(schema.type, where).toBe('object');
      // Every field says what it holds.
      for (const [name, field] of Object.entries(schema.properties ?? {})) {
        expect(field.type ?? field.anyOf?.map((s) => s.type), `${where} ${name}`).toBeDefined();
      }
      // The files: several parts of one field, each a file's bytes.
      expect(schema.properties?.attachments, where).toMatchObject({
        type: 'array',
        items: { type: 'string', format: 'binary' },
      });
      expect(schema.required ?? [], where).not.toContain('attachments');
      // The same text fields as a JSON object, without files.
      const json = body.content!['application/json']!.schema!;
      expect(Object.keys(json.properties ?? {}), where).not.toContain('attachments');
      expect(json.required, where).toEqual(schema.required);
    }
    const fieldsOf = (path: string) =>
      document.paths[path]!.post!.requestBody!.content!['multipart/form-data']!.schema!;
    const portalTicket = fieldsOf('/api/portal/tickets');
    expect([...(portalTicket.required ?? [])].sort()).toEqual([
      'description',
      'priority',
      'summary',
      'typeId',
    ]);
    expect(Object.keys(portalTicket.properties ?? {}).sort()).toEqual([
      'attachments',
      'contactPhone',
      'description',
      'priority',
      'summary',
      'typeId',
    ]);
    expect(portalTicket.properties?.summary).toMatchObject({ type: 'string', maxLength: 200 });
    expect(portalTicket.properties?.priority?.enum).toEqual(['low', 'medium', 'high', 'critical']);
    const staffTicket = fieldsOf('/api/tickets');
    expect(staffTicket.required).toContain('organizationId');
    expect(Object.keys(staffTicket.properties ?? {})).toEqual(
      expect.arrayContaining(['contactId', 'assigneeId', 'attachments']),
    );
    expect(staffTicket.properties?.assigneeId?.anyOf).toEqual([
      expect.objectContaining({ type: 'string', format: 'uuid' }),
      { type: 'null' },
    ]);
    expect(fieldsOf('/api/tickets/{id}/replies').properties?.internal?.enum).toEqual([
      'true',
      'false',
    ]);
    expect(fieldsOf('/api/portal/tickets/{ticketId}/additional-information').required).toEqual([
      'body',
    ]);
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
