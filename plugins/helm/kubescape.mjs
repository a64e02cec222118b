// What plugin.yaml runs: the CLI of the checkout this directory belongs to, as
// `kubescape helm …`. Helm links $HELM_PLUGIN_DIR to this directory; Node follows the link
// for its entry script, so the paths below are relative to the checkout. (Naming
// $HELM_PLUGIN_DIR/../../bin/run.js in plugin.yaml would not work: Node drops the ".."
// before it follows the link, and so looks next to Helm's plugins directory.)
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
if (!fs.existsSync(new URL("dist/cli/main.js", root))) {
  process.stderr.write(`error: kubescape is not built: run npm install in ${fileURLToPath(root)}\n`);
  process.exit(2);
}
await import(new URL("bin/run.js", root).href);
