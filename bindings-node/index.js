'use strict';

// require('corsguard'): the `cors` drop-in as the default export, and the
// strict native `Policy` for new code.

const { corsguard } = require('./lib/compat');
const { Policy } = require('./lib/policy');

module.exports = corsguard;
module.exports.corsguard = corsguard;
module.exports.cors = corsguard;
module.exports.Policy = Policy;
module.exports.default = corsguard;
