/**
 * The torn PTE read of MODEL.md: the PTE model is data/protocols/pte.yaml
 * (its header says what it models and what not), put together with the way
 * W loads the PTE (pte-read/), the flush mechanism (flush/) and when the
 * fault maps B (pte-remap/). What stays here is the question whether a
 * scenario can tear at all.
 */
import type { Params } from "./params.js";

/** Whether the PTE can be read torn at all: only when it is loaded in halves. */
export const canTear = (p: Pick<Params, "pteRead">): boolean => p.pteRead === "low-high";
