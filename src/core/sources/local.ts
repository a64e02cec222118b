// Sources over text the user hands us: files and directories (and "-" for stdin), or one
// stream of manifests already in memory (a tool's rendered output).
import { readFileSources, type FileSourceOptions } from "./files.js";
import type { Source, SourceObjects } from "./source.js";

/** Files, directories (recursively) and "-" for stdin. */
export function fileSource(paths: string[], opts: FileSourceOptions = {}): Source {
  return {
    name: "files",
    async read(ctx): Promise<SourceObjects> {
      ctx.signal?.throwIfAborted();
      const { result, positions } = await readFileSources(paths, { signal: ctx.signal, ...opts });
      ctx.onEvent({ type: "read", files: result.filesRead, objects: result.objects.length });
      const shown = opts.stdinName ? paths.map((p) => (p === "-" ? opts.stdinName! : p)) : paths;
      return { ...result, positions, target: { kind: "files", paths: shown } };
    },
  };
}

/** One manifest stream held in memory, reported under `name` (e.g. "<helm template ./chart>"). */
export function streamSource(name: string, text: string, opts: Omit<FileSourceOptions, "readStdin" | "stdinName" | "render"> = {}): Source {
  return { name, read: (ctx) => fileSource(["-"], { ...opts, readStdin: async () => text, stdinName: name }).read(ctx) };
}
