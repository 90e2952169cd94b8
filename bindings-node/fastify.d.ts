// Type definitions for corsguard/fastify: a Fastify 5 plugin taking
// @fastify/cors 11's options (declared in ./index.d.ts), so code typed
// against @fastify/cors compiles unchanged after swapping the import.

import type { FastifyPluginCallback } from 'fastify';
import type { FastifyCorsOptions } from './index';

declare module 'fastify' {
  interface FastifyContextConfig {
    cors?: import('./index').FastifyRouteCors;
  }
  interface FastifyRequest {
    corsPreflightEnabled: boolean;
  }
  interface FastifyInstance {
    /**
     * corsguard only: `reconfigure(options)` replaces the plugin's options
     * (or delegator) atomically; the same `hook` only. A refused
     * configuration throws and changes nothing.
     */
    corsguard: import('./index').Reconfigurable<FastifyCorsOptions | import('./index').FastifyCorsOptionsDelegate>;
  }
}

declare const fastifyCors: FastifyPluginCallback<FastifyCorsOptions> & {
  fastifyCors: typeof fastifyCors;
  fastifyCorsguard: typeof fastifyCors;
  default: typeof fastifyCors;
};

export = fastifyCors;
