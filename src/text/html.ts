/** Putting text and data into HTML without letting them become markup. */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Text that may sit inside <script> without ending it early. */
export function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/**
 * JSON inside a <script>: `<` escaped so that no "</script>" or "<!--" in a
 * string can end the script early; U+2028/2029 for old parsers.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Paragraphs from text with blank lines between them. */
export function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join("\n");
}

/**
 * A kernel name as inline code that may wrap in a narrow column without
 * losing its underscores (a wrapped line's box paints over the one above
 * when the line height is tight): breaks allowed after "_" and ".", never
 * inside "->", and the code's own line height.
 */
export function codeHtml(name: string): string {
  const parts = name.split("->").map((p) => escapeHtml(p).replace(/([_.])/g, "$1<wbr>"));
  return `<code style="display:inline-block;line-height:1.5;white-space:normal;word-break:normal">` +
    `${parts.join('<span style="white-space:nowrap">-&gt;</span>')}</code>`;
}
