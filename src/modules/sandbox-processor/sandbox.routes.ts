import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../platform/http/responses.js';
import { sandboxTokenBody, sandboxTokenRequest } from '../../shared/contract/sandbox.js';
import type { SandboxGateway } from './sandbox-gateway.js';

/** Where the sandbox processor's own API lives: outside /api, as another company's would. */
export const sandboxApiPrefix = '/sandbox/v1';

/**
 * The sandbox processor's HTTP endpoint, `POST /sandbox/v1/tokens`: the browser sends card or
 * bank details here, never to a Portico /api route, and hands Portico the token it gets back
 * (docs/decisions/0030). Registered by src/app.ts only while the sandbox is the processor.
 *
 * Public, and without a CSRF token: it is the processor's endpoint, not Portico's. It reads no
 * cookie and acts for no session, so a forged cross-site request could only make a token for
 * details its sender already has, and could not read the answer. Rate limited per address, as
 * processors limit tokenization (card testing). The body is never logged: the request log
 * line holds the method and URL only (platform/logger.ts), and a refusal names the field and
 * the reason without echoing what was typed.
 */
export function sandboxRoutes(gateway: SandboxGateway): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      `${sandboxApiPrefix}/tokens`,
      {
        config: {
          access: 'public',
          csrf: false,
          rateLimit: { max: 60, timeWindow: '1 minute' },
        },
        schema: {
          // The processor's API, not Portico's: left out of Portico's OpenAPI document.
          hide: true,
          body: sandboxTokenRequest,
          response: { 200: sandboxTokenBody, ...errorResponses },
        },
      },
      async (request) => gateway.tokenize(request.body),
    );
  };
}
