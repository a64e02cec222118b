// Where the package's own data lives (controls, rules bundle, config defaults).
import { fileURLToPath } from "node:url";
import path from "node:path";

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const dataPath = (...parts: string[]) => path.join(packageRoot, ...parts);
