/**
 * The model's version: bumped whenever a change to the protocol, the entry law
 * or the random streams changes the numbers a manifest reproduces, or adds a
 * parameter a manifest must name.
 */
export const MODEL_VERSION = 2;

/**
 * The parameters later models added, each with the value that makes the
 * current model do what the older one did, so that an older manifest re-runs
 * to its own numbers: `since` is the first version whose manifests name it.
 * Version 1 came to name pteRead and lowCollision without a bump; its
 * manifests from before that read the PTE at once, as the model then did.
 */
export const ADDED_PARAMS: readonly { readonly name: string; readonly since: number; readonly older: string | number; readonly why: string }[] = [
  { name: "pteRead", since: 2, older: "atomic", why: "model 1 had no PTE model until it named pteRead" },
  { name: "lowCollision", since: 2, older: 1e-6, why: "its default when model 1 came to name it" },
  { name: "pteRemap", since: 2, older: "after-flush", why: "model 1 mapped B only after the flush" },
  { name: "faultUs", since: 2, older: 0, why: "model 1's fault stored B at once" },
  { name: "pteLoadGapUs", since: 2, older: 0, why: "model 1's PTE loads followed each other at once" },
];

/** The parameters a manifest of model `version` may lack, with the values that reproduce its numbers. */
export function olderModelParams(version: number): Record<string, string | number> {
  return Object.fromEntries(ADDED_PARAMS.filter((a) => a.since > version).map((a) => [a.name, a.older]));
}

/**
 * A manifest as this model reads it: an older model's gets the parameters
 * added since, with the values that do what that model did (a copy; other
 * values are returned as they are).
 */
export function asThisModel(manifest: unknown): unknown {
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) return manifest;
  const m = manifest as { modelVersion?: unknown; params?: unknown };
  const params = m.params;
  if (typeof m.modelVersion !== "number" || typeof params !== "object" || params === null || Array.isArray(params)) return manifest;
  return { ...m, params: { ...olderModelParams(m.modelVersion), ...params } };
}
