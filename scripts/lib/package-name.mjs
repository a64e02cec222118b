// A rule's Rego package name: its folder name with every character outside [A-Za-z0-9_]
// as "_" (rules/README.md).
export const packageName = (rule) => rule.replace(/[^A-Za-z0-9_]/g, "_");
