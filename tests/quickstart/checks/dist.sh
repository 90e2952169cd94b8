# The README's install-from-dist quick start: each runtime's package is
# installed in the app directory and loads.
set -euo pipefail
node -e "
  const cors = require('corsguard');
  const { Policy } = cors;
  const policy = Policy.fromJSON({ version: 1, allowOrigins: ['http://localhost:3000'] });
  const allowed = policy.evaluate({ method: 'GET', origin: 'http://localhost:3000' });
  const refused = policy.evaluate({ method: 'GET', origin: 'https://evil.test' });
  if (typeof cors !== 'function' || !allowed.allowed || refused.allowed) process.exit(1);
  console.log('node: require(\"corsguard\") loads the installed addon');
"
.venv/bin/python -c "
import corsguard
policy = corsguard.Policy.from_json('{\"version\": 1, \"allowOrigins\": [\"http://localhost:3000\"]}')
allowed = policy.evaluate('GET', origin='http://localhost:3000')
refused = policy.evaluate('GET', origin='https://evil.test')
assert allowed.allowed and not refused.allowed, (allowed, refused)
print('python: corsguard', corsguard.__version__, 'loads from the wheel')
"
pc=$(echo libcorsguard-*/lib/pkgconfig)
[ -f "$pc/corsguard.pc" ] || { echo "no corsguard.pc in the extracted C tarball" >&2; exit 1; }
PKG_CONFIG_PATH=$PWD/$pc pkg-config --cflags --libs corsguard
echo "c: pkg-config finds corsguard in the extracted tarball"
