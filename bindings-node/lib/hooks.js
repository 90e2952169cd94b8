'use strict';

// What the middlewares share beyond the answer itself: the refusal hook
// (`onRefusal`, called with the request and the core's reason for every
// refused request), and `corsOnErrors` (an error response keeps the CORS
// headers its request's origin is entitled to). Whether a request is
// refused, and why, is the core's decision (`evaluate`); this file only
// calls the user's function and rewrites the headers the core gave.

const { writeHeaders } = require('./write');

const HOOK_ERRORS = ['warn', 'throw'];

/** A TypeError for a bad hook option, code `invalid_option`. */
function invalidOption(message) {
  const error = new TypeError(message);
  error.code = 'invalid_option';
  return error;
}

/**
 * The hook options of a middleware, validated: `onRefusal` (a function or
 * absent), `hookErrors` (`'warn'`, the default, or `'throw'`) and
 * `corsOnErrors` (a boolean). Returns null when none is set.
 */
function hooksOf(options, where) {
  if (options === null || typeof options !== 'object') return null;
  const { onRefusal, hookErrors, corsOnErrors } = options;
  if (onRefusal !== undefined && typeof onRefusal !== 'function') {
    throw invalidOption(`${where}: onRefusal must be a function (request, refusal) => void`);
  }
  if (hookErrors !== undefined && HOOK_ERRORS.indexOf(hookErrors) === -1) {
    throw invalidOption(`${where}: hookErrors must be 'warn' or 'throw', not ${JSON.stringify(hookErrors)}`);
  }
  if (corsOnErrors !== undefined && typeof corsOnErrors !== 'boolean') {
    throw invalidOption(`${where}: corsOnErrors must be true or false`);
  }
  if (onRefusal === undefined && corsOnErrors !== true) return null;
  return {
    onRefusal: onRefusal === undefined ? null : onRefusal,
    rethrow: hookErrors === 'throw',
    corsOnErrors: corsOnErrors === true,
    warned: false,
  };
}

/**
 * Calls the refusal hook when the core refuses the request. The answer's
 * `shape` says whether it did (its reason code, from the same native call
 * that judged the request); only then does `ask` run the core's full
 * evaluation, for the reason's sentence. Without a shape, `ask` decides.
 * Returns the hook's error when `hookErrors: 'throw'` (the middleware passes
 * it on as the request's error), else null: an error is reported once per
 * middleware as a warning and the request is answered as if there were no
 * hook.
 */
function reportRefusal(hooks, ask, request, url, method, origin, shape) {
  if (hooks === null || hooks.onRefusal === null) return null;
  if (shape !== undefined && shape !== null && shape.refusal === null) return null;
  const decision = ask();
  if (decision === null || decision === undefined || decision.reason === undefined || decision.reason === null) return null;
  const refusal = {
    kind: decision.kind,
    code: decision.reason,
    reason: decision.message,
    origin: origin === undefined ? null : origin,
    method: method === undefined ? null : method,
    url: url === undefined ? null : url,
  };
  try {
    hooks.onRefusal(request, refusal);
  } catch (error) {
    if (hooks.rethrow) return error;
    if (!hooks.warned) {
      hooks.warned = true;
      process.emitWarning(`corsguard: the onRefusal hook threw (${error && error.message}); requests are answered as without it (set hookErrors: 'throw' to pass the error on)`, {
        code: 'CORSGUARD_REFUSAL_HOOK_ERROR',
        detail: error && error.stack ? String(error.stack) : undefined,
      });
    }
  }
  return null;
}

/**
 * With `corsOnErrors`: writes the decision's headers again when the
 * response's head goes out with an error status (400 or more), so they
 * survive an error handler that removed or replaced them. Node's
 * `res.end()` and `res.write()` go through `writeHead` too.
 */
function keepOnErrors(hooks, shape, res, origin, requestHeaders) {
  if (hooks === null || !hooks.corsOnErrors || typeof res.writeHead !== 'function') return;
  const writeHead = res.writeHead;
  res.writeHead = function corsguardWriteHead(status, ...rest) {
    res.writeHead = writeHead;
    const code = typeof status === 'number' ? status : res.statusCode;
    if (code >= 400 && !res.headersSent) writeHeaders(shape, res, origin, requestHeaders);
    return writeHead.call(this, status, ...rest);
  };
}

module.exports = { hooksOf, reportRefusal, keepOnErrors };
