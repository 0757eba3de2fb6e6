/**
 * A static picture for each figure a notebook shows, made synchronously (a
 * cell's display must be sent before the cell ends) by a worker thread that
 * drives headless Chromium. A figure then shows on renderers that run no
 * JavaScript (GitHub, nbviewer, `jupyter nbconvert --to html` without the
 * scripts), and the notebook file keeps a picture of every chart.
 */
import { createSyncFn } from "synckit";
import type { Figure } from "../charts/figure.js";
import type { ImageOptions } from "../charts/image.js";

type Render = (figure: Figure, options: ImageOptions) => string;

let render: Render | undefined;
let enabled = process.env.TLBRACE_STATIC_IMAGES !== "0";
let failure: string | undefined;

/** Turns the pictures on or off for this kernel (on by default; TLBRACE_STATIC_IMAGES=0 turns them off). */
export function setStaticImages(on: boolean): void {
  enabled = on;
}

function renderer(): Render {
  if (render) return render;
  const fromSource = import.meta.url.endsWith(".ts");
  const worker = new URL(fromSource ? "./image-worker.ts" : "./image-worker.js", import.meta.url);
  render = createSyncFn<Render>(worker, { timeout: 120_000, ...(fromSource ? { tsRunner: "tsx" } : {}) });
  return render;
}

/**
 * The figure as a base64 PNG, or undefined when pictures are off or the
 * browser cannot start (said once, on stderr, with the reason).
 */
export function staticPng(figure: Figure): string | undefined {
  if (!enabled || failure !== undefined) return undefined;
  try {
    return renderer()(figure, { format: "png" });
  } catch (e) {
    failure = (e as Error).message.split("\n")[0] ?? "unknown";
    console.error(`tlbrace: figures are shown without a static picture: ${failure}`);
    return undefined;
  }
}
