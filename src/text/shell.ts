/** Command lines as text a POSIX shell reads back, wrapped for email. */
import { WIDTH } from "./format.js";

/** A word as a POSIX shell reads it back. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A command line wrapped with backslash continuations, so it can be pasted back into a shell. */
export function commandLine(words: readonly string[], indent = "  ", width = WIDTH): string[] {
  const lines: string[] = [];
  let line = indent;
  // An option and its value stay on one line.
  const units: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = shellWord(words[i]!), next = words[i + 1];
    if (w.startsWith("--") && next !== undefined && !next.startsWith("-")) units.push(`${w} ${shellWord(next)}`), i++;
    else units.push(w);
  }
  for (const w of units) {
    if (line.trim() && (line + " " + w + " \\").length > width) {
      lines.push(line + " \\");
      line = indent + "    " + w;
    } else {
      line = line.trim() ? `${line} ${w}` : indent + w;
    }
  }
  lines.push(line);
  return lines;
}
