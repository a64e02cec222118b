// Command etcd is the upstream etcd server, built from the go.etcd.io/etcd
// Go modules so tests can run a real etcd behind the real kube-apiserver
// without downloading a prebuilt binary. Built by scripts/install-tools.sh.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
