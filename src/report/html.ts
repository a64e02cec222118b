// PLACEHOLDER: being written (issue 6).
import type { Reporter } from "./index.js";

export const reporter: Reporter = {
  ext: "html",
  render: () => {
    throw new Error("the html format is not available yet");
  },
};
