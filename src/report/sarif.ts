// PLACEHOLDER: being written (issue 6).
import type { Reporter } from "./index.js";

export const reporter: Reporter = {
  ext: "sarif",
  render: () => {
    throw new Error("the sarif format is not available yet");
  },
};
