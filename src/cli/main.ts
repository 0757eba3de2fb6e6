/**
 * The `tlbrace` command: dispatches to a subcommand and turns its outcome
 * into an exit status. 0 done, 1 internal error, 2 bad input (one line on
 * stderr, nothing simulated), 3 a re-run gave different numbers,
 * 130 interrupted.
 */
import { PACKAGE_VERSION } from "../engines/package-version.js";
import { cut, InputError } from "../model/errors.js";
import { MODEL_VERSION } from "../model/version.js";
import { type Command, type Context, Interrupted, Mismatch, UsageError } from "./command.js";
import { COMMANDS } from "./commands.js";
import { ascii } from "../text/format.js";

/** One line of error; the parts that echo input are cut shorter still. */
const MAX_MESSAGE = 600;

export const EXIT = { ok: 0, internal: 1, input: 2, differ: 3, interrupted: 130 } as const;

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: tlbrace <command> [options]

Models the race between a lockless page-table walk (GUP-fast) and the
free of a page-table page when a hypervisor's TLB flush sends no IPI.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Options:
  -h, --help     show this help; tlbrace <command> --help for a command
  -V, --version  show the version of tlbrace and of its model

Exit status: 0 done, 1 internal error, 2 bad input, 3 a re-run gave
different numbers, 130 interrupted.
Set TLBRACE_DEBUG=1 to see stack traces of internal errors.
`;
}

function version(): string {
  return `tlbrace ${PACKAGE_VERSION} (model ${MODEL_VERSION})\n`;
}

/** The command named, loaded; only its own modules are imported. */
async function findCommand(name: string): Promise<Command> {
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) throw new InputError("command", name, `one of ${COMMANDS.map((x) => x.name).join(", ")} (see tlbrace --help)`);
  return c.load();
}

/** Runs one command line; never throws. Returns the exit status. */
export async function dispatch(argv: readonly string[], ctx: Context): Promise<number> {
  const say = (message: string) => ctx.err.write(`tlbrace: ${cut(ascii(message.replace(/\s*\n\s*/g, " ")), MAX_MESSAGE)}\n`);
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      ctx.err.write(topHelp());
      return EXIT.input;
    }
    if (first === "-h" || first === "--help") return ctx.out(topHelp()), EXIT.ok;
    if (first === "-V" || first === "--version") return ctx.out(version()), EXIT.ok;
    if (first === "help") return ctx.out(rest[0] === undefined ? topHelp() : (await findCommand(rest[0])).help), EXIT.ok;
    if (first.startsWith("-")) throw new InputError("option", first, "--help or --version before a command");
    await (await findCommand(first)).run(rest, ctx);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      say(e.message);
      return EXIT.input;
    }
    if (e instanceof Mismatch) {
      say(e.message);
      return EXIT.differ;
    }
    if (e instanceof Interrupted || ctx.signal.aborted) {
      say("interrupted");
      return EXIT.interrupted;
    }
    const debug = process.env.TLBRACE_DEBUG === "1";
    say(e instanceof Error ? e.message : String(e));
    if (debug && e instanceof Error && e.stack) ctx.err.write(`${e.stack}\n`);
    return EXIT.internal;
  }
}

/** The process entry: wires stdout, stderr and SIGINT to `dispatch`. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  // SIGTERM ends work as Ctrl-C does: children stopped, finished work kept. A second signal kills at once.
  const onSigint = () => controller.abort(new Interrupted());
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigint);
  // A closed pipe (`tlbrace sweep ... | head`) is the reader's choice, not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT.ok);
    throw e;
  });
  const code = await dispatch(argv, {
    out: (text) => void process.stdout.write(text),
    err: process.stderr,
    signal: controller.signal,
  });
  process.removeListener("SIGINT", onSigint);
  process.removeListener("SIGTERM", onSigint);
  // Work that ignores the signal (a study step) would keep the process alive.
  if (code === EXIT.interrupted) process.exit(code);
  process.exitCode = code;
}
