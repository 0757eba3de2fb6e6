/** The notebook API as a user calls it (outside a kernel, show() prints text). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import * as tr from "../src/index.js";

const emailSafe = (s: string) => {
  for (const line of s.split("\n")) {
    assert.ok(line.length <= 72, `line over 72 columns: ${line}`);
    assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII or tab in: ${line}`);
  }
};

test("a run prints a compact, email-safe text form and a summary table", async () => {
  const r = await tr.run("seed", { episodes: 20_000, seed: 3 });
  const text = inspect(r);
  emailSafe(text);
  assert.match(text, /^seed: /);
  assert.ok(text.split("\n").includes(r.estimate()), "the race line is the estimate's wording");
  assert.match(r.estimate(), /in 20,000 episodes/);
  const s = r.summary();
  assert.deepEqual(s.columnNames(), ["measure", "unit", "mean", "p50", "p90", "p99", "max", "lo95", "hi95"]);
  assert.equal(s.get("mean", 0), r.pRace);
  emailSafe(inspect(s));
});

test("scenarios are chainable and validated; the preset is the seed's configuration", () => {
  const s = tr.scenario("seed");
  assert.equal(s.params.flush, "kvm-pv");
  assert.equal(s.params.tableFree, "rcu");
  const v = s.with({ tableFree: "immediate" }, "seed-immediate");
  assert.equal(v.params.tableFree, "immediate");
  assert.equal(s.params.tableFree, "rcu");
  assert.throws(() => s.with({ memoryPressure: -0.1 }), /memoryPressure: -0.1 is not allowed/);
  emailSafe(inspect(s));
});

test("a sweep has one row per cell, and cell 0 is the run with the same seed", async () => {
  const s = tr.scenario("seed").with({ tableFree: "rcu-skip-sync" });
  const g = await tr.sweep(s.vary({ memoryPressure: [0, 0.5, 1], preemptRate: [0.1, 1] }), { episodes: 4000, seed: 9 });
  const t = g.table();
  assert.equal(t.numRows(), 6);
  assert.deepEqual(t.array("memoryPressure"), [0, 0, 0.5, 0.5, 1, 1]);
  assert.deepEqual(t.array("preemptRate"), [0.1, 1, 0.1, 1, 0.1, 1]);
  // No batch allocation ever fails at pressure 0, so the skip never happens.
  assert.deepEqual(t.array("races").slice(0, 2), [0, 0]);
  const r0 = await tr.run(s.with({ memoryPressure: 0, preemptRate: 0.1 }), { episodes: 4000, seed: 9 });
  assert.equal(g.rows[0]!.pRace, r0.pRace);
  assert.equal(g.rows[0]!.freeDelayUsMean, r0.data.costs.freeDelayUs.mean);
  emailSafe(inspect(g));
});

test("table HTML: text left, numbers right, by inline style (a notebook's style sheet aligns every cell right)", async () => {
  const cells = (html: string) => [...html.matchAll(/<td[^>]*style="([^"]*)"[^>]*>([^<]*)/g)].map((m) => [m[2]!, m[1]!]);
  const align = (style: string) => /text-align:\s*(left|right)/.exec(style)?.[1];
  // The parameter table: names, values ("exp:5" and 0.1 alike) and meanings are text.
  for (const [text, style] of cells(tr.scenario("seed").html())) assert.equal(align(style), "left", `cell "${text}"`);
  // Arquero tables (summaries, sweeps): numbers right, text left.
  const r = await tr.run("seed", { episodes: 2000, seed: 1 });
  const { tableHtml } = await import("../src/api/show.js");
  const summary = cells(tableHtml(r.summary()));
  assert.ok(summary.length > 0);
  for (const [text, style] of summary) {
    if (/^[a-zA-Z]/.test(text)) assert.equal(align(style), "left", `cell "${text}"`);
    else if (/^-?\d/.test(text)) assert.equal(align(style), "right", `cell "${text}"`);
  }
  assert.ok(summary.some(([text]) => /^[a-zA-Z]/.test(text)) && summary.some(([text]) => /^\d/.test(text)));
  // The counterexample: each actor's steps flush left in its own column, a rule between W and U.
  const c = tr.explore(tr.scenario("seed").with({ tableFree: "immediate" })).counterexample("race")!.html();
  const [, wHead, uHead] = [...c.matchAll(/<th style="([^"]*)"/g)].map((m) => m[1]!);
  assert.equal(align(wHead!), "left");
  assert.equal(align(uHead!), "left");
  assert.match(uHead!, /border-left:2px solid/);
  assert.match(c, /<td style="[^"]*text-align:left[^"]*border-left:2px solid[^"]*"><code[^>]*>kvm_<wbr>flush_<wbr>tlb_<wbr>multi/);
  // Kernel names keep their underscores and "->" when they wrap: breaks only after "_", never inside "->".
  const { codeHtml } = await import("../src/text/html.js");
  const code = codeHtml("tlb->freed_tables");
  assert.equal(code.replace(/<[^>]*>/g, ""), "tlb-&gt;freed_tables");
  assert.match(code, /<span style="white-space:nowrap">-&gt;<\/span>/);
});

test("r.estimate(): an interval where races were seen, the bound alone where none was", async () => {
  const none = await tr.run("seed", { episodes: 20_000, seed: 1 });
  assert.equal(none.races, 0);
  assert.equal(none.estimate(), `no race in 20,000 episodes: pRace < ${none.ci95[1].toExponential(2)} (95%)`);
  const some = await tr.run(tr.scenario("seed").with({ tableFree: "immediate" }), { episodes: 20_000, seed: 1 });
  assert.match(some.estimate(), new RegExp(`^pRace 0\\.\\d+ \\[0\\.\\d+, 0\\.\\d+\\] \\(${some.races.toLocaleString("en-US")} races in 20,000 episodes\\)$`));
  // A mail of several runs: the parameter table once, then what differs.
  const text = String(tr.reply(["Opening.", none, some]));
  assert.equal(text.split("parameter       value").length - 1, 1);
  assert.match(text, /Parameters as for seed above, except tableFree immediate\./);
});

test("tr.markdown: prose wrapped for terminals; data escaped so it is not read as markup", () => {
  const m = tr.markdown("word ".repeat(40).trim());
  assert.ok(m.text().split("\n").every((l) => l.length <= 72) && m.text().split("\n").length > 1);
  assert.equal(tr.markdown.escape("pRace < 1e-5 & tlb_remove_table *x* [1]"), "pRace &lt; 1e-5 &amp; tlb\\_remove\\_table \\*x\\* \\[1\\]");
});

test("tr.markdown's HTML: what an untrusted notebook shows, with data escaped and underscores kept", async () => {
  const { markdownHtml } = await import("../src/text/markdown-html.js");
  assert.equal(markdownHtml("Prose *wraps* between **words** and `kvm_flush_tlb_multi`."),
    "<p>Prose <em>wraps</em> between <b>words</b> and <code>kvm_flush_tlb_multi</code>.</p>");
  assert.equal(markdownHtml(`* **seed-immediate**: ${tr.markdown.escape("<script>a_b</script> *x*")}\n* two`),
    "<ul><li><b>seed-immediate</b>: &lt;script&gt;a_b&lt;/script&gt; *x*</li><li>two</li></ul>");
  assert.doesNotMatch(markdownHtml("[x](javascript:alert(1))"), /href/, "only relative, anchor and http(s) links");
});
