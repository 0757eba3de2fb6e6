/** What a subcommand is and what it gets from the dispatcher. */

export interface Context {
  /** Writes the command's result (text, CSV or JSON). */
  readonly out: (text: string) => void;
  /** Where progress and notes go; only progress uses it directly. */
  readonly err: NodeJS.WriteStream;
  /** Aborted on SIGINT: pass it to the engines so they stop between blocks. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The full `tlbrace <cmd> --help` text. */
  readonly help: string;
  readonly run: (args: readonly string[], ctx: Context) => Promise<void>;
}

/** The reason a run was aborted by SIGINT. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";
  constructor() {
    super("interrupted");
  }
}

/** A re-run gave different numbers: the command's answer, not a fault. */
export class Mismatch extends Error {
  override readonly name = "Mismatch";
}

/** A malformed command line that is not about one field's value (a missing value, a stray argument). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
