/**
 * The worker behind staticImage(): keeps one Chromium page with plotly.js
 * for the life of the kernel, so each figure costs one Plotly.toImage.
 */
import { runAsWorker } from "synckit";
import type { Figure } from "../charts/figure.js";
import { ImageRenderer, type ImageOptions } from "../charts/image.js";

const renderer = new ImageRenderer();

runAsWorker(async (figure: Figure, options: ImageOptions): Promise<string> => {
  const out = await renderer.render(figure, options);
  return typeof out === "string" ? out : Buffer.from(out).toString("base64");
});
