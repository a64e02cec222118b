import { defineConfig } from "vitest/config";

// The cluster tier: tests against a real kube-apiserver + etcd started by
// test/cluster/cluster.sh (tools built by scripts/install-tools.sh kube-apiserver etcd).
export default defineConfig({
  test: {
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
