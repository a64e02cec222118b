// What the cluster source may put into a message or a report field: one short line, and never a
// credential (a password in a server URL, a token in a plugin's stderr or in an error body).
import { forTerminalCut } from "../../escape.js";

/** One line of at most `max` characters: control characters escaped, longer text cut with "…". */
export function oneLine(text: string, max = 200): string {
  return forTerminalCut(text.trim().replace(/\s+/g, " "), max);
}

/** A server URL without user:password@ (which Go's client, and so kubectl, would send as basic auth). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    // not a URL: drop anything up to an @ in the authority part
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
  }
}

/**
 * A line from a credential plugin or a server with anything that looks like a secret removed:
 * the given words (the plugin's arguments and env values), key=value / key: value pairs whose key
 * names a secret, bearer/basic credentials, and long token-like runs.
 */
export function scrub(text: string, words: string[] = []): string {
  let s = text;
  for (const w of words) if (w.length >= 3) s = s.split(w).join("***");
  s = s.replace(/\b(bearer|basic)\s+[^\s"',;]+/gi, "$1 ***");
  const secretKey = String.raw`[\w-]*(?:password|passwd|pwd|secret|token|key|credential|auth)[\w-]*`;
  s = s.replace(new RegExp(String.raw`\b(${secretKey})(["']?\s*[:=]\s*["']?)[^\s"',;]+`, "gi"), "$1$2***");
  s = s.replace(new RegExp(String.raw`(^|\s)(--?${secretKey})\s+[^\s"',;]+`, "gi"), "$1$2 ***");
  s = s.replace(/[A-Za-z0-9+/_.=-]{32,}/g, "***");
  return s;
}
