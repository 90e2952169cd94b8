'use strict';

// require('corsguard'): the `cors` drop-in as the default export, and the
// strict native `Policy` for new code (`Policy.fromJSON` loads a policy
// document), with the errors it throws.

const { corsguard } = require('./lib/compat');
const { Policy } = require('./lib/policy');
const { PolicyError, PolicyRangeError } = require('./lib/native');

module.exports = corsguard;
module.exports.corsguard = corsguard;
module.exports.cors = corsguard;
module.exports.Policy = Policy;
module.exports.PolicyError = PolicyError;
module.exports.PolicyRangeError = PolicyRangeError;
module.exports.default = corsguard;
