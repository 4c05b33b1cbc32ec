// SPDX-License-Identifier: MIT
// Starts a `weft` subcommand for the npm tests and resolves with the JSON object of its first
// stdout line (what `weft serve` and `weft sandbox --json` print when they listen). Rejects when
// the process cannot start, exits first, or prints nothing within 60 s, so a test fails loudly
// when its server did not start.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** `children` collects the process, for the caller to stop at the end. */
export function startWeft(weft, args, env, children) {
  const child = spawn(weft, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`weft ${args[0]} printed nothing within 60 s`)), 60_000);
    child.on("error", (e) => reject(new Error("cannot start " + weft + ": " + e.message)));
    child.on("exit", (code) => reject(new Error(`weft ${args[0]} exited with ${code} before printing its first line`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      try { resolve(JSON.parse(line)); } catch { reject(new Error(`first line of weft ${args[0]} is not JSON: ${line}`)); }
    });
  });
}
