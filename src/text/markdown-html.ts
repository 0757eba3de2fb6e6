/**
 * The markdown `tr.markdown` shows, as HTML beside it: classic Notebook
 * renders text/markdown only in a trusted notebook and falls back to the
 * plain text in an untrusted one, where sanitised HTML still renders. The
 * subset the notebooks write: headings, paragraphs, bullet and numbered
 * lists, quotes, fenced code, **bold**, *emphasis*, `code`, [links](url),
 * backslash escapes and entities. Data is escaped, never passed through.
 */
import { escapeHtml } from "./html.js";

/** Inline markup of one block's text. */
function inline(text: string): string {
  const codes: string[] = [];
  // Code first (its text stays as it is), escapes next, then the markup.
  let s = text.replace(/`([^`]+)`/g, (_, c: string) => `\u0000${codes.push(`<code>${escapeHtml(c)}</code>`) - 1}\u0000`);
  const escaped: string[] = [];
  s = s.replace(/\\([\\`*_[\]#|<>&])/g, (_, c: string) => `\u0001${escaped.push(escapeHtml(c)) - 1}\u0001`);
  // Entities the source wrote (&lt; &amp;) stay entities; other text is escaped.
  s = escapeHtml(s).replace(/&amp;(lt|gt|amp|quot|#\d+);/g, "&$1;");
  s = s
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
    .replace(/(^|[^\w*])\*(?!\s)(.+?)\*(?!\w)/g, "$1<em>$2</em>")
    .replace(/(^|\W)_(?!\s)(.+?)_(?!\w)/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, t: string, u: string) => (/^(https?:|#|\.{0,2}\/|[\w.-]+(\.ipynb|\.md)?$)/.test(u) ? `<a href="${u}">${t}</a>` : t));
  return s.replace(/\u0001(\d+)\u0001/g, (_, i: string) => escaped[Number(i)]!).replace(/\u0000(\d+)\u0000/g, (_, i: string) => codes[Number(i)]!);
}

export function markdownHtml(source: string): string {
  const out: string[] = [];
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (/^\s*$/.test(line)) { i++; continue; }
    if (/^```/.test(line)) {
      const body: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]!); i++) body.push(lines[i]!);
      i++;
      out.push(`<pre><code>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) { out.push(`<h${h[1]!.length}>${inline(h[2]!)}</h${h[1]!.length}>`); i++; continue; }
    const list = /^\s*([-*]|\d+\.)\s+/.exec(line);
    if (list) {
      const ordered = /\d/.test(list[1]!);
      const items: string[] = [];
      while (i < lines.length && !/^\s*$/.test(lines[i]!)) {
        const m = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(lines[i]!);
        if (m) items.push(m[2]!);
        else items[items.length - 1] += " " + lines[i]!.trim();
        i++;
      }
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>${items.map((t) => `<li>${inline(t)}</li>`).join("")}</${tag}>`);
      continue;
    }
    const block: string[] = [];
    while (i < lines.length && !/^\s*$/.test(lines[i]!) && !/^(```|#{1,6}\s|\s*([-*]|\d+\.)\s)/.test(lines[i]!)) block.push(lines[i++]!);
    const quote = block.every((l) => /^>/.test(l));
    const text = inline(block.map((l) => l.replace(/^>\s?/, "").trim()).join(" "));
    out.push(quote ? `<blockquote><p>${text}</p></blockquote>` : `<p>${text}</p>`);
  }
  return out.join("\n");
}
