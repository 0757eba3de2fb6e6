/** The command line in this process: `dispatch` with stdout and stderr captured, for fast CLI tests. */
import { dispatch } from "../src/cli/main.js";

export interface CliOutcome {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function cliInProcess(args: readonly string[]): Promise<CliOutcome> {
  let out = "", err = "";
  const code = await dispatch(args, {
    out: (t) => void (out += t),
    err: { write: (t: string) => ((err += t), true), isTTY: false } as unknown as NodeJS.WriteStream,
    signal: new AbortController().signal,
  });
  return { code, out, err };
}
