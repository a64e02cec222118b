// The one module that loads Ink and React: `kubescape tui` imports it when it runs, so no
// other command pays for them (the bundled executable even keeps them in a file of their own,
// scripts/bundle.mjs). It takes the terminal's alternate screen, so quitting gives the shell
// (or K9s) its screen back as it was.
import React from "react";
import { render } from "ink";
import { App, type AppProps } from "./App.js";

export async function renderTui(props: AppProps, io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream } = { stdin: process.stdin, stdout: process.stdout }): Promise<void> {
  // the bundle loads Yoga's wasm without top-level await: wait for it (scripts/bundle.mjs)
  const ready = (globalThis as { __kubescapeYogaReady?: Promise<unknown> }).__kubescapeYogaReady;
  if (ready) await ready;
  io.stdout.write("\x1b[?1049h\x1b[H");
  const app = render(<App {...props} />, { stdin: io.stdin, stdout: io.stdout, exitOnCtrlC: true, patchConsole: true });
  try {
    await app.waitUntilExit();
  } finally {
    app.unmount();
    io.stdout.write("\x1b[?1049l");
  }
}
