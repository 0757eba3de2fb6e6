/** A chart as the notebook sees it: a plain Plotly figure plus `show()`. */
import { inspect } from "node:util";
import type { Figure } from "../charts/figure.js";
import { type Showable, showFigure } from "./show.js";

export class Chart implements Showable {
  /** The Plotly figure: plain data and layout, JSON as it is. */
  readonly figure: Figure;
  readonly description: string;
  constructor(figure: Figure, description: string) {
    this.figure = figure;
    this.description = description;
  }
  text(): string { return `${this.description} (.show() to draw)`; }
  show(): void { showFigure(this.figure, this.text()); }
  toJSON(): Figure { return this.figure; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}
