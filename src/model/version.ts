/**
 * The model's version: bumped whenever a change to the protocol, the entry law
 * or the random streams changes the numbers a manifest reproduces.
 */
export const MODEL_VERSION = 1;
