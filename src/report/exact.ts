/**
 * Exact results as plain text for a mailing-list reply (ASCII, no tabs, at
 * most 72 columns): the parameters and where each comes from, the two
 * probabilities, the expected costs, the chain's size and residual, and the
 * command that solves it again.
 */
import type { ExactResult } from "../engines/exact/index.js";
import type { SensitivityData } from "../engines/exact/sensitivity.js";
import { fmtElasticity } from "../charts/tornado.js";
import { COSTS } from "../engines/montecarlo/run.js";
import { formatParams, PARAM_SPECS } from "../model/params.js";
import type { Scenario } from "../model/scenario.js";
import { ascii, columns, fit, fmtNumber, fmtP, fmtQuantity, textTable, WIDTH, wrap } from "../text/format.js";
import { commandLine } from "../text/shell.js";
import { COST_LABELS, paramOrigins } from "./reply.js";
import { presetSets } from "./rerun-command.js";
import { measuredLines } from "./measured.js";

/** `tlbrace exact PRESET --set ...` for the scenario, or undefined when a parameter has no command-line form. */
export function exactRerunWords(s: Scenario, r: ExactResult, sens?: SensitivityData): string[] | undefined {
  const base = s.preset ?? "seed";
  // Measured inputs go with the manifest: no command line carries where they came from.
  const sets = s.measured ? undefined : presetSets(base, s.params);
  if (!sets) return undefined;
  return ["tlbrace", "exact", base, ...sets, ...(r.approximated.length ? ["--approximate"] : []), ...(sens ? ["--sensitivity"] : [])];
}

/** `tlbrace run PRESET --set ... --rare`: the estimate that checks an exponential approximation, on the delays as given. */
export function rareCheckWords(s: Scenario): string[] | undefined {
  const base = s.preset ?? "seed";
  const sets = presetSets(base, s.params);
  return sets ? ["tlbrace", "run", base, ...sets, "--rare"] : undefined;
}

/** Why an approximated solve is not to be trusted as it stands; undefined when nothing was approximated. */
export function approximationNote(s: Scenario, r: ExactResult): { readonly text: string; readonly check?: readonly string[] } | undefined {
  if (r.approximated.length === 0) return undefined;
  const check = rareCheckWords(s);
  const text = `WARNING: ${r.approximated.map((a) => `${a.param} ${a.given}`).join(", ")} solved as the exponential of the same mean. ` +
    "Where the race depends on a delay's tail this can be off by orders of magnitude, in either direction. " +
    (check ? "The rare-event estimator takes the delays as given; check with:" : "The rare-event estimator (tr.run(s, { rare: true })) takes the delays as given.");
  return check ? { text, check } : { text };
}

/** The note as reply lines. */
export function approximationWarning(s: Scenario, r: ExactResult): string[] {
  const note = approximationNote(s, r);
  return note ? [...wrap(note.text), ...(note.check ? commandLine(note.check) : [])] : [];
}

export function exactReply(s: Scenario, r: ExactResult, sens?: SensitivityData): string {
  const values = formatParams(r.params), given = formatParams(s.params), origins = paramOrigins(s);
  const from = (n: keyof typeof values) => (values[n] !== given[n] ? "approx." : origins[n]!);
  const params = PARAM_SPECS.map(({ name, unit }) => [name, fit(String(values[name]), 30), unit, from(name)]);
  const m = r.manifest;
  const words = exactRerunWords(s, r, sens);
  const lines = [
    ...wrap(`${s.name}: ${s.title}`, WIDTH, "  "),
    "",
    ...columns([["parameter", "value", "unit", "from"], ...params]),
    "(from: set = changed, preset = the scenario's, default = the model's,",
    `approx. = the exponential of the same mean, --approximate${s.measured ? "," : ")"}`,
    ...(s.measured ? ["measured = this profile's)"] : []),
    ...(m.measured ? ["", ...measuredLines(m.measured)] : []),
    "",
    ...approximationWarning(s, r),
    ...(r.approximated.length ? [""] : []),
    ...wrap(`Exact, per walk overlapping one unmap: a continuous-time Markov chain of ${r.states} states ` +
      `and ${r.transitions} transitions, largest relative residual ${r.residual.toExponential(1)}.`),
    ...columns([["outcome", "p"], ["race", fmtP(r.pRace)], ["corrupt", fmtP(r.pCorrupt)],
      ...(r.pTorn === undefined ? [] : [["torn", fmtP(r.pTorn)]])], [false, true]),
    "(race: the walker read the page after its free; corrupt: after its",
    "reuse.)",
    ...(r.tornChain ? wrap(`(torn: from the PTE model's own chain of ${r.tornChain.states} states and ` +
      `${r.tornChain.transitions} transitions, residual ${r.tornChain.residual.toExponential(1)}.)`) : []),
    "",
    ...columns([["expected cost per episode", "mean"], ...COSTS.map((k) => [COST_LABELS[k], fmtQuantity(r.costs[k])])], [false, true]),
    ...(sens ? ["", sensitivityText(sens)] : []),
    "",
    `engine ${m.engine}, model ${m.modelVersion}, tlbrace ${m.version}`,
    ...(words ? ["re-run with:", ...commandLine(words)] : [s.measured ? "(measured inputs: the manifest holds them; tlbrace rerun FILE)"
      : s.params.protocol ? `(protocol ${s.params.protocol.name}: the manifest holds it whole; tlbrace rerun FILE)`
      : "(an empirical delay has no command-line form; the manifest holds it)"]),
  ];
  return ascii(lines.join("\n")) + "\n";
}

/** The elasticities as plain text. */
export function sensitivityText(d: SensitivityData): string {
  const f = fmtNumber(d.factor);
  const rows = d.rows.map((r) => [r.param, fmtNumber(r.value), fmtElasticity(r.elasticity, 3), fmtP(r.pRaceLow), fmtP(r.pRaceHigh)]);
  const notes = d.rows.filter((r) => r.note).map((r) => `${r.param}: ${r.note}`);
  return ascii([
    ...wrap(`Sensitivity of pRace = ${fmtP(d.pRace)} (${d.scenario}) to each parameter x:`),
    ...wrap(`elasticity = d ln pRace / d ln x (central difference, ln x +- ${d.step});`),
    ...wrap(`then pRace with x divided and multiplied by ${f}.`),
    textTable(["parameter", "x", "elasticity", `pRace x/${f}`, `pRace x*${f}`], rows),
    ...(notes.length ? wrap(`(${notes.join("; ")})`) : []),
  ].join("\n"));
}
