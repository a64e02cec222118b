// PLACEHOLDER: being written (issue 6).
import type { Reporter } from "./index.js";

export const reporter: Reporter = {
  ext: "prom",
  render: () => {
    throw new Error("the prometheus format is not available yet");
  },
};
