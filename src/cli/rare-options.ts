/** `--rare`, `--rel-error` and `--max-episodes`, as run, sweep, matrix and study read them. */
import { checkRareOptions, type RareOptions, RARE_DEFAULTS } from "../engines/rare/estimate.js";
import { InputError } from "../model/errors.js";
import { decimal, EPISODES_ALLOWED, UsageError, wholeNumber } from "./args.js";

export const RARE_OPTIONS = {
  rare: { type: "boolean" },
  "rel-error": { type: "string" },
  "max-episodes": { type: "string" },
} as const;

export const RARE_HELP = `  --rare                 estimate each pRace to --rel-error with the
                         rare-event estimator, or settle it exactly
                         (the explorer, the exact solver)
  --rel-error X          with --rare: the relative half-width of the
                         95% interval to reach (default ${RARE_DEFAULTS.relError})
  --max-episodes N       with --rare: the most episodes one estimate
                         may spend (default ${RARE_DEFAULTS.maxEpisodes})`;

interface RareValues { readonly rare?: boolean; readonly "rel-error"?: string; readonly "max-episodes"?: string }

/** The estimator's options from the flags, checked before any work; undefined without --rare. */
export function rareOptionsOf(values: RareValues, seed: number): RareOptions | undefined {
  if (!values.rare) {
    for (const flag of ["rel-error", "max-episodes"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag}: only with --rare`);
    return undefined;
  }
  const flags = { relError: "rel-error", maxEpisodes: "max-episodes" } as const;
  try {
    return checkRareOptions({
      seed,
      ...(values["rel-error"] !== undefined && { relError: decimal("rel-error", values["rel-error"], "a number between 0 and 1, such as 0.1 for 10%") }),
      ...(values["max-episodes"] !== undefined && { maxEpisodes: wholeNumber("max-episodes", values["max-episodes"], EPISODES_ALLOWED) }),
    });
  } catch (e) {
    // The estimator names its options as the notebook writes them; name the flags.
    if (e instanceof InputError && e.field in flags) throw new InputError(flags[e.field as keyof typeof flags], values[flags[e.field as keyof typeof flags]], e.allowed);
    throw e;
  }
}
