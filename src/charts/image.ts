/**
 * Figures as pictures (PNG or SVG), drawn by plotly.js itself in headless
 * Chromium, offline: one browser page holds plotly.js and draws each figure
 * with Plotly.toImage, so a picture matches what the notebook shows. Starting
 * the browser and loading plotly.js into it is most of the cost of a first
 * picture; a kept ImageRenderer pays it once.
 */
// Loaded on the first render: importing playwright-core costs most of a second of CPU.
import type { Browser, Page } from "playwright-core";
import { InputError } from "../model/errors.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.js";
import type { Figure } from "./figure.js";
import { checkTraceTypes, plotlyJs } from "./plotlyjs.js";

export type ImageFormat = "png" | "svg";

export interface ImageOptions {
  readonly format: ImageFormat;
  /** CSS pixels; default the figure's layout width, else 800. */
  readonly width?: number;
  /** CSS pixels; default the figure's layout height, else 500. */
  readonly height?: number;
  /** Device pixels per CSS pixel for PNG (default 1). */
  readonly scale?: number;
  /**
   * PNG with a palette of at most 256 colours (libimagequant, through sharp):
   * a chart's flat colours and anti-aliased edges lose nothing visible, and
   * the file is a third of the size. For pictures stored in notebooks.
   */
  readonly palette?: boolean;
}

export const IMAGE_FORMATS: readonly ImageFormat[] = ["png", "svg"];

export function checkImageOptions(o: ImageOptions): ImageOptions & { scale: number } {
  if (!IMAGE_FORMATS.includes(o.format)) throw new InputError("format", o.format, IMAGE_FORMATS.join(" or "));
  for (const k of ["width", "height"] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 50 && v <= 8000)) throw new InputError(k, v, "a whole number of pixels from 50 to 8000");
  }
  const scale = o.scale ?? 1;
  if (!(typeof scale === "number" && scale > 0 && scale <= 8)) throw new InputError("scale", o.scale, "a number above 0, at most 8");
  return { ...o, scale };
}

/** A page with plotly.js loaded, kept for the next figure. */
export class ImageRenderer {
  #browser: Browser | undefined;
  #page: Page | undefined;

  async #ready(): Promise<Page> {
    if (this.#page) return this.#page;
    try {
      const { chromium } = await import("playwright-core");
      this.#browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
    } catch (e) {
      throw new Error(`cannot start Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set TLBRACE_CHROMIUM): ${(e as Error).message.split("\n")[0]}`);
    }
    const page = await this.#browser.newPage();
    await page.route(/^https?:/, (route) => route.abort());
    await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>`);
    await page.addScriptTag({ content: plotlyJs().js });
    this.#page = page;
    return page;
  }

  /** PNG bytes or SVG text. */
  async render(figure: Figure, options: ImageOptions): Promise<Uint8Array | string> {
    const o = checkImageOptions(options);
    checkTraceTypes(figure);
    const page = await this.#ready();
    const layout = figure.layout as { width?: number; height?: number };
    const size = { width: o.width ?? layout.width ?? 800, height: o.height ?? layout.height ?? 500 };
    const fig = { data: figure.data, layout: figure.layout, config: { staticPlot: true } };
    const url = (await page.evaluate(`Plotly.toImage(${JSON.stringify(fig)}, ${JSON.stringify({ format: o.format, ...size, scale: o.scale })})`)) as string;
    if (o.format === "png") {
      const png = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
      if (!o.palette) return new Uint8Array(png);
      // Loaded on first use: libvips is large, and the CLI never needs it.
      const { default: sharp } = await import("sharp");
      return new Uint8Array(await sharp(png).png({ palette: true, compressionLevel: 9 }).toBuffer());
    }
    const body = url.slice(url.indexOf(",") + 1);
    return url.slice(0, url.indexOf(",")).endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
  }

  async close(): Promise<void> {
    const b = this.#browser;
    this.#browser = undefined;
    this.#page = undefined;
    await b?.close();
  }
}

/** One figure to a picture, with a browser of its own. */
export async function renderFigure(figure: Figure, options: ImageOptions): Promise<Uint8Array | string> {
  const r = new ImageRenderer();
  try {
    return await r.render(figure, options);
  } finally {
    await r.close();
  }
}
