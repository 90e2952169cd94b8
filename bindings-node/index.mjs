// ESM entry: `import cors from 'corsguard'` or `import { Policy, PolicyError } from 'corsguard'`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const corsguard = require('./index.js');

export default corsguard;
export const { Policy, PolicyError, PolicyRangeError, cors } = corsguard;
export { corsguard };
