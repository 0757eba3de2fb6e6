/**
 * The browser that draws figures into pictures and checks pages in tests:
 * the system's Chromium (Debian's `chromium`), driven by playwright-core,
 * which downloads nothing. The flags keep it offline and quiet.
 */
export const CHROMIUM_PATH: string = process.env.TLBRACE_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS: readonly string[] = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
];
