// PLACEHOLDER: being written (issue 6).
import type { Reporter } from "./index.js";

export const reporter: Reporter = {
  ext: "pdf",
  render: () => {
    throw new Error("the pdf format is not available yet");
  },
};
