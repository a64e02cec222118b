import { readDataText } from "./core/data-files.js";

export const VERSION: string = JSON.parse(readDataText("package.json")).version;

/** What `kubescape version` prints. */
export const versionLine = (): string => `kubescape-ts v${VERSION}\n`;
