import type { FastifyInstance } from 'fastify';
import type { RouteAuth } from './route-auth.ts';

export interface RouteRecord {
  method: string;
  url: string;
  auth: RouteAuth | undefined;
}

const INDEXES = new WeakMap<FastifyInstance, RouteRecord[]>();

/**
 * Records every route registered on `app` from now on (plugins included), so a wrong method on a
 * known path can be a 405 with `allow`, and tests can prove that every route declares its auth.
 */
export function trackRoutes(app: FastifyInstance): void {
  const routes: RouteRecord[] = [];
  INDEXES.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routes.push({ method: method.toUpperCase(), url: route.url, auth: route.config?.auth });
    }
  });
}

export function routesOf(app: FastifyInstance): readonly RouteRecord[] {
  return INDEXES.get(app) ?? [];
}

/** Methods that do have a route for this (decoded) path, for a 405 instead of a 404. */
export function allowedMethods(routes: readonly RouteRecord[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) if (patternMatches(route.url, path)) methods.add(route.method);
  return [...methods].sort();
}

/** Fastify's route syntax as used here: `:param` is one segment, a trailing `*` the rest. */
export function patternMatches(pattern: string, path: string): boolean {
  const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
  const source = pattern
    .split('/')
    .map((segment) =>
      segment === '*'
        ? '.*'
        : segment.startsWith(':')
          ? '[^/]+'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`).test(trimmed);
}
