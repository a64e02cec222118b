// PLACEHOLDER: being written (issue 6).
import type { Reporter } from "./index.js";

export const reporter: Reporter = {
  ext: "md",
  render: () => {
    throw new Error("the markdown format is not available yet");
  },
};
