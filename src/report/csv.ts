// PLACEHOLDER: being written (issue 6).
import type { Reporter } from "./index.js";

export const reporter: Reporter = {
  ext: "csv",
  render: () => {
    throw new Error("the csv format is not available yet");
  },
};
