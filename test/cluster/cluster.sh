#!/usr/bin/env bash
# A real, throwaway Kubernetes control plane for tests: etcd + kube-apiserver (built from
# their Go modules by scripts/install-tools.sh) on free loopback ports, with certificates,
# tokens, a kubeconfig and RBAC for an admin and two restricted identities.
# There are no controllers, scheduler or nodes: objects are stored and served, pods stay
# Pending, namespaces never finish terminating.
#
# Usage: test/cluster/cluster.sh start|stop|env|status|restart-apiserver
#   start   start the cluster (reuses it when it is already running); prints the kubeconfig path
#   stop    stop the processes (TERM, then KILL) and remove the cluster dir; idempotent
#   env     print `export KUBECONFIG=...` for the running cluster
#   status  exit 0 when the cluster is running and ready
#   restart-apiserver  kill kube-apiserver and start it again on the same port (fault tests)
#
# Environment: KS_CLUSTER_DIR (default /tmp/ks-cluster) is the cluster's own dir: certs,
# tokens, kubeconfig, etcd data, logs (etcd.log, kube-apiserver.log) and PID files.
# KUBESCAPE_DEV_CACHE as for scripts/install-tools.sh. KS_CLUSTER_TIMEOUT (default 60) is
# how long start waits for /readyz.
#
# kubeconfig contexts: admin (client cert, O=system:masters; current), admin-token (token),
# restricted (client cert, user "viewer"), limited (token, user "limited"). viewer and
# limited may get/list/watch namespaces, pods, services, configmaps, serviceaccounts,
# deployments, replicasets, daemonsets, statefulsets, jobs and cronjobs, and are Forbidden
# everything else (secrets, roles, rolebindings, clusterroles, networkpolicies, …).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${KS_CLUSTER_DIR:-/tmp/ks-cluster}"
BIN="${KUBESCAPE_DEV_CACHE:-$HOME/.cache/kubescape-dev}/bin"
TIMEOUT="${KS_CLUSTER_TIMEOUT:-60}"
MARKER="$DIR/.ks-cluster"

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# --- processes --------------------------------------------------------------------------

pid_of() { # name -> prints the PID if that process is alive and is ours
  local f="$DIR/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against a recycled PID: the process must be running our binary
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1" || return 1
  echo "$pid"
}

stop_process() { # name
  local pid i
  pid="$(pid_of "$1")" || { rm -f "$DIR/$1.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$1 (pid $pid) did not stop on TERM; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$DIR/$1.pid"
}

ready() { # exit 0 when the apiserver answers /readyz with ok
  [[ -f "$DIR/apiserver.url" ]] || return 1
  local out
  out="$(curl -sS --max-time 3 --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/admin.crt" \
    --key "$DIR/pki/admin.key" "$(cat "$DIR/apiserver.url")/readyz" 2>/dev/null)" || return 1
  [[ "$out" == "ok" ]]
}

running() { pid_of etcd >/dev/null && pid_of kube-apiserver >/dev/null && ready; }

# --- setup --------------------------------------------------------------------------------

free_ports() { # n -> n distinct free loopback TCP ports, one a line (python3, else node)
  if ! command -v python3 >/dev/null; then
    node -e '
      const net = require("net");
      const n = Number(process.argv[1]), servers = [];
      const next = () => {
        if (servers.length === n) {
          console.log(servers.map((s) => s.address().port).join("\n"));
          servers.forEach((s) => s.close());
          return;
        }
        const s = net.createServer().listen(0, "127.0.0.1", () => { servers.push(s); next(); });
      };
      next();' "$1"
    return
  fi
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

gen_certs() {
  local pki="$DIR/pki"
  mkdir -p "$pki"
  (
    cd "$pki"
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 30 -subj "/CN=ks-test-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    issue() { # name subject ext...
      local name="$1" subj="$2"; shift 2
      local ext=$'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment'
      for e in "$@"; do ext+=$'\n'"$e"; done
      openssl req "${ec[@]}" -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
      openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
        -out "$name.crt" -extfile <(printf '%s\n' "$ext") 2>/dev/null
      rm -f "$name.csr"
    }
    issue apiserver "/CN=kube-apiserver" "extendedKeyUsage=serverAuth" \
      "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
    issue admin "/O=system:masters/CN=ks-admin" "extendedKeyUsage=clientAuth"
    issue viewer "/O=ks-viewers/CN=viewer" "extendedKeyUsage=clientAuth"
    # the front proxy: its own CA, and the client certificate the API server presents to
    # aggregated API servers (they trust its X-Remote-* headers only with that certificate)
    openssl req -x509 "${ec[@]}" -keyout front-proxy-ca.key -out front-proxy-ca.crt -days 30 \
      -subj "/CN=ks-front-proxy-ca" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req "${ec[@]}" -keyout front-proxy-client.key -out front-proxy-client.csr \
      -subj "/CN=front-proxy-client" 2>/dev/null
    openssl x509 -req -in front-proxy-client.csr -CA front-proxy-ca.crt -CAkey front-proxy-ca.key \
      -CAcreateserial -days 30 -out front-proxy-client.crt -extfile <(printf '%s\n' \
      'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
      'extendedKeyUsage=clientAuth') 2>/dev/null
    rm -f front-proxy-client.csr
    # service-account token signing key pair
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 600 ./*.key
  )
  local admin_token limited_token
  admin_token="$(openssl rand -hex 24)"
  limited_token="$(openssl rand -hex 24)"
  printf '%s,%s,%s,"%s"\n' "$admin_token" ks-admin-token ks-admin-token system:masters \
    "$limited_token" limited limited ks-limited > "$pki/tokens.csv"
  chmod 600 "$pki/tokens.csv"
  echo "$admin_token" > "$pki/admin.token"
  echo "$limited_token" > "$pki/limited.token"
}

write_kubeconfig() { # url
  local pki="$DIR/pki"
  cat > "$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ks-test
  cluster:
    server: $1
    certificate-authority: $pki/ca.crt
users:
- name: admin
  user: {client-certificate: $pki/admin.crt, client-key: $pki/admin.key}
- name: admin-token
  user: {token: $(cat "$pki/admin.token")}
- name: viewer
  user: {client-certificate: $pki/viewer.crt, client-key: $pki/viewer.key}
- name: limited
  user: {token: $(cat "$pki/limited.token")}
contexts:
- name: admin
  context: {cluster: ks-test, user: admin}
- name: admin-token
  context: {cluster: ks-test, user: admin-token}
- name: restricted
  context: {cluster: ks-test, user: viewer}
- name: limited
  context: {cluster: ks-test, user: limited}
current-context: admin
EOF
  chmod 600 "$DIR/kubeconfig"
}

apply_rbac() {
  kubectl --kubeconfig "$DIR/kubeconfig" --context admin apply --server-side \
    --field-manager=ks-cluster -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ks-test-reader}
rules:
- apiGroups: [""]
  resources: [namespaces, pods, services, configmaps, serviceaccounts]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments, replicasets, daemonsets, statefulsets]
  verbs: [get, list, watch]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ks-test-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ks-test-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: viewer}
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: limited}
EOF
}

start_apiserver() { # etcd_url api_port
  local etcd_url="$1" api_port="$2"
  local pki="$DIR/pki"
  setsid "$BIN/kube-apiserver" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
    --etcd-servers="$etcd_url" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 \
    --allow-privileged=true \
    --disable-admission-plugins=ServiceAccount \
    --endpoint-reconciler-type=none \
    --enable-priority-and-fairness=false \
    --profiling=false \
    --requestheader-client-ca-file="$pki/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" \
    --proxy-client-key-file="$pki/front-proxy-client.key" \
    </dev/null >"$DIR/kube-apiserver.log" 2>&1 &
  echo $! > "$DIR/kube-apiserver.pid"
}

wait_ready() {
  local deadline=$((SECONDS + TIMEOUT))
  until ready; do
    pid_of kube-apiserver >/dev/null || { tail -n 30 "$DIR/kube-apiserver.log" >&2; die "kube-apiserver exited"; }
    ((SECONDS < deadline)) || die "kube-apiserver not ready after ${TIMEOUT}s"
    sleep 0.2
  done
}

# Kill the API server and start it again on the same port and etcd (a fault for tests).
restart_apiserver() {
  running || die "no running cluster in $DIR"
  local url port
  url="$(cat "$DIR/apiserver.url")"
  port="${url##*:}"
  stop_process kube-apiserver
  start_apiserver "$(cat "$DIR/etcd.url")" "$port"
  wait_ready
  log "kube-apiserver restarted at $url"
}

start() {
  if running; then
    log "already running ($(cat "$DIR/apiserver.url"))"
    echo "$DIR/kubeconfig"
    return 0
  fi
  # half-started or stale: clear it out first
  if [[ -e "$DIR" ]]; then stop; fi
  [[ -x "$BIN/kube-apiserver" && -x "$BIN/etcd" ]] ||
    bash "$ROOT/scripts/install-tools.sh" kube-apiserver etcd >/dev/null
  command -v kubectl >/dev/null || die "kubectl not found"

  local t0=$SECONDS
  mkdir -p "$DIR"
  touch "$MARKER"
  gen_certs
  local ports etcd_port peer_port api_port
  ports="$(free_ports 3)"
  { read -r etcd_port; read -r peer_port; read -r api_port; } <<<"$ports"
  local etcd_url="http://127.0.0.1:$etcd_port" url="https://127.0.0.1:$api_port"
  echo "$etcd_url" > "$DIR/etcd.url"
  echo "$url" > "$DIR/apiserver.url"

  # setsid: own session, so the processes outlive this script and its terminal.
  setsid "$BIN/etcd" --name ks --data-dir "$DIR/etcd" \
    --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "ks=http://127.0.0.1:$peer_port" \
    --unsafe-no-fsync --log-level warn \
    </dev/null >"$DIR/etcd.log" 2>&1 &
  echo $! > "$DIR/etcd.pid"

  start_apiserver "$etcd_url" "$api_port"

  local deadline=$((SECONDS + TIMEOUT))
  until ready; do
    if ! pid_of etcd >/dev/null; then
      tail -n 20 "$DIR/etcd.log" >&2; stop; die "etcd exited during start-up"
    fi
    if ! pid_of kube-apiserver >/dev/null; then
      tail -n 30 "$DIR/kube-apiserver.log" >&2; stop; die "kube-apiserver exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$DIR/kube-apiserver.log" >&2; stop; die "kube-apiserver not ready after ${TIMEOUT}s"
    fi
    sleep 0.5
  done
  write_kubeconfig "$url"
  apply_rbac
  log "ready at $url in $((SECONDS - t0)) s (KUBECONFIG=$DIR/kubeconfig)"
  echo "$DIR/kubeconfig"
}

stop() {
  stop_process kube-apiserver
  stop_process etcd
  if [[ -e "$DIR" ]]; then
    if [[ -f "$MARKER" ]]; then
      rm -rf "$DIR"
    elif ! rmdir "$DIR" 2>/dev/null; then
      die "$DIR is not a cluster dir made by this script (no .ks-cluster marker); not removing it"
    fi
  fi
}

case "${1:-}" in
  start) start ;;
  restart-apiserver) restart_apiserver ;;
  stop) stop ;;
  env)
    running || die "no cluster running in $DIR (run: $0 start)"
    echo "export KUBECONFIG=$DIR/kubeconfig"
    ;;
  status)
    if running; then echo "running: $(cat "$DIR/apiserver.url") KUBECONFIG=$DIR/kubeconfig"; else echo "not running"; exit 1; fi
    ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
