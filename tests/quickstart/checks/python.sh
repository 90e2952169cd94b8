# The README's FastAPI quick start, listening on $1: the items API it serves.
exec bash "$(dirname "${BASH_SOURCE[0]}")/items-api.sh" "$@"
