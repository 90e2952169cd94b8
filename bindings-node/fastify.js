'use strict';

// require('corsguard/fastify'): the Fastify 5 plugin taking @fastify/cors 11's
// options (`fastify.register(require('corsguard/fastify'), options)`).

module.exports = require('./lib/fastify');
