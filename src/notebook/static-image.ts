/**
 * Pictures of figures inside a kernel, made synchronously (a cell's display
 * must be sent before the cell ends) by a worker thread that keeps one
 * headless Chromium page with plotly.js for the life of the kernel. Each
 * figure a notebook shows gets a static PNG from it, so it shows on renderers
 * that run no JavaScript (GitHub, nbviewer, `jupyter nbconvert --to html`
 * without the scripts); tr.save draws its PNG and SVG files with it too, so
 * only the first picture of a kernel pays for starting the browser.
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

/** A picture drawn by the kept page: PNG bytes or SVG text. Errors are the renderer's. */
export function renderKept(figure: Figure, options: ImageOptions): Uint8Array | string {
  const out = renderer()(figure, options);
  return options.format === "png" ? new Uint8Array(Buffer.from(out, "base64")) : out;
}

/**
 * The figure as a base64 PNG with a palette (small in the notebook file), or
 * undefined when pictures are off or the browser cannot start (said once, on
 * stderr, with the reason).
 */
export function staticPng(figure: Figure): string | undefined {
  if (!enabled || failure !== undefined) return undefined;
  try {
    return renderer()(figure, { format: "png", palette: true });
  } catch (e) {
    failure = (e as Error).message.split("\n")[0] ?? "unknown";
    console.error(`tlbrace: figures are shown without a static picture: ${failure}`);
    return undefined;
  }
}
