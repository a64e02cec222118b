// PLACEHOLDER: being written (issue 6).
import type { Reporter } from "./index.js";

export const reporter: Reporter = {
  ext: "policyreport.yaml",
  render: () => {
    throw new Error("the policyreport format is not available yet");
  },
};
