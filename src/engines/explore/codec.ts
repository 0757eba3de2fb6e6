/**
 * States as numbers: each field's value is its index in the field's declared
 * domain (stateDomains in the model), and the fields are digits of one
 * mixed-radix number. A number is a cheap key for the visited set, and a
 * state outside the declared domains is a model error caught at once.
 */
import { type Model, type State, stateDomains } from "../../model/protocol.js";

export interface Codec {
  encode(s: State): number;
  decode(code: number): State;
}

export function codec(model: Pick<Model, "variables">, maxPreemptions: number): Codec {
  const domains = stateDomains(model, maxPreemptions);
  const fields = Object.keys(domains);
  const values = fields.map((f) => domains[f] as readonly unknown[]);
  const index = values.map((vs) => new Map(vs.map((v, i) => [v, i])));
  const size = values.reduce((n, vs) => n * vs.length, 1);
  if (!Number.isSafeInteger(size)) throw new Error(`state codes need ${size} values: more than a double holds exactly`);
  return {
    encode(s) {
      let code = 0;
      for (let k = 0; k < fields.length; k++) {
        const i = index[k]!.get(s[fields[k]!]);
        if (i === undefined) throw new Error(`state field ${fields[k]} = ${JSON.stringify(s[fields[k]!])} is outside its declared domain`);
        code = code * values[k]!.length + i;
      }
      return code;
    },
    decode(code) {
      const digits: number[] = new Array(fields.length);
      for (let k = fields.length - 1; k >= 0; k--) {
        const n = values[k]!.length;
        digits[k] = code % n;
        code = Math.floor(code / n);
      }
      const s = {} as Record<string, unknown>;
      for (let k = 0; k < fields.length; k++) s[fields[k]!] = values[k]![digits[k]!];
      return s as State;
    },
  };
}
