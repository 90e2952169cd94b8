/// <reference types="node" />
// The directive above makes the Node types this file uses (`http`) resolve in
// a project that lists no `types` (or `"types": []`): @types/node is an
// optional peer dependency of corsguard.
// Type definitions for corsguard. The drop-in's types match @types/cors
// (CorsOptions, CorsOptionsDelegate, CorsRequest), so code typed against
// `cors` compiles unchanged after swapping the import.

import { IncomingHttpHeaders } from 'http';

declare namespace e {
  interface CorsRequest {
    method?: string | undefined;
    headers: IncomingHttpHeaders;
  }

  type StaticOrigin = boolean | string | RegExp | Array<boolean | string | RegExp>;

  type CustomOrigin = (
    requestOrigin: string | undefined,
    callback: (err: Error | null, origin?: StaticOrigin) => void
  ) => void;

  interface CorsOptions {
    /** @default '*' */
    origin?: StaticOrigin | CustomOrigin | undefined;
    /** @default 'GET,HEAD,PUT,PATCH,POST,DELETE' */
    methods?: string | string[] | undefined;
    allowedHeaders?: string | string[] | undefined;
    /** Alias of `allowedHeaders`. */
    headers?: string | string[] | undefined;
    exposedHeaders?: string | string[] | undefined;
    credentials?: boolean | undefined;
    maxAge?: number | undefined;
    /** @default false */
    preflightContinue?: boolean | undefined;
    /** @default 204 */
    optionsSuccessStatus?: number | undefined;
    /**
     * corsguard only: throw (or pass to `next`) the first risky-configuration
     * problem instead of emitting a warning. @default false
     */
    strict?: boolean | undefined;
    /** corsguard only: see HookOptions. */
    onRefusal?: HookOptions['onRefusal'];
    /** corsguard only: see HookOptions. */
    hookErrors?: HookOptions['hookErrors'];
    /** corsguard only: see HookOptions. */
    corsOnErrors?: HookOptions['corsOnErrors'];
  }

  /** One refused request, as the core judged it. */
  interface Refusal {
    /** `actual`, `preflight` or `plain_options`. */
    kind: string;
    /** The reason's stable code: `origin_not_allowed`, `method_not_allowed`, `header_not_allowed`, ... */
    code: string;
    /** The reason, as a sentence. */
    reason: string;
    /** The request's Origin (null when absent). */
    origin: string | null;
    method: string | null;
    /** `req.originalUrl || req.url` (Fastify: `request.url`). */
    url: string | null;
  }

  /** corsguard's own middleware options (not `cors`'s). */
  interface HookOptions<R = any> {
    /** Called with the request and the refusal, for every refused request (to log or count them). */
    onRefusal?: ((request: R, refusal: Refusal) => void) | undefined;
    /**
     * What a throwing `onRefusal` does: `'warn'` (one process warning,
     * code `CORSGUARD_REFUSAL_HOOK_ERROR`; the request is answered as
     * without the hook) or `'throw'` (the error is passed to `next`).
     * @default 'warn'
     */
    hookErrors?: 'warn' | 'throw' | undefined;
    /**
     * Write the request's CORS headers again on a response whose status is
     * 400 or more (an error handler's), so a page can read the error.
     * Express/Connect/node:http middlewares only. @default false
     */
    corsOnErrors?: boolean | undefined;
  }

  /** A middleware whose configuration `reconfigure` replaces atomically. */
  interface Reconfigurable<C> {
    /**
     * Replaces the configuration: validated first (a refused one throws and
     * changes nothing); each request is answered wholly by the one current
     * when it arrived.
     */
    reconfigure(configuration: C): void;
  }

  type CorsOptionsDelegate<T extends CorsRequest = CorsRequest> = (
    req: T,
    callback: (err: Error | null, options?: CorsOptions) => void
  ) => void;

  /** A response header value as bytes or text. */
  type HeaderValue<B extends boolean> = B extends true ? Buffer : string;

  /** A list of names, or `["*"]` for any. */
  type NameList = string[];

  /**
   * A version-1 policy document (docs/policy.md; JSON Schema
   * policy.schema.json), as `Policy.fromJSON` reads it.
   */
  interface PolicyDocument {
    $schema?: string;
    description?: string;
    /** Required; must be 1. */
    version: 1;
    /** `strict` (default, the Fetch standard), or the answers of a peer library (docs/policy.md). */
    profile?: 'strict' | 'cors_npm' | 'starlette' | 'django_cors_headers' | 'fastify_cors' | 'flask_cors';
    /** Exact origins, `*`, subdomain patterns (`https://*.example.com`), port patterns, `null`. */
    allowOrigins?: string[];
    /** One origin on its own (in the cors_npm profile: sent to everyone). */
    fixedOrigin?: string;
    /** The host decides origins the list does not allow: pass `originVerdict` with each request. */
    originVerdict?: boolean;
    /** Accept a host verdict that admits probe origins together with credentials. */
    allowWideVerdictWithCredentials?: boolean;
    allowMethods?: NameList;
    allowHeaders?: NameList | 'mirror';
    exposeHeaders?: NameList;
    allowCredentials?: boolean;
    /** Seconds (0..86400 in the strict profile), or a literal in the compatibility profiles. */
    maxAge?: number | string;
    allowPrivateNetwork?: boolean;
    preflightContinue?: boolean;
    /** @default 204 */
    preflightStatus?: number;
    /** Which OPTIONS requests are preflights; the profile's choice by default (docs/policy.md). */
    preflightDetection?: 'originAndMethod' | 'anyOptions' | 'refuseIncomplete' | 'requestMethod' | 'never';
    /**
     * Named policies, each inheriting every top-level key it does not set;
     * they serve requests only through `routes`.
     */
    policies?: { [name: string]: NamedPolicy };
    /**
     * Path rules, tried in order: the first whose `path` matches a request
     * names the policy that serves it. A request no rule matches gets no
     * CORS headers. With routes, the top-level keys are a policy of their
     * own (`default`) only when a rule names it.
     */
    routes?: Route[];
  }

  /** A policy under `policies`: the policy keys of a document (not `version`, `policies` or `routes`). */
  type NamedPolicy = Omit<PolicyDocument, '$schema' | 'version' | 'policies' | 'routes'>;

  /** One path rule of `routes`. */
  interface Route {
    /**
     * A path rule: `/`-separated literal segments, `*` for one non-empty
     * segment, `**` (last only) for the rest of the path (`/api/**`).
     */
    path: string;
    /** A name under `policies`, `default` for the top-level keys, or `null` for no CORS on these paths. */
    policy: string | null;
  }

  /** The core's capacity classes. */
  type SizeClass = 'small' | 'default' | 'large';

  /**
   * `new Policy(options)`: the document's keys (`version` optional), and
   * `originVerdict` may also be a function or a RegExp, run in JS (a RegExp
   * must match the whole origin). With credentials, a function or RegExp
   * that admits one of the core's probe origins (`https://evil.test`, ...)
   * is refused. Any other key is refused (`unknown_key`).
   */
  interface PolicyOptions extends Omit<PolicyDocument, 'version' | 'originVerdict'> {
    version?: 1;
    originVerdict?: boolean | RegExp | ((origin: string) => boolean);
    /** @deprecated write `allowOrigins` */
    allowedOrigins?: string[];
    /** @deprecated write `allowMethods` (`'*'` is `['*']`) */
    allowedMethods?: string[] | '*';
    /** @deprecated write `allowHeaders` (`'*'` is `['*']`) */
    allowedHeaders?: string[] | '*' | 'mirror';
    /** @deprecated write `exposeHeaders` (`'*'` is `['*']`) */
    exposedHeaders?: string[] | '*';
    /** @deprecated write `allowCredentials` */
    credentials?: boolean;
    /** @deprecated write `allowPrivateNetwork` */
    privateNetwork?: boolean;
  }

  /** One problem of a policy document: an error, or a finding. */
  interface PolicyProblem {
    /** The JSON pointer of the value at fault (`/allowOrigins/2`; `""`: the whole document). */
    path: string;
    /** A stable code shared by every corsguard runtime (`malformed_origin`, `unknown_key`, ...). */
    code: string;
    /** For `malformed_origin`: what is wrong with the entry (`trailing_slash`, ...). */
    problem: string | null;
    /** The whole sentence: the entry, the rule it breaks and the fix. */
    message: string;
    /** The part of the message that states the entry and the rule. */
    rule: string;
    /** The part of the message that says what to write instead. */
    fix: string;
  }

  interface PolicyRequest {
    method: string | Uint8Array;
    origin?: string | Uint8Array;
    requestMethod?: string | Uint8Array;
    requestHeaders?: string | Uint8Array;
    requestPrivateNetwork?: string | Uint8Array;
    /** The host's verdict on the origin (overrides `originVerdict` functions). */
    originVerdict?: boolean;
    /**
     * The request target (`/api/users?page=2`: the query is ignored), which
     * picks the policy of a document with routes. `/` when absent; ignored
     * without routes.
     */
    path?: string | Uint8Array;
  }

  interface Decision<B extends boolean = false> {
    /** The name of the policy that decided: `default` for the top-level keys (always, without routes). */
    policy: string;
    kind: 'not_cors' | 'actual' | 'preflight' | 'plain_options';
    outcome: 'not_cors' | 'allowed' | 'denied';
    allowed: boolean;
    /** A stable code (`origin_not_allowed`, `method_not_allowed`, ...). */
    reason: string | null;
    /** The method or header name the refusal is about. */
    reasonDetail: HeaderValue<B> | null;
    /** The reason as a sentence. */
    message: string | null;
    failures: Array<'origin' | 'method' | 'headers' | 'private-network'>;
    action: 'continue' | 'respond';
    status: number | null;
    /** In order; add `Vary` to the response's Vary rather than replacing it. */
    headers: Array<[string, HeaderValue<B>]>;
    body: string | null;
  }

  /** An error from the core's validation: `code` is stable across bindings. */
  interface ConfigError extends Error {
    code: string;
    /** For `malformed_origin`: what is wrong with the entry. */
    problem?: string;
    /** The JSON pointer of the first problem. */
    path: string;
    /** Every problem, in document order; `code`, `problem` and `path` are the first one's. */
    errors: PolicyProblem[];
  }

  /**
   * A policy document (or configuration) corsguard refused. A TypeError;
   * `instanceof PolicyError` is also true of a PolicyRangeError.
   */
  class PolicyError extends TypeError implements ConfigError {
    code: string;
    problem?: string;
    path: string;
    errors: PolicyProblem[];
  }

  /** A PolicyError whose first problem is a number out of range or a capacity: a RangeError. */
  class PolicyRangeError extends RangeError implements ConfigError {
    code: string;
    problem?: string;
    path: string;
    errors: PolicyProblem[];
  }

  class Policy {
    /** The same document as `Policy.fromJSON`, from its keys. @throws {PolicyError | PolicyRangeError} */
    constructor(options?: PolicyOptions);
    /**
     * Loads a version-1 policy document: JSON text (a string, or bytes as
     * UTF-8) or an object (serialized with JSON.stringify).
     * `options.originVerdict` is the host's rule for a document with
     * `"originVerdict": true`: a RegExp (matched against the whole origin) or a
     * function, tried on the probe origins when the policy is built.
     * @throws {PolicyError | PolicyRangeError} every problem of the document
     */
    static fromJSON(
      document: string | Uint8Array | PolicyDocument,
      options?: { originVerdict?: RegExp | ((origin: string) => boolean) },
    ): Policy;
    /**
     * Judges one request. `null` when the document has routes and none
     * serves `request.path`: then the response gets no CORS headers (never
     * `null` without routes).
     */
    evaluate(request: PolicyRequest): Decision<false> | null;
    evaluate<B extends boolean>(request: PolicyRequest, options: { bytes: B }): Decision<B> | null;
    /**
     * Middleware for Express, Connect and node:http (`next` optional). With
     * routes, `req.originalUrl || req.url` picks the policy; a request no
     * policy serves is passed on with the response untouched.
     */
    middleware(
      options?: HookOptions<PolicyMiddlewareRequest>
    ): ((req: PolicyMiddlewareRequest, res: CorsResponse, next?: (err?: any) => any) => void) & {
      /** Replaces the policy with `document` (a Policy, or what `Policy.fromJSON` loads); returns the new Policy. */
      reconfigure(
        document: Policy | string | Uint8Array | PolicyDocument,
        options?: { originVerdict?: RegExp | ((origin: string) => boolean) },
      ): Policy;
    };
    /**
     * The core's capacity class the policy was built in (the smallest that
     * holds it); with routes, the largest of its policies' classes.
     */
    readonly sizeClass: SizeClass;
    /** The capacity class of each served policy, in the order of `policyNames`. */
    readonly sizeClasses: readonly SizeClass[];
    /**
     * The policies requests can be served with: `['default']` without
     * routes; with routes, `default` when a route names it, then each
     * named policy in document order.
     */
    readonly policyNames: readonly string[];
    /** Whether the document has `routes`. */
    readonly hasRoutes: boolean;
    /** The name of the policy serving a request for `path` (`/` when absent), or `null` when none does. */
    policyFor(path?: string | Uint8Array): string | null;
    /** What the strict profile would refuse in a compatibility-profile document; empty for a strict one. */
    readonly findings: readonly PolicyProblem[];
  }

  /** What the strict middleware reads of a request: Node's, Express's or Connect's. */
  interface PolicyMiddlewareRequest extends CorsRequest {
    /** The request target (node:http; Express and Connect strip a mount path from it). */
    url?: string | undefined;
    /** Express's and Connect's request target before mount paths were stripped. */
    originalUrl?: string | undefined;
  }

  interface CorsResponse {
    statusCode?: number | undefined;
    setHeader(key: string, value: string): any;
    getHeader(key: string): any;
    end(chunk?: any): any;
  }

  /**
   * The options of `corsguard/fastify`: @fastify/cors 11's `FastifyCorsOptions`
   * (the same names, defaults and meanings).
   */
  type FastifyStaticOrigin = boolean | string | RegExp | Array<string | RegExp | boolean | FastifyStaticOrigin>;

  type FastifyOriginCallback = (err: Error | null, origin: FastifyStaticOrigin) => void;

  /** Calls `callback`, or returns a promise (an `async` function). */
  type FastifyOriginFunction = (
    origin: string | undefined,
    callback: FastifyOriginCallback
  ) => void | Promise<FastifyStaticOrigin>;

  type FastifyCorsHook = 'onRequest' | 'preParsing' | 'preValidation' | 'preHandler' | 'preSerialization';

  interface FastifyCorsOptions {
    /** @default '*' */
    origin?: FastifyStaticOrigin | FastifyOriginFunction | undefined;
    /** @default 'GET,HEAD,POST' */
    methods?: string | string[] | undefined;
    /** Unset (null): the request's Access-Control-Request-Headers are mirrored. */
    allowedHeaders?: string | string[] | null | undefined;
    exposedHeaders?: string | string[] | null | undefined;
    /** @default false */
    credentials?: boolean | undefined;
    maxAge?: number | null | undefined;
    /** Sent on answered preflights: a number of seconds (`max-age=N`) or a value as written. */
    cacheControl?: number | string | null | undefined;
    /** @default false */
    preflightContinue?: boolean | undefined;
    /** @default 204 */
    optionsSuccessStatus?: number | undefined;
    /** @default true */
    preflight?: boolean | undefined;
    /** @default true: an OPTIONS without Origin or Access-Control-Request-Method is answered 400. */
    strictPreflight?: boolean | undefined;
    /** @default true: the OPTIONS route's schema is hidden (`schema.hide`). */
    hideOptionsRoute?: boolean | undefined;
    /** @default 'onRequest' */
    hook?: FastifyCorsHook | undefined;
    /** The OPTIONS route's log level. */
    logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' | undefined;
    /** Options per request, from a callback or a promise. */
    delegator?: FastifyCorsOptionsDelegate | undefined;
    /** corsguard only: called with the Fastify request and the refusal for every refused request. */
    onRefusal?: HookOptions['onRefusal'];
    /** corsguard only: see HookOptions (`'throw'` fails the request with the hook's error). */
    hookErrors?: HookOptions['hookErrors'];
  }

  /** A route's `config.cors`: false turns CORS off for it, an object is merged over the plugin's options. */
  type FastifyRouteCors = false | Omit<FastifyCorsOptions, 'delegator' | 'hook' | 'hideOptionsRoute' | 'logLevel'>;

  /** Declared with two parameters, calls `callback`; with one, returns a promise. */
  type FastifyCorsOptionsDelegate<R = any> = (
    request: R,
    callback: (err: Error | null, options?: FastifyCorsOptions) => void
  ) => void | Promise<FastifyCorsOptions>;

  /** The drop-in again, as a named export. */
  const corsguard: typeof e;
  /** The drop-in again, as a named export. */
  const cors: typeof e;
}

/**
 * The `cors` middleware. corsguard's own options (`onRefusal`,
 * `hookErrors`, `corsOnErrors`) go in `options`, or in `extras` (the only
 * place for them with a delegate).
 */
declare function e<T extends e.CorsRequest = e.CorsRequest>(
  options?: e.CorsOptions | e.CorsOptionsDelegate<T>,
  extras?: e.HookOptions<T>
): ((
  req: T,
  res: {
    statusCode?: number | undefined;
    setHeader(key: string, value: string): any;
    end(): any;
  },
  next: (err?: any) => any
) => void) &
  e.Reconfigurable<e.CorsOptions | e.CorsOptionsDelegate<T>>;

export = e;
