/**
 * The models a scenario runs, as every engine reads them: the
 * page-table-free protocol (race, corrupt, costs) and the PTE model (torn).
 * Each is a protocol file, data/protocols/ put together for the scenario's
 * choices (flush, tableFree, pteRead, pteRemap), or the protocol a user gave
 * (`--protocol FILE`, tr.protocol), carried in the parameters so that
 * workers and re-runs read the same one. Built once per process and choice.
 */
import { buildManyModel, buildModel } from "../protocol/build.js";
import type { ManyModel } from "./population.js";
import { protocolSchema, type ProtocolDoc } from "../protocol/format.js";
import { builtinDoc } from "../protocol/library.js";
import { InputError } from "./errors.js";
import type { Params } from "./params.js";
import type { Model, ModelName } from "./state.js";

export {
  type Actor, canFire, copyState, type Delay, type Effect, flag, initialState, ipisOf, type Model, type ModelName,
  outsideDomain, settledTooEarly, type State, stateDomains, type Step, type Value, type Variable, type WindowPhase,
} from "./state.js";
export { RESUME_STEP } from "../protocol/build.js";

const models = new Map<string, Model>();
/** A custom protocol's model is kept by its text; a sweep of many reads few. */
const KEPT = 64;

/** The protocol document of `model` for `p`: the user's, or the built-in one for p's choices. */
export function protocolDoc(p: Params, model: ModelName): ProtocolDoc {
  if (p.protocol?.model === model) {
    const r = protocolSchema.safeParse(p.protocol.doc);
    if (!r.success) throw new InputError(`protocol ${p.protocol.name}`, r.error.issues[0]!.path.join("."), "a protocol in the format of docs/formats/protocol.schema.json");
    return r.data as ProtocolDoc;
  }
  return builtinDoc(p, model);
}

/** What a model is a function of: the user's protocol, or the choices that name the built-in one. */
export function modelKey(p: Params, model: ModelName): string {
  if (p.protocol?.model === model) return `custom|${model}|${JSON.stringify(p.protocol.doc)}`;
  return model === "pte" ? `pte|${p.flush}|${p.pteRead}|${p.pteRemap}` : `table-free|${p.flush}|${p.tableFree}`;
}

export function modelOf(p: Params, model: ModelName): Model {
  const key = modelKey(p, model);
  let m = models.get(key);
  if (!m) {
    m = buildModel(protocolDoc(p, model));
    if (models.size >= KEPT) models.delete(models.keys().next().value!);
    models.set(key, m);
  }
  return m;
}

/** The page-table-free protocol of `p`: race, corrupt and the costs. */
export const tableFreeModel = (p: Params): Model => modelOf(p, "table-free");
/** The PTE model of `p`: the torn read. */
export const pteModel = (p: Params): Model => modelOf(p, "pte");

const manyModels = new Map<string, ManyModel>();

/** The page-table-free protocol of `p` over many vCPUs (population.ts): `p.cpus` and `p.walkers` say how many. */
export function manyModelOf(p: Params): ManyModel {
  const key = modelKey(p, "table-free");
  let m = manyModels.get(key);
  if (!m) {
    m = buildManyModel(protocolDoc(p, "table-free"));
    if (manyModels.size >= KEPT) manyModels.delete(manyModels.keys().next().value!);
    manyModels.set(key, m);
  }
  return m;
}
