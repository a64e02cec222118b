#!/usr/bin/env bash
# Builds the real tools this repo's tests need from their Go modules into a cache
# outside the repo. Each tool is skipped when its pinned version is already there.
# Usage: scripts/install-tools.sh [opa regal kube-apiserver etcd krew helm k9s ...]   (no argument: all tools)
#
# kube-apiserver and etcd are built from our own tiny Go modules under tools/<name>/
# (go.mod + go.sum + main.go pin the upstream versions); their version stamp is a hash
# of those three files, so editing the module rebuilds the tool and nothing else does.
# The first kube-apiserver build compiles a large part of Kubernetes (several minutes
# on 2 cores); later runs reuse the binary, and rebuilds reuse Go's build cache.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KUBESCAPE_DEV_CACHE:-$HOME/.cache/kubescape-dev}"
BIN="$CACHE/bin"
mkdir -p "$BIN"

OPA_VERSION="v1.22.3"
KREW_VERSION="v0.4.3"
HELM_VERSION="v3.21.4"
K9S_VERSION="v0.50.16"

install_go_tool() { # name module version [ldflags]
  local name="$1" module="$2" version="$3" ldflags="${4:-}"
  local stamp="$BIN/.$name.version" want="$3${4:+ $4}"
  if [[ -x "$BIN/$name" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "building $name $version from $module (first time only)…" >&2
  GOBIN="$BIN" CGO_ENABLED=0 go install ${ldflags:+-ldflags "$ldflags"} "$module@$version"
  echo "$want" > "$stamp"
}

helm_ldflags() { # version -> the link flags Helm's Makefile sets: without them `helm version`
  # says "v3.21" and .Capabilities.KubeVersion is v1.20 (the compiled-in default), so charts
  # with a kubeVersion constraint refuse to render
  local v="$1" gomod k8s minor
  gomod="$(go mod download -json "helm.sh/helm/v3@$v" | sed -nE 's/^[[:space:]]*"GoMod": "(.*)",?$/\1/p')"
  k8s="$(sed -nE 's/^[[:space:]]*k8s\.io\/client-go (v[0-9][^ ]*).*/\1/p' "$gomod" | head -n1)" # v0.36.2 → Kubernetes 1.36
  minor="${k8s#v0.}"; minor="${minor%%.*}"
  local f="-s -w -X helm.sh/helm/v3/internal/version.version=$v -X helm.sh/helm/v3/internal/version.metadata= -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    f+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$minor"
  done
  echo "$f"
}

tool_ldflags() { # name -> -ldflags for it (kube-apiserver: stamp the release it was built from)
  local flags="-s -w"
  if [[ "$1" == kube-apiserver ]]; then
    local v major minor p
    v="$(sed -nE 's/^[[:space:]]*k8s\.io\/kubernetes (v[0-9][^ ]*).*/\1/p' "$ROOT/tools/$1/go.mod" | head -n1)"
    major="${v#v}"; major="${major%%.*}"
    minor="${v#v*.}"; minor="${minor%%.*}"
    # what the upstream build (hack/lib/version.sh) sets, so /version and kubectl see v1.x.y
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      flags+=" -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor"
      flags+=" -X $p.gitTreeState=clean -X $p.gitCommit=module-$v"
    done
  fi
  echo "$flags"
}

build_tool_module() { # name  (builds tools/<name>/ into $BIN/<name>)
  local name="$1" dir="$ROOT/tools/$1"
  local stamp="$BIN/.$name.version" version ldflags
  ldflags="$(tool_ldflags "$name")"
  # the stamp: a hash of the tool module's go.mod, go.sum and main.go (and the link flags)
  version="$( (cd "$dir" && cat go.mod go.sum main.go; echo "$ldflags") | sha256sum | cut -c1-16)"
  if [[ -x "$BIN/$name" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    return 0
  fi
  echo "building $name (tools/$name, $version) from its Go modules (first time only)…" >&2
  local start=$SECONDS
  # -p=2 (TOOLS_BUILD_P) keeps peak memory modest on small machines.
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=readonly -p=${TOOLS_BUILD_P:-2}" \
    go build -trimpath -ldflags "$ldflags" -o "$BIN/.$name.tmp" .)
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  echo "$version" > "$stamp"
  echo "built $name in $((SECONDS - start)) s" >&2
}

build_regal() { # the Rego linter (npm run lint), pinned by tools/regal/go.mod's tool directive
  # (`go install regal@version` stops at the proxy's version list, which is not served for it)
  local dir="$ROOT/tools/regal" stamp="$BIN/.regal.version" version
  version="$(cd "$dir" && cat go.mod go.sum | sha256sum | cut -c1-16)"
  if [[ -x "$BIN/regal" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    return 0
  fi
  local v; v="$(sed -nE 's/^[[:space:]]*github\.com\/styrainc\/regal (v[0-9][^ ]*).*/\1/p' "$dir/go.mod" | head -n1)"
  echo "building regal $v (tools/regal) from its Go modules (first time only)…" >&2
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=readonly -p=${TOOLS_BUILD_P:-2}" \
    go build -trimpath -ldflags "-s -w -X github.com/styrainc/regal/pkg/version.Version=$v" -o "$BIN/.regal.tmp" github.com/styrainc/regal)
  mv -f "$BIN/.regal.tmp" "$BIN/regal"
  echo "$version" > "$stamp"
}

install_k9s() { # the K9s terminal UI (the plugin round trip in the tui tier); a big module, so -p=2
  local stamp="$BIN/.k9s.version"
  if [[ -x "$BIN/k9s" && -f "$stamp" && "$(cat "$stamp")" == "$K9S_VERSION" ]]; then
    return 0
  fi
  echo "building k9s $K9S_VERSION from github.com/derailed/k9s (first time only)…" >&2
  local start=$SECONDS
  GOBIN="$BIN" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -p=${TOOLS_BUILD_P:-2}" \
    go install -trimpath -ldflags "-s -w -X github.com/derailed/k9s/cmd.version=$K9S_VERSION" \
    "github.com/derailed/k9s@$K9S_VERSION"
  echo "$K9S_VERSION" > "$stamp"
  echo "built k9s in $((SECONDS - start)) s" >&2
}

install_krew() { # krew, plus the kubectl-krew name kubectl finds it by as a plugin
  install_go_tool krew sigs.k8s.io/krew/cmd/krew "$KREW_VERSION"
  ln -sf krew "$BIN/kubectl-krew"
}

tools=("$@")
[[ ${#tools[@]} -eq 0 ]] && tools=(opa regal kube-apiserver etcd krew helm k9s)
for t in "${tools[@]}"; do
  case "$t" in
    opa) install_go_tool opa github.com/open-policy-agent/opa "$OPA_VERSION" ;;
    regal) build_regal ;;
    kube-apiserver|etcd) build_tool_module "$t" ;;
    krew) install_krew ;;
    helm) install_go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "$(helm_ldflags "$HELM_VERSION")" ;;
    k9s) install_k9s ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
echo "$BIN"
