import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { z } from 'zod';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** Where the OpenAPI document and its reference page are served. */
export const openApiPath = '/api/openapi.json';
export const apiDocsPath = '/api/docs';

/**
 * The body of a route that reads its request itself instead of through `schema.body`: a
 * multipart/form-data form with files (Fastify validates `schema.body` against the parsed
 * body, and a form is read as a stream by the handler), or the same text fields as a JSON
 * object. Declared as `schema.form`, it is what the OpenAPI document shows as the route's
 * `requestBody`; the route still parses and checks the fields itself.
 */
export interface FormBody {
  /** The text fields, as the route checks them (each part's text). */
  fields: z.ZodObject;
  /** The field whose parts are files (several allowed), and their limits in words. */
  files: { name: string; description: string };
}

declare module 'fastify' {
  interface FastifySchema {
    /** For the OpenAPI document only: the form the route reads itself (FormBody). */
    form?: FormBody;
  }
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type JsonObjectSchema = {
  properties?: Record<string, unknown>;
  required?: string[];
} & Record<string, unknown>;

/**
 * The zod transform of fastify-type-provider-zod, plus `schema.form`: the form's text fields
 * become the `multipart/form-data` body with the file field (an array of binary strings), and
 * the `application/json` body without it.
 */
function transform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const form = (input.schema as { form?: FormBody } | undefined)?.form;
  if (!form) return jsonSchemaTransform(input);
  const { form: _form, ...schema } = input.schema as { form?: FormBody } & Record<string, unknown>;
  const result = jsonSchemaTransform({ ...input, schema: { ...schema, body: form.fields } });
  const { body: fields, ...transformed } = result.schema as { body: JsonObjectSchema } & Record<
    string,
    unknown
  >;
  const multipart: JsonObjectSchema = {
    ...fields,
    properties: {
      ...fields.properties,
      [form.files.name]: {
        type: 'array',
        description: form.files.description,
        items: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' },
      },
    },
  };
  return {
    ...result,
    schema: {
      ...transformed,
      body: {
        content: {
          'multipart/form-data': { schema: multipart },
          'application/json': { schema: fields },
        },
      },
    },
  };
}

/**
 * Portico's API contract, generated from the routes' zod schemas (request and, per status,
 * response): an OpenAPI 3.1 document at /api/openapi.json and a reference page (Swagger UI)
 * at /api/docs, both public (docs/decisions/0024). Register before any route: the document
 * is collected from each route as it is added, so it cannot fall behind the route table. A
 * route with `schema.hide` (the document's own routes) is left out.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Portico API',
        description:
          'The JSON API of the Portico console and client portal. Staff routes act for the ' +
          '`portico_staff` session, /api/portal routes for the `portico_portal` one; every ' +
          'POST, PUT, PATCH and DELETE carries the `x-csrf-token` header the session answers give.',
        version: '0.1.0',
      },
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  // The page loads its scripts and styles from its own static files, so helmet's CSP
  // (script-src 'self') holds; it reads the same document at /api/docs/json.
  await app.register(async (docs) => {
    // The page, its files and its copy of the document are as public as the document: every
    // route Swagger UI adds is declared so (route-access.ts).
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    await docs.register(swaggerUi, { routePrefix: apiDocsPath });
  });
  app.get(openApiPath, { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
