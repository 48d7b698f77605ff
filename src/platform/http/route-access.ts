/**
 * Who may call a route, declared where the route says how it is guarded: the guard functions
 * (`requireStaff(capability)`, `requirePortal(permission)`, the sign-in step guards) carry the
 * policy they enforce, and the few routes anyone may call say `config: { access: 'public' }`.
 * The route table (app.ts) records each route's policy, so a test can check every route
 * against it and refuse a route that declares none (docs/decisions/0023).
 *
 * Capabilities and permissions are plain strings here: the platform knows no module's names.
 */
export type RouteAccess =
  /** Anyone, signed in or not (sign-in, session, CSRF token, password links, health). */
  | { audience: 'public' }
  /**
   * A signed-in staff user whose role has the capability; with `orPendingStep`, also a session
   * whose password was right and whose second step is that one (setting up TOTP).
   */
  | { audience: 'staff'; capability: string; orPendingStep?: 'totp_enrollment' }
  /** Only a staff session whose password was right and whose TOTP code is due. */
  | { audience: 'staff_pending'; step: 'totp' }
  /**
   * A portal session whose profile, in the organization it acts for, has the permission (none:
   * any signed-in contact). `duringPasswordChange`: allowed before a temporary password is
   * changed; `whileViewing`: a change allowed in staff's read-only "view as" session.
   */
  | {
      audience: 'portal';
      permission: string | null;
      duringPasswordChange: boolean;
      whileViewing: boolean;
    };

const policies = new WeakMap<object, RouteAccess>();

/** Returns the guard hook, recorded as enforcing `access`. */
export function guardWithAccess<Hook extends object>(hook: Hook, access: RouteAccess): Hook {
  policies.set(hook, access);
  return hook;
}

/**
 * The policy a route declares: `config.access` 'public', else the policy of its guard (the
 * first onRequest hook that carries one). Null when it declares none.
 */
export function routeAccessOf(route: {
  onRequest?: unknown;
  config?: unknown;
}): RouteAccess | null {
  const config = route.config as { access?: unknown } | undefined;
  if (config?.access === 'public') return { audience: 'public' };
  const hooks = Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
  for (const hook of hooks) {
    const access = typeof hook === 'function' ? policies.get(hook) : undefined;
    if (access) return access;
  }
  return null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'public': anyone may call the route; every other route is guarded (route-access.ts). */
    access?: 'public';
  }
}
