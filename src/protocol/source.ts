/**
 * A protocol file's text as plain data plus where each value sits in it, so
 * that every error can name file:line:column. YAML and JSON are read by one
 * parser (JSON is YAML), which keeps the position of every node.
 */
import { isScalar, LineCounter, parseDocument, Scalar } from "yaml";
import { InputError } from "../model/errors.js";

export type Path = readonly (string | number)[];

export interface Source {
  /** The name errors use: the file's path as given, or what the caller named the text. */
  readonly file: string;
  readonly text: string;
  readonly value: unknown;
  /** "file:line:col" of the value at `path`, at `offset` characters into it when it is a string. */
  where(path: Path, offset?: number): string;
}

/** An error in a protocol file: the place, what is wrong and what is allowed, on one line. */
export class ProtocolError extends InputError {
  constructor(where: string, context: string, found: string, allowed: string) {
    super(`${where}: ${context}`, found, allowed);
    this.name = "ProtocolError";
    // InputError quotes a string value; a found thing here is already worded.
    this.message = `${where}: ${context}: ${found} is not allowed; expected ${allowed}`;
  }
}

export function readSource(text: string, file: string): Source {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ProtocolError(pos(e.pos[0]), "syntax", JSON.stringify(e.code.toLowerCase().replace(/_/g, " ")),
      `YAML or JSON (${e.message.split("\n")[0]!.slice(0, 80)})`);
  }
  const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
  return {
    file, text, value,
    where(path, offset = 0) {
      let node = doc.getIn(path, true) as unknown;
      // A path into a value the document lacks: name the nearest node that exists.
      for (let n = path.length; node === undefined && n > 0; n--) node = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (!range) return pos(0);
      if (!isScalar(node) || typeof (node as Scalar).value !== "string") return pos(range[0]);
      return pos(range[0] + stringOffset(text.slice(range[0], range[1]), (node as Scalar).value as string, (node as Scalar).type, offset));
    },
  };
}

/**
 * Where character `offset` of a string's value is in its source text. Exact
 * for plain and quoted scalars without escapes and for block scalars (line by
 * line); otherwise the start of the value.
 */
function stringOffset(raw: string, value: string, type: Scalar["type"], offset: number): number {
  const lead = type === "QUOTE_DOUBLE" || type === "QUOTE_SINGLE" ? 1 : 0;
  if (raw.slice(lead, lead + value.length) === value) return lead + offset;
  const valueLines = value.split("\n");
  let from = 0, seen = 0;
  for (const line of valueLines) {
    const at = raw.indexOf(line, from);
    if (at < 0) return 0;
    if (offset <= seen + line.length) return at + (offset - seen);
    seen += line.length + 1;
    from = at + line.length;
  }
  return 0;
}
