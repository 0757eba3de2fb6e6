/** fast-check arbitraries for the model's parameters, shared by the property tests. */
import fc from "fast-check";
import { FLUSH_MECHANISMS, TABLE_FREE_MODES } from "../src/model/params.js";

export const time = (max: number) => fc.double({ min: 0, max, noNaN: true });
export const delay = (max: number) =>
  fc.oneof(
    time(max),
    time(max).filter((m) => m > 0).map((m) => `exp:${m}`),
    fc.tuple(time(max), time(max)).map(([a, b]) => `uniform:${Math.min(a, b)}:${Math.max(a, b)}`),
    fc.tuple(time(max).filter((m) => m > 0), fc.double({ min: 0, max: 1.5, noNaN: true })).map(([m, s]) => `lognormal:${m}:${s}`),
    fc.array(time(max), { minLength: 1, maxLength: 5 }).map((samples) => ({ kind: "empirical", samples })),
  );

export const params = fc.record({
  flush: fc.constantFrom(...FLUSH_MECHANISMS),
  tableFree: fc.constantFrom(...TABLE_FREE_MODES),
  walkUs: delay(50).filter((d) => d !== 0 && !(typeof d === "object" && d.samples.every((x) => x === 0)) && !/^uniform:0:0$/.test(String(d)) && !/^0(\.0+)?$/.test(String(d))),
  preemptRate: fc.double({ min: 0, max: 10, noNaN: true }),
  preemptUs: delay(5000),
  flushUs: delay(20),
  ipiUs: delay(20),
  memoryPressure: fc.double({ min: 0, max: 1, noNaN: true }),
  gracePeriodUs: delay(20000),
  reuseUs: delay(200),
});

