import { isAxiosError, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import './augmentation.js';
import { forget, type Route } from './interceptors.js';
import { createRouteResolver, type RouteResolver } from './origin-guard.js';
import { describeRule, sameRule } from './route-rules.js';

/** Where an instance keeps its router; `Symbol.for`, so that an ESM and a CJS copy of the package see each other. */
const ROUTER = Symbol.for('axios-oauth-lock.router');

type RoutedInstance = AxiosInstance & { [ROUTER]?: unknown };

/**
 * The handles of one axios instance, behind ONE interceptor pair: each request is owned by the handle whose rule
 * matches it most specifically, and only that handle reads, sets or refreshes for it (issue 10). N handles cost one
 * cached lookup per request, not N interceptors.
 */
export class Router {
  readonly #instance: RoutedInstance;
  #routes: readonly Route[] = [];
  #resolve: RouteResolver<Route> = createRouteResolver<Route>([]);
  #interceptorIds: [request: number, response: number] | undefined;

  /** The instance's router, created (with its interceptors) for the first handle. */
  static of(instance: AxiosInstance): Router {
    const routed = instance as RoutedInstance;
    const existing = routed[ROUTER];
    if (existing instanceof Router) return existing;
    if (existing !== undefined) {
      throw new TypeError(
        '"instance" already has attachOAuth() from another copy of axios-oauth-lock (ESM beside CJS, or two versions): attach every handle with one copy',
      );
    }
    const router = new Router(routed);
    Object.defineProperty(instance, ROUTER, { value: router, configurable: true });
    return router;
  }

  private constructor(instance: RoutedInstance) {
    this.#instance = instance;
  }

  /** Adds a handle's route; a rule another handle already has would tie on every request, so it throws. */
  add(route: Route): void {
    for (const other of this.#routes) {
      const clash = route.rules.find((rule) => other.rules.some((taken) => sameRule(rule, taken)));
      if (clash !== undefined) {
        throw new TypeError(
          `"options.origins": another attachOAuth() handle on this instance already has the rule ${describeRule(clash)}: give each handle its own origins (a path such as "https://api.example.com/admin" narrows a rule), or share one handle`,
        );
      }
    }
    this.#setRoutes([...this.#routes, route]);
    if (this.#interceptorIds === undefined) {
      const { request, response } = this.#instance.interceptors;
      this.#interceptorIds = [request.use(this.#onRequest), response.use(this.#onResponse, this.#onResponseError)];
    }
  }

  /** Removes a handle's route; the last one takes the interceptors with it. */
  remove(route: Route): void {
    this.#setRoutes(this.#routes.filter((other) => other !== route));
    if (this.#routes.length > 0) return;
    // The first add() installed them, and a handle removes its route once (detach() is idempotent).
    const [request, response] = this.#interceptorIds!;
    this.#instance.interceptors.request.eject(request);
    this.#instance.interceptors.response.eject(response);
    this.#interceptorIds = undefined;
    delete this.#instance[ROUTER];
  }

  #setRoutes(routes: readonly Route[]): void {
    this.#routes = routes;
    this.#resolve = createRouteResolver(routes);
  }

  readonly #onRequest = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> => {
    if (config.skipAuth === true) return config;
    const owner = this.#resolve(config);
    const previous = config.oauthLockState?.owner;
    // A replay that now goes elsewhere (or to another handle) loses the header its first owner put on it.
    if (previous !== undefined && previous !== owner) forget(config, previous.headerName);
    return owner === undefined ? config : owner.authorize(config);
  };

  readonly #onResponse = (response: AxiosResponse): AxiosResponse => {
    // Optional chaining all the way: a custom adapter may resolve without a config.
    (response.config as InternalAxiosRequestConfig | undefined)?.oauthLockState?.owner.fulfilled?.(response);
    return response;
  };

  readonly #onResponseError = async (error: unknown): Promise<unknown> => {
    // Not a request any handle authorised: not ours to refresh for, redact or touch.
    if (!isAxiosError(error) || error.config?.oauthLockState === undefined) throw error;
    return error.config.oauthLockState.owner.rejected(error);
  };
}
