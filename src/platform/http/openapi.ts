import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** Where the OpenAPI document and its reference page are served. */
export const openApiPath = '/api/openapi.json';
export const apiDocsPath = '/api/docs';

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
    transform: jsonSchemaTransform,
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
