import fs from "node:fs";
import { dataPath } from "./paths.js";

export const VERSION: string = JSON.parse(fs.readFileSync(dataPath("package.json"), "utf8")).version;
