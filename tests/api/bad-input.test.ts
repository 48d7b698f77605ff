import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import {
  accessProfileId,
  databaseSnapshot,
  errorOf,
  expectFieldErrors,
  staffUserId,
} from '../support/api-assertions.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let testApp: TestApp;
let admin: ApiClient;
let before: Record<string, unknown[]>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  ids.pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  ids.demo = await organizationId(testApp, 'Demo Company');
  ids.leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  ids.april = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
  ids.user = await accessProfileId(testApp, 'User');
  ids.billingStaff = await staffUserId(testApp, 'billing@portico.test');
  before = await databaseSnapshot(testApp);
});
afterAll(async () => testApp.close());

const unknown = '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f';

/** Sends a request and fails on any 5xx, whatever else the test expects. */
async function send(method: Method, url: string, body?: unknown) {
  const withoutBody = method === 'GET' || method === 'DELETE';
  const response = await admin.request(method, url, withoutBody ? undefined : (body ?? {}));
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(500);
  return response;
}

/** Asserts a 400 whose field errors name exactly these fields, each with a reason. */
function expectExactFields(response: LightMyRequestResponse, fields: string[]) {
  const named = expectFieldErrors(response, fields).map((f) => f.field);
  expect([...new Set(named)].sort(), response.body).toEqual([...fields].sort());
  expect(errorOf(response).code).toBe('validation');
  for (const field of fields) expect(errorOf(response).message).toContain(field);
}

interface BadBody {
  method: Method;
  /** A path whose :name placeholders are filled with the demo ids of that name. */
  url: string;
  body: unknown;
  fields: string[];
}

const long = (n: number) => 'x'.repeat(n);

/** Puts the demo ids into a path: ":pawnee" becomes Pawnee's id, and so on. */
function resolve(path: string): string {
  return path.replace(
    /:(pawnee|demo|leslie|april|user|billingStaff)\b/g,
    (_, name: string) => ids[name]!,
  );
}

const badBodies: BadBody[] = [
  { method: 'POST', url: '/api/organizations', body: {}, fields: ['name'] },
  { method: 'POST', url: '/api/organizations', body: { name: '   ' }, fields: ['name'] },
  {
    method: 'POST',
    url: '/api/organizations',
    body: { name: 42, city: false, country: null },
    fields: ['name', 'city', 'country'],
  },
  {
    method: 'POST',
    url: '/api/organizations',
    body: { name: long(201), postalCode: long(21) },
    fields: ['name', 'postalCode'],
  },
  {
    method: 'PATCH',
    url: '/api/organizations/:pawnee',
    body: { name: '', region: 7 },
    fields: ['name', 'region'],
  },
  {
    method: 'PATCH',
    url: '/api/organizations/:pawnee',
    body: { name: null, addressLine1: long(201) },
    fields: ['name', 'addressLine1'],
  },
  { method: 'PUT', url: '/api/organizations/:pawnee/notes', body: {}, fields: ['notes'] },
  {
    method: 'PUT',
    url: '/api/organizations/:pawnee/notes',
    body: { notes: 12 },
    fields: ['notes'],
  },
  {
    method: 'PUT',
    url: '/api/organizations/:pawnee/notes',
    body: { notes: null },
    fields: ['notes'],
  },
  {
    method: 'POST',
    url: '/api/organizations/:pawnee/contacts',
    body: {},
    fields: ['name', 'email', 'accessProfileId'],
  },
  {
    method: 'POST',
    url: '/api/organizations/:pawnee/contacts',
    body: {
      name: 'Ok Name',
      email: 'not-an-email',
      phone: long(51),
      accessProfileId: 'User',
      isDefaultNotification: 'yes',
    },
    fields: ['email', 'phone', 'accessProfileId', 'isDefaultNotification'],
  },
  {
    method: 'PUT',
    url: '/api/organizations/:pawnee/default-notification-contacts/:april',
    body: {},
    fields: ['isDefault'],
  },
  {
    method: 'PUT',
    url: '/api/organizations/:pawnee/default-notification-contacts/:april',
    body: { isDefault: 'true' },
    fields: ['isDefault'],
  },
  { method: 'PUT', url: '/api/contacts/:leslie', body: {}, fields: ['name', 'email'] },
  {
    method: 'PUT',
    url: '/api/contacts/:leslie',
    body: { name: 'Leslie', email: 'lknope@pawnee-indiana.gov', relations: 'all' },
    fields: ['relations'],
  },
  {
    method: 'PUT',
    url: '/api/contacts/:leslie',
    body: {
      name: 'Leslie',
      email: 'lknope@pawnee-indiana.gov',
      relations: [{ organizationId: 'pawnee', accessProfileId: 3 }, {}],
    },
    fields: [
      'relations.0.organizationId',
      'relations.0.accessProfileId',
      'relations.1.organizationId',
      'relations.1.accessProfileId',
    ],
  },
  {
    method: 'POST',
    url: '/api/contacts/:april/relations',
    body: {},
    fields: ['organizationId', 'accessProfileId'],
  },
  {
    method: 'POST',
    url: '/api/contacts/:april/relations',
    body: { organizationId: 'Demo Company', accessProfileId: true },
    fields: ['organizationId', 'accessProfileId'],
  },
  { method: 'POST', url: '/api/access-profiles', body: {}, fields: ['name', 'permissions'] },
  {
    method: 'POST',
    url: '/api/access-profiles',
    body: { name: long(101), permissions: [1] },
    fields: ['name', 'permissions.0'],
  },
  {
    method: 'PATCH',
    url: '/api/access-profiles/:user',
    body: { name: '', permissions: 'all' },
    fields: ['name', 'permissions'],
  },
  {
    method: 'POST',
    url: '/api/staff-users',
    body: {},
    fields: ['email', 'name', 'role', 'password'],
  },
  {
    method: 'POST',
    url: '/api/staff-users',
    body: { email: 'ben@', name: ' ', role: 'owner', password: 12 },
    fields: ['email', 'name', 'role', 'password'],
  },
  {
    method: 'PATCH',
    url: '/api/staff-users/:billingStaff',
    body: { name: '', role: 'owner', disabled: 'yes' },
    fields: ['name', 'role', 'disabled'],
  },
];

describe('missing and wrong-typed fields', () => {
  for (const bad of badBodies) {
    const fields = bad.fields.join(', ');
    it(`refuses ${bad.method} ${bad.url} with ${JSON.stringify(bad.body).slice(0, 60)}, naming ${fields}`, async () => {
      expectExactFields(await send(bad.method, resolve(bad.url), bad.body), bad.fields);
    });
  }

  it('refuses a body that is not an object, on every route that takes one', async () => {
    const urls = [...new Set(badBodies.map((b) => `${b.method} ${resolve(b.url)}`))];
    for (const entry of urls) {
      const [method, url] = entry.split(' ') as [Method, string];
      for (const body of [[], 'text', 42]) {
        const response = await send(method, url, body);
        expect(response.statusCode, `${entry} ${JSON.stringify(body)}`).toBe(400);
        expect(errorOf(response).fields.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('query strings', () => {
  const cases: [string, string[]][] = [
    ['/api/organizations?sort=bogus', ['sort']],
    ['/api/organizations?direction=sideways', ['direction']],
    ['/api/organizations?status=deleted', ['status']],
    ['/api/organizations?limit=0', ['limit']],
    ['/api/organizations?limit=201', ['limit']],
    ['/api/organizations?limit=abc', ['limit']],
    ['/api/organizations?limit=2.5', ['limit']],
    [`/api/organizations?q=${long(201)}`, ['q']],
    ['/api/organizations?q=a&q=b', ['q']],
    ['/api/organizations?sort=name&sort=createdAt&direction=up', ['sort', 'direction']],
    ['/api/organizations/:pawnee/audit?cursor=abc', ['cursor']],
    ['/api/organizations/:pawnee/audit?cursor=-5', ['cursor']],
    ['/api/organizations/:pawnee/audit?limit=1000', ['limit']],
    ['/api/organizations/:pawnee/contacts?sort=phone', ['sort']],
    [`/api/organizations/:pawnee/contacts?q=${long(201)}`, ['q']],
    ['/api/contacts', ['q']],
    ['/api/contacts?q=%20%20', ['q']],
    ['/api/contacts?q=knope&limit=51', ['limit']],
  ];
  for (const [url, fields] of cases) {
    it(`refuses GET ${url.slice(0, 60)}, naming ${fields.join(', ')}`, async () => {
      expectExactFields(await send('GET', resolve(url)), fields);
    });
  }

  it('DELETE of an access profile names reassignTo when it is neither an id nor "revoke"', async () => {
    expectExactFields(await send('DELETE', `/api/access-profiles/${ids.user}?reassignTo=nobody`), [
      'reassignTo',
    ]);
  });
});

/** Every route that takes an id in its path, with a placeholder for each id. */
const idRoutes: [Method, string, unknown?][] = [
  ['GET', '/api/organizations/:id'],
  ['PATCH', '/api/organizations/:id', { city: 'x' }],
  ['PUT', '/api/organizations/:id/notes', { notes: 'x' }],
  ['POST', '/api/organizations/:id/archive'],
  ['POST', '/api/organizations/:id/restore'],
  ['GET', '/api/organizations/:id/audit'],
  ['GET', '/api/organizations/:id/contacts'],
  [
    'POST',
    '/api/organizations/:id/contacts',
    { name: 'Nobody', email: 'nobody.here@example.com', accessProfileId: null },
  ],
  ['PUT', '/api/organizations/:id/default-notification-contacts/:contactId', { isDefault: true }],
  ['GET', '/api/contacts/:id'],
  ['PUT', '/api/contacts/:id', { name: 'Nobody', email: 'nobody.here@example.com' }],
  ['POST', '/api/contacts/:id/relations', { organizationId: '', accessProfileId: null }],
  ['DELETE', '/api/contacts/:id/relations/:organizationId'],
  ['PATCH', '/api/access-profiles/:id', { name: 'Nobody' }],
  ['DELETE', '/api/access-profiles/:id'],
  ['PATCH', '/api/staff-users/:id', { name: 'Nobody' }],
  ['GET', '/api/staff-users/:id/login-history'],
];

/** Fills the path: the param under test gets `value`, the others a real, fitting id. */
function fill(path: string, param: string, value: string): string {
  const real: Record<string, string> = {
    '/api/organizations/:id': ids.pawnee!,
    '/api/contacts/:id': ids.april!,
    '/api/access-profiles/:id': ids.user!,
    '/api/staff-users/:id': ids.billingStaff!,
  };
  const base = Object.keys(real).find((prefix) => path.startsWith(prefix))!;
  return path
    .replace(':id', param === 'id' ? value : real[base]!)
    .replace(':contactId', param === 'contactId' ? value : ids.april!)
    .replace(':organizationId', param === 'organizationId' ? value : ids.pawnee!);
}

function paramsOf(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
}

describe('ids in the path', () => {
  for (const [method, path, body] of idRoutes) {
    for (const param of paramsOf(path)) {
      it(`${method} ${path}: a malformed ${param} gives 400 naming ${param}`, async () => {
        for (const bad of ['not-an-id', '123', `${unknown}0`, unknown.replaceAll('-', '')]) {
          const response = await send(method, fill(path, param, bad), withOrg(body));
          expectExactFields(response, [param]);
        }
      });

      it(`${method} ${path}: an unknown ${param} gives 404`, async () => {
        const response = await send(method, fill(path, param, unknown), withOrg(body));
        expect(response.statusCode, response.body).toBe(404);
        expect(errorOf(response).code).toBe('not_found');
      });
    }
  }

  it('answers 404 for a relation body naming an unknown organization', async () => {
    const response = await send('POST', `/api/contacts/${ids.april}/relations`, {
      organizationId: unknown,
      accessProfileId: null,
    });
    expect(response.statusCode).toBe(404);
  });
});

/** The relation route needs an organization in its body: give it one the contact lacks. */
function withOrg(body: unknown): unknown {
  if (body && typeof body === 'object' && 'organizationId' in body) {
    return { ...body, organizationId: ids.demo };
  }
  return body;
}

describe('malformed request bodies', () => {
  let cookie = '';
  let csrfToken = '';

  beforeAll(async () => {
    const session = await testApp.app.inject({ method: 'GET', url: '/api/auth/session' });
    csrfToken = session.json().csrfToken;
    const csrfCookie = session.cookies.find((c) => c.name === 'portico_csrf')!;
    const signIn = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: {
        cookie: `portico_csrf=${csrfCookie.value}`,
        'x-csrf-token': csrfToken,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ email: 'admin@portico.test', password: 'portico-admin-demo' }),
    });
    const staff = signIn.cookies.find((c) => c.name === 'portico_staff')!;
    cookie = `portico_csrf=${csrfCookie.value}; portico_staff=${staff.value}`;
    // A token belongs to one session: the sign-in answer hands out the new session's.
    csrfToken = String(signIn.headers['x-csrf-token']);
  });

  function raw(method: Method, url: string, payload: string, contentType = 'application/json') {
    return testApp.app.inject({
      method,
      url,
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': contentType },
      payload,
    });
  }

  const bodyRoutes: [Method, string][] = [
    ['POST', '/api/organizations'],
    ['PATCH', '/api/organizations/:pawnee'],
    ['PUT', '/api/organizations/:pawnee/notes'],
    ['POST', '/api/organizations/:pawnee/contacts'],
    ['PUT', '/api/organizations/:pawnee/default-notification-contacts/:april'],
    ['PUT', '/api/contacts/:april'],
    ['POST', '/api/contacts/:april/relations'],
    ['POST', '/api/access-profiles'],
    ['PATCH', '/api/access-profiles/:user'],
    ['POST', '/api/staff-users'],
    ['PATCH', '/api/staff-users/:billingStaff'],
  ];

  it('answers 400, never 500, to JSON that does not parse, on every route that takes a body', async () => {
    for (const [method, path] of bodyRoutes) {
      for (const payload of ['{"name": ', "{name: 'Pawnee'}", '{"notes": "a"}}', '\u0000']) {
        const response = await raw(method, resolve(path), payload);
        expect(response.statusCode, `${method} ${path} ${payload}: ${response.body}`).toBe(400);
        expect(errorOf(response).code).toBe('validation');
      }
    }
  });

  it('answers 400 to an empty JSON body where one is required', async () => {
    const response = await raw('POST', '/api/organizations', '');
    expect(response.statusCode).toBe(400);
  });

  it('answers 400 naming body to a plain-text body, and 415 to a type it does not read', async () => {
    const text = await raw('POST', '/api/organizations', 'name=Pawnee', 'text/plain');
    expectExactFields(text, ['body']);
    const xml = await raw('POST', '/api/organizations', '<name>Pawnee</name>', 'application/xml');
    expect(xml.statusCode, xml.body).toBe(415);
    expect(errorOf(xml).message).not.toBe('');
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const response = await raw(
      'PUT',
      `/api/organizations/${ids.pawnee}/notes`,
      JSON.stringify({ notes: long(1024 * 1024 + 10) }),
    );
    expect(response.statusCode).toBe(413);
  });

  it('refuses a JSON body that tries to set __proto__', async () => {
    const response = await raw(
      'POST',
      '/api/organizations',
      '{"name": "Proto Co", "__proto__": {"isAdmin": true}}',
    );
    expect(response.statusCode).toBe(400);
  });
});

describe('text the database cannot store', () => {
  it('refuses a NUL character in a field with 400 naming the field', async () => {
    const cases: [Method, string, unknown, string][] = [
      ['POST', '/api/organizations', { name: 'Nul\u0000Co' }, 'name'],
      ['PATCH', `/api/organizations/${ids.pawnee}`, { city: 'Paw\u0000nee' }, 'city'],
      ['PUT', `/api/organizations/${ids.pawnee}/notes`, { notes: 'a\u0000b' }, 'notes'],
      [
        'POST',
        `/api/organizations/${ids.pawnee}/contacts`,
        { name: 'A\u0000B', email: 'nul@example.com', accessProfileId: null },
        'name',
      ],
      [
        'PUT',
        `/api/contacts/${ids.april}`,
        { name: 'April', email: 'aludgate@pawnee-indiana.gov', phone: '\u0000' },
        'phone',
      ],
      ['POST', '/api/access-profiles', { name: 'Nul\u0000', permissions: [] }, 'name'],
      [
        'POST',
        `/api/organizations/${ids.pawnee}/contacts`,
        { name: 'Nul Email', email: 'nul\u0000@example.com', accessProfileId: null },
        'email',
      ],
      ['PATCH', `/api/staff-users/${ids.billingStaff}`, { name: 'Ben\u0000' }, 'name'],
    ];
    for (const [method, url, body, field] of cases) {
      expectExactFields(await send(method, url, body), [field]);
    }
  });

  it('refuses a NUL character in a search with 400 naming q', async () => {
    expectExactFields(await send('GET', '/api/organizations?q=pa%00wnee'), ['q']);
    expectExactFields(await send('GET', `/api/organizations/${ids.pawnee}/contacts?q=%00`), ['q']);
    expectExactFields(await send('GET', '/api/contacts?q=kn%00ope'), ['q']);
  });
});

describe('after all of the above', () => {
  it('left every organization, contact, profile, staff user and audit row as it was', async () => {
    expect(await databaseSnapshot(testApp)).toEqual(before);
  });
});
