# bindings-python/README.md's install from a clone: the package imports from
# the venv with its native module, and a policy allows its origin only.
set -euo pipefail
.venv/bin/python - <<'PY'
import corsguard
import corsguard._native as native
assert "/.venv/" in native.__file__, native.__file__
policy = corsguard.Policy.from_json('{"version": 1, "allowOrigins": ["http://localhost:3000"]}')
assert policy.evaluate("GET", origin="http://localhost:3000").allowed
assert not policy.evaluate("GET", origin="https://evil.test").allowed
print("corsguard", corsguard.__version__, "from", native.__file__.split("/.venv/")[1])
PY
