/**
 * A chart is a plain Plotly figure: data and layout as JSON values, nothing
 * else. Plain data can be snapshot-tested, saved, sent to a notebook frontend
 * or inlined in a report unchanged; the types keep functions, Dates and
 * undefined out.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** One Plotly trace: `type` plus the trace's attributes. */
export type Trace = JsonObject;

/** What `Plotly.newPlot(el, figure.data, figure.layout)` takes. */
export interface Figure {
  data: Trace[];
  layout: JsonObject;
}

/** JSON has no NaN or Infinity; Plotly reads null as "no value". */
export function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
