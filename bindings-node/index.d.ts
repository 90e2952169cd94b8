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
  }

  type CorsOptionsDelegate<T extends CorsRequest = CorsRequest> = (
    req: T,
    callback: (err: Error | null, options?: CorsOptions) => void
  ) => void;

  /** A response header value as bytes or text. */
  type HeaderValue<B extends boolean> = B extends true ? Buffer : string;

  interface PolicyOptions {
    /** `strict` (default, the Fetch standard), `cors_npm` or `starlette`. */
    profile?: 'strict' | 'cors_npm' | 'starlette';
    /** Exact origins, `*`, subdomain patterns (`https://*.example.com`), `null`. */
    allowedOrigins?: string[];
    /**
     * Lets the host judge origins the list does not allow: a function, a
     * RegExp (both evaluated in JS; a RegExp must match the whole origin),
     * or `true` to pass `originVerdict` with each request. With
     * credentials, a function or RegExp that admits one of the core's probe
     * origins (`https://evil.test`, ...) is refused.
     */
    originVerdict?: boolean | RegExp | ((origin: string) => boolean);
    /** Accept an `originVerdict` that admits probe origins with credentials. */
    allowWideVerdictWithCredentials?: boolean;
    /** One origin on its own (in the cors_npm profile: sent to everyone). */
    fixedOrigin?: string;
    allowedMethods?: string[] | '*';
    allowedHeaders?: string[] | '*' | 'mirror';
    exposedHeaders?: string[] | '*';
    credentials?: boolean;
    /** Seconds (0..86400 in the strict profile), or a literal in the compatibility profiles. */
    maxAge?: number | string;
    privateNetwork?: boolean;
    preflightContinue?: boolean;
    /** @default 204 */
    preflightStatus?: number;
  }

  interface PolicyRequest {
    method: string | Uint8Array;
    origin?: string | Uint8Array;
    requestMethod?: string | Uint8Array;
    requestHeaders?: string | Uint8Array;
    requestPrivateNetwork?: string | Uint8Array;
    /** The host's verdict on the origin (overrides `originVerdict` functions). */
    originVerdict?: boolean;
  }

  interface Decision<B extends boolean = false> {
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
  }

  class Policy {
    /** @throws {TypeError | RangeError} a ConfigError with the core's message */
    constructor(options?: PolicyOptions);
    evaluate(request: PolicyRequest): Decision<false>;
    evaluate<B extends boolean>(request: PolicyRequest, options: { bytes: B }): Decision<B>;
    /** Middleware for Express, Connect and node:http (`next` optional). */
    middleware(): (req: CorsRequest, res: CorsResponse, next?: (err?: any) => any) => void;
    readonly sizeClass: 'small' | 'default';
  }

  interface CorsResponse {
    statusCode?: number | undefined;
    setHeader(key: string, value: string): any;
    getHeader(key: string): any;
    end(chunk?: any): any;
  }

  /** The drop-in again, as a named export. */
  const corsguard: typeof e;
  /** The drop-in again, as a named export. */
  const cors: typeof e;
}

declare function e<T extends e.CorsRequest = e.CorsRequest>(
  options?: e.CorsOptions | e.CorsOptionsDelegate<T>
): (
  req: T,
  res: {
    statusCode?: number | undefined;
    setHeader(key: string, value: string): any;
    end(): any;
  },
  next: (err?: any) => any
) => void;

export = e;
