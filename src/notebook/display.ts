// The notebook glue's one module: rich output under the tslab kernel
// (kernel.ts) and offline Plotly figures (plotly.ts). Everything here is a
// no-op outside a kernel, so the CLI and plain Node can import it freely.
export { displayBundle, frontendSession, inKernel, newDisplayId, onInterrupt } from "./kernel.js";
export type { DisplayOptions, MimeBundle, MimeData } from "./kernel.js";
export { displayFigure, figureBundle, figureJson, figureText, plotlyHtml, plotlyScript } from "./plotly.js";
export type { FigureDisplayOptions, PlotlyFigure, PlotlyHtmlOptions, StaticImage } from "./plotly.js";
