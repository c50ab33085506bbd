import type { FastifyRequest } from 'fastify';
import { presentedKey } from '../auth/api-key-registry.ts';
import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../core/errors.ts';

/**
 * Who may call a route, declared on the route itself (`config: { auth }`). Deciding on the matched
 * route, not on the spelling of the URL, is what keeps `/%761/models` from slipping past: the router
 * decodes the path before matching, a prefix check on the raw URL does not.
 */
export type RouteAuth = 'public' | 'api-key' | 'admin' | 'admin-token' | 'metrics';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

export interface KeyAuthenticator {
  /** A principal, `undefined` for an unknown key; may throw a GatewayError (revoked, paused …). */
  authenticate(key: string): Principal | undefined | Promise<Principal | undefined>;
}

export interface RouteAuthDeps {
  keys: KeyAuthenticator;
  /** Whether the request carries admin rights; without it `admin` routes are closed to everyone. */
  adminAuth?: (request: FastifyRequest) => boolean | Promise<boolean>;
  /** Whether the request carries the admin token; `admin-token` routes (`/admin/api`) take nothing else. */
  adminToken?: (request: FastifyRequest) => boolean;
  /** Whether the request carries the metrics token; it opens `metrics` routes (`/metrics`) and nothing else. */
  metricsToken?: (request: FastifyRequest) => boolean;
}

export const MISSING_KEY_MESSAGE =
  'Missing API key: send it as `Authorization: Bearer <key>` or `x-api-key`.';

/**
 * Authenticates a request for its matched route: resolves with the principal (`api-key`), with
 * `undefined` (`public`, or `admin` granted), or throws the GatewayError to answer with. A route
 * that declares nothing is closed: forgetting the declaration must never open a route.
 */
export async function authenticateRoute(
  request: FastifyRequest,
  deps: RouteAuthDeps,
): Promise<Principal | undefined> {
  const auth = request.routeOptions.config?.auth;
  if (auth === 'public') return undefined;
  if (auth === 'admin') {
    if (deps.adminAuth !== undefined && (await deps.adminAuth(request)) === true) return undefined;
    throw new GatewayError('authentication', 'An admin key is required.');
  }
  if (auth === 'admin-token') {
    if (deps.adminToken?.(request) === true) return undefined;
    throw new GatewayError(
      'authentication',
      presentedKey(request.headers) === undefined
        ? 'Missing admin token: send it as `Authorization: Bearer <token>`.'
        : 'Invalid admin token.',
    );
  }
  if (auth === 'metrics') {
    // A scraper's token opens the metrics and nothing else; the admin token opens them too.
    if (deps.adminToken?.(request) === true || deps.metricsToken?.(request) === true) return undefined;
    throw new GatewayError(
      'authentication',
      presentedKey(request.headers) === undefined
        ? 'Missing metrics token: send it as `Authorization: Bearer <token>`.'
        : 'Invalid metrics token.',
    );
  }
  if (auth !== 'api-key') {
    request.log.error({ route: request.routeOptions.url }, 'route declares no auth; refusing it');
    throw new GatewayError('authentication', 'This route is not open.');
  }
  const key = presentedKey(request.headers);
  if (!key) throw new GatewayError('authentication', MISSING_KEY_MESSAGE);
  const principal = await deps.keys.authenticate(key);
  if (!principal) throw new GatewayError('authentication', 'Invalid API key.');
  return principal;
}
