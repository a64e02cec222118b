import { readDataText } from "./paths.js";

export const VERSION: string = JSON.parse(readDataText("package.json")).version;
