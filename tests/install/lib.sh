# Shared by tests/install/*.sh (sourced): fresh directories outside the
# checkout, a PATH without Rust, free loopback ports, and a preflight judged
# over real HTTP. Every wait is bounded.

# What to remove and stop at exit, kept in a file: install_dir runs in a
# command substitution (a subshell), whose variables and traps do not survive.
INSTALL_REGISTRY=$(mktemp "${TMPDIR:-/tmp}/corsguard-install-registry.XXXXXX")
INSTALL_PIDS=()
install_cleanup() {
  local pid dir
  for pid in "${INSTALL_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [ -f "$INSTALL_REGISTRY" ]; then
    while IFS= read -r dir; do
      [ -n "$dir" ] && rm -rf "$dir"
    done <"$INSTALL_REGISTRY"
    rm -f "$INSTALL_REGISTRY"
  fi
}
trap install_cleanup EXIT

# A new empty directory outside the checkout (under TMPDIR), removed at exit
# unless KEEP_INSTALL_DIRS=1: dir=$(install_dir NAME)
install_dir() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/corsguard-install-$1.XXXXXX")
  [ "${KEEP_INSTALL_DIRS:-0}" = 1 ] || printf '%s\n' "$dir" >>"$INSTALL_REGISTRY"
  printf '%s\n' "$dir"
}

# Prints PATH without every directory that holds cargo, rustc or rustup, and
# fails when one of them is still found through it.
path_without_rust() {
  local kept=() dir
  local IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] || continue
    if [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ]; then
      continue
    fi
    kept+=("$dir")
  done
  local path="${kept[*]}"
  if PATH="$path" command -v cargo >/dev/null 2>&1 || PATH="$path" command -v rustc >/dev/null 2>&1; then
    echo "install test: cargo or rustc is still on PATH=$path" >&2
    return 1
  fi
  printf '%s\n' "$path"
}

# A TCP port nobody listens on, on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits (at most about 30 s) until 127.0.0.1:PORT accepts connections while
# PID lives; fails when the process exits first or the time is up.
wait_port() {
  local port=$1 pid=$2 _
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "install test: the server (pid $pid) exited before listening on $port" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "install test: nothing listens on 127.0.0.1:$port after 30 s" >&2
  return 1
}

# Starts a server in the background (its output in LOG), remembers it for the
# cleanup, and waits for PORT: start_server PORT LOG command...
start_server() {
  local port=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  local pid=$!
  INSTALL_PIDS+=("$pid")
  wait_port "$port" "$pid" || { cat "$log" >&2; return 1; }
}

# Sends a preflight (OPTIONS, Origin, Access-Control-Request-Method) to URL
# and checks the answer: a 2xx status and Access-Control-Allow-Origin equal to
# ORIGIN (or `*` when EXPECT is `*`). expect_preflight URL ORIGIN [METHOD] [EXPECT]
expect_preflight() {
  local url=$1 origin=$2 method=${3:-PUT} expect=${4:-$2} head status acao
  head=$(curl -sS --max-time 10 -o /dev/null -D - -X OPTIONS \
    -H "Origin: $origin" -H "Access-Control-Request-Method: $method" "$url" | tr -d '\r') || {
    echo "install test: no answer from $url" >&2
    return 1
  }
  status=$(printf '%s\n' "$head" | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p')
  acao=$(printf '%s\n' "$head" | sed -n 's/^[Aa]ccess-[Cc]ontrol-[Aa]llow-[Oo]rigin: //p')
  case $status in
    2??) ;;
    *) echo "install test: preflight to $url answered $status:" >&2; printf '%s\n' "$head" >&2; return 1 ;;
  esac
  if [ "$acao" != "$expect" ]; then
    echo "install test: preflight to $url allowed \`$acao\`, expected \`$expect\`:" >&2
    printf '%s\n' "$head" >&2
    return 1
  fi
  echo "preflight from $origin to $url: $status, Access-Control-Allow-Origin: $acao"
}
