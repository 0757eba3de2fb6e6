/**
 * Prose from a cell: `tr.markdown(text).show()` renders it as markdown, so
 * it wraps between words in every front end and HTML copy, where text
 * printed with console.log is preformatted and breaks inside words.
 */
import { inspect } from "node:util";
import { InputError } from "../model/errors.js";
import { wrap } from "../text/format.js";
import { markdownHtml } from "../text/markdown-html.js";
import { type Showable } from "./show.js";
import { displayBundle } from "../notebook/display.js";

export class Markdown implements Showable {
  readonly source: string;
  constructor(source: string) {
    if (typeof source !== "string") throw new InputError("markdown", source, "a string of markdown");
    this.source = source;
  }
  /** The paragraphs wrapped to 72 columns: what terminals and diffs see. */
  text(): string {
    return this.source.split(/\n\s*\n/).map((p) => (/^\s*([-*] |\d+\. |#|```|>)/m.test(p) ? p : wrap(p).join("\n"))).join("\n\n");
  }
  show(): void {
    // HTML beside the markdown: an untrusted notebook shows it where it would show text/markdown as plain text.
    if (!displayBundle({ "text/markdown": this.source, "text/html": markdownHtml(this.source), "text/plain": this.text() })) console.log(this.text());
  }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}

/**
 * Characters markdown would read as markup, escaped, for text from data
 * (notes, titles) placed in markdown: `&`, `<` and `>` as entities (not
 * every renderer takes a backslash before them), the rest with a backslash.
 */
export function markdownEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/([\\`*_[\]#|])/g, "\\$1");
}
