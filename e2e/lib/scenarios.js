'use strict';

// The requests the agreement test (tests/agreement.test.js) sends from a page
// in Chromium to the misconfigured servers of fixtures/servers, and then with
// `corsguard probe`. Each scenario:
//
//   id             names it in reports
//   server         a fixture name (fixtures/servers/index.js)
//   allow          the origin the server is started to let in: 'page' (the
//                  page's origin, by default) or 'page/' (the same with a
//                  trailing slash, as a developer pastes it from the address bar)
//   from           the page the request is sent from: 'page' (the origin the
//                  server lets in, by default) or 'other' (an origin it does not)
//   path, init     fetch(API + path, init); cache: 'no-store' is added
//   expect         what Chromium decides: 'allowed' or 'blocked'
//   expectMistake  the mistake code probe must name, or null
//   note           why the scenario is here
//
// Credentialed scenarios set no cookie: the CORS verdict does not depend on one.

const JSON_TYPE = { 'Content-Type': 'application/json' };
const TEXT_TYPE = { 'Content-Type': 'text/plain' };

const SCENARIOS = [
  // --- wildcard-credentials: * with Access-Control-Allow-Credentials: true
  {
    id: 'wildcard-get',
    server: 'wildcard-credentials',
    path: '/api/items',
    init: { method: 'GET' },
    expect: 'allowed',
    expectMistake: null,
    note: 'without credentials, * is fine',
  },
  {
    id: 'wildcard-get-credentials',
    server: 'wildcard-credentials',
    path: '/api/me',
    init: { method: 'GET', credentials: 'include' },
    expect: 'blocked',
    expectMistake: 'wildcard_with_credentials',
    note: 'a credentialed request refuses *, whatever Access-Control-Allow-Credentials says',
  },
  {
    id: 'wildcard-put-credentials',
    server: 'wildcard-credentials',
    path: '/api/items/1',
    init: { method: 'PUT', credentials: 'include', headers: JSON_TYPE, body: '{"name":"teapot"}' },
    expect: 'blocked',
    expectMistake: 'wildcard_with_credentials',
    note: 'the same refusal, at the preflight',
  },

  // --- reflect-any: any origin reflected, with credentials
  {
    id: 'reflect-get-credentials-other-origin',
    server: 'reflect-any',
    from: 'other',
    path: '/api/me',
    init: { method: 'GET', credentials: 'include' },
    expect: 'allowed',
    expectMistake: null,
    note: 'the mistake is that this passes: an origin nobody listed reads a credentialed response (probe --scan names it)',
  },
  {
    id: 'reflect-put-json-credentials',
    server: 'reflect-any',
    path: '/api/items/1',
    init: { method: 'PUT', credentials: 'include', headers: JSON_TYPE, body: '{}' },
    expect: 'allowed',
    expectMistake: null,
    note: 'the preflight reflects the method and headers asked for',
  },

  // --- options-404: the preflight falls through the router
  {
    id: 'options-404-get',
    server: 'options-404',
    path: '/api/items',
    init: { method: 'GET' },
    expect: 'allowed',
    expectMistake: null,
    note: 'a simple request needs no preflight, so the missing OPTIONS route does not show',
  },
  {
    id: 'options-404-put',
    server: 'options-404',
    path: '/api/items/1',
    init: { method: 'PUT', headers: TEXT_TYPE, body: 'x' },
    expect: 'blocked',
    expectMistake: 'options_not_handled',
    note: 'PUT is preflighted; the preflight gets a 404 without CORS headers',
  },
  {
    id: 'options-404-post-json',
    server: 'options-404',
    path: '/api/items',
    init: { method: 'POST', headers: JSON_TYPE, body: '{}' },
    expect: 'blocked',
    expectMistake: 'options_not_handled',
    note: 'a JSON POST is preflighted too',
  },

  // --- options-405: the preflight is answered 405, with the CORS headers
  {
    id: 'options-405-post-text',
    server: 'options-405',
    path: '/api/items',
    init: { method: 'POST', headers: TEXT_TYPE, body: 'hello' },
    expect: 'allowed',
    expectMistake: null,
    note: 'a text/plain POST is simple: no preflight',
  },
  {
    id: 'options-405-delete',
    server: 'options-405',
    path: '/api/items/1',
    init: { method: 'DELETE' },
    expect: 'blocked',
    expectMistake: 'options_not_handled',
    note: 'the preflight has Access-Control-Allow-Origin but a 405 status',
  },

  // --- no-allow-headers: the preflight lists methods but no headers
  {
    id: 'no-allow-headers-put',
    server: 'no-allow-headers',
    path: '/api/items/1',
    init: { method: 'PUT' },
    expect: 'allowed',
    expectMistake: null,
    note: 'a PUT without non-safelisted headers needs only the method',
  },
  {
    id: 'no-allow-headers-post-json',
    server: 'no-allow-headers',
    path: '/api/items',
    init: { method: 'POST', headers: JSON_TYPE, body: '{}' },
    expect: 'blocked',
    expectMistake: 'json_content_type_not_allowed',
    note: 'Content-Type: application/json must be allowed by name',
  },
  {
    id: 'no-allow-headers-get-request-id',
    server: 'no-allow-headers',
    path: '/api/items',
    init: { method: 'GET', headers: { 'X-Request-Id': 'e2e-1' } },
    expect: 'blocked',
    expectMistake: null,
    note: 'a custom header makes even a GET preflighted, and it is not allowed',
  },

  // --- no-cors: no CORS header at all
  {
    id: 'no-cors-get',
    server: 'no-cors',
    path: '/api/items',
    init: { method: 'GET' },
    expect: 'blocked',
    expectMistake: 'no_cors_headers',
    note: 'the response reaches the browser, which hides it from the page',
  },
  {
    id: 'no-cors-delete',
    server: 'no-cors',
    path: '/api/items/1',
    init: { method: 'DELETE' },
    expect: 'blocked',
    expectMistake: 'no_cors_headers',
    note: 'the preflight succeeds as HTTP (204) but grants nothing',
  },

  // --- preflight-redirect: OPTIONS redirected to the trailing-slash URL
  {
    id: 'preflight-redirect-get',
    server: 'preflight-redirect',
    path: '/api/items',
    init: { method: 'GET' },
    expect: 'allowed',
    expectMistake: null,
    note: 'no preflight, no redirect',
  },
  {
    id: 'preflight-redirect-put',
    server: 'preflight-redirect',
    path: '/api/items',
    init: { method: 'PUT', headers: JSON_TYPE, body: '{}' },
    expect: 'blocked',
    expectMistake: 'preflight_redirect',
    note: 'a preflight may not be redirected, whatever headers the redirect carries',
  },
  {
    id: 'preflight-redirect-put-canonical',
    server: 'preflight-redirect',
    path: '/api/items/',
    init: { method: 'PUT', headers: JSON_TYPE, body: '{}' },
    expect: 'allowed',
    expectMistake: null,
    note: 'the URL the server redirects to answers the preflight properly',
  },

  // --- duplicate-acao: two Access-Control-Allow-Origin lines
  {
    id: 'duplicate-acao-get',
    server: 'duplicate-acao',
    path: '/api/items',
    init: { method: 'GET' },
    expect: 'blocked',
    expectMistake: 'duplicate_allow_origin',
    note: 'two header lines make one list value, which matches no origin',
  },
  {
    id: 'duplicate-acao-put',
    server: 'duplicate-acao',
    path: '/api/items/1',
    init: { method: 'PUT', headers: JSON_TYPE, body: '{}' },
    expect: 'blocked',
    expectMistake: 'duplicate_allow_origin',
    note: 'the same at the preflight',
  },

  // --- no-vary: the allowed origin reflected without Vary: Origin
  {
    id: 'no-vary-get',
    server: 'no-vary',
    path: '/api/items',
    init: { method: 'GET' },
    expect: 'allowed',
    expectMistake: 'missing_vary_origin',
    note: 'the browser lets it through; a shared cache could serve this answer to another origin',
  },
  {
    id: 'no-vary-get-other-origin',
    server: 'no-vary',
    from: 'other',
    path: '/api/items',
    init: { method: 'GET' },
    expect: 'blocked',
    expectMistake: null,
    note: 'another origin gets no Access-Control-Allow-Origin',
  },

  // --- json-not-allowed: only x-request-id allowed
  {
    id: 'json-not-allowed-post-json',
    server: 'json-not-allowed',
    path: '/api/items',
    init: { method: 'POST', headers: { ...JSON_TYPE, 'X-Request-Id': 'e2e-2' }, body: '{}' },
    expect: 'blocked',
    expectMistake: 'json_content_type_not_allowed',
    note: 'x-request-id is allowed, content-type is not',
  },
  {
    id: 'json-not-allowed-post-request-id',
    server: 'json-not-allowed',
    path: '/api/items',
    init: { method: 'POST', headers: { ...TEXT_TYPE, 'X-Request-Id': 'e2e-3' }, body: 'hello' },
    expect: 'allowed',
    expectMistake: null,
    note: 'text/plain is safelisted, and x-request-id is allowed',
  },

  // --- express-cors-default: app.use(cors())
  {
    id: 'express-default-get',
    server: 'express-cors-default',
    path: '/products/1',
    init: { method: 'GET' },
    expect: 'allowed',
    expectMistake: null,
    note: 'cors() answers * to everyone',
  },
  {
    id: 'express-default-delete-json',
    server: 'express-cors-default',
    path: '/products/1',
    init: { method: 'DELETE', headers: JSON_TYPE },
    expect: 'allowed',
    expectMistake: null,
    note: 'its preflight lists DELETE and reflects the requested headers',
  },
  {
    id: 'express-default-get-credentials',
    server: 'express-cors-default',
    path: '/products/1',
    init: { method: 'GET', credentials: 'include' },
    expect: 'blocked',
    expectMistake: 'wildcard_with_credentials',
    note: 'a page that sends cookies cannot use the README default',
  },

  // --- express-cors-origin: cors({ origin, optionsSuccessStatus: 200 }) per route
  {
    id: 'express-origin-get',
    server: 'express-cors-origin',
    path: '/products/1',
    init: { method: 'GET' },
    expect: 'allowed',
    expectMistake: null,
    note: 'the configured origin',
  },
  {
    id: 'express-origin-delete',
    server: 'express-cors-origin',
    path: '/products/1',
    init: { method: 'DELETE' },
    expect: 'allowed',
    expectMistake: null,
    note: "app.options('*', cors(corsOptions)) answers the preflight with 200",
  },
  {
    id: 'express-origin-get-other-origin',
    server: 'express-cors-origin',
    from: 'other',
    path: '/products/1',
    init: { method: 'GET' },
    expect: 'blocked',
    expectMistake: null,
    note: 'a fixed origin string is sent to every origin; the browser compares',
  },
  {
    id: 'express-origin-get-credentials',
    server: 'express-cors-origin',
    path: '/products/1',
    init: { method: 'GET', credentials: 'include' },
    expect: 'blocked',
    expectMistake: null,
    note: 'credentials are not on in the README configuration',
  },
  {
    id: 'express-origin-trailing-slash',
    server: 'express-cors-origin',
    allow: 'page/',
    path: '/products/1',
    init: { method: 'GET' },
    expect: 'blocked',
    expectMistake: 'trailing_slash_origin',
    note: 'origin configured with a trailing slash: never equal to an Origin header',
  },

  // --- starlette-docs: CORSMiddleware as Starlette's docs show
  {
    id: 'starlette-get-credentials',
    server: 'starlette-docs',
    path: '/api/me',
    init: { method: 'GET', credentials: 'include' },
    expect: 'allowed',
    expectMistake: null,
    note: 'the listed origin, with credentials',
  },
  {
    id: 'starlette-put-json-credentials',
    server: 'starlette-docs',
    path: '/api/items/1',
    init: { method: 'PUT', credentials: 'include', headers: { ...JSON_TYPE, 'X-Request-Id': 'e2e-4' }, body: '{}' },
    expect: 'allowed',
    expectMistake: null,
    note: 'allow_methods and allow_headers "*": the preflight mirrors the request',
  },
  {
    id: 'starlette-delete-other-origin',
    server: 'starlette-docs',
    from: 'other',
    path: '/api/items/1',
    init: { method: 'DELETE' },
    expect: 'blocked',
    expectMistake: null,
    note: 'an unlisted origin: the preflight is answered 400 "Disallowed CORS origin"',
  },
  {
    id: 'starlette-get-other-origin',
    server: 'starlette-docs',
    from: 'other',
    path: '/api/items',
    init: { method: 'GET' },
    expect: 'blocked',
    expectMistake: null,
    note: 'an unlisted origin: Access-Control-Allow-Credentials but no Access-Control-Allow-Origin',
  },
];

module.exports = { SCENARIOS };
