# bindings-node/README.md's install from a clone: the linked package loads
# the addon built in the clone, through require and through import.
set -euo pipefail
node -e "
  const cors = require('corsguard');
  if (typeof cors !== 'function' || typeof cors.Policy !== 'function') process.exit(1);
  console.log('require(\"corsguard\"): the cors drop-in and Policy');
"
node --input-type=module -e "
  import cors, { Policy } from 'corsguard';
  const policy = Policy.fromJSON({ version: 1, allowOrigins: ['http://localhost:3000'] });
  if (typeof cors !== 'function' || !policy.evaluate({ method: 'GET', origin: 'http://localhost:3000' }).allowed) process.exit(1);
  console.log('import cors from \"corsguard\": loads, and a policy allows its origin');
"
