#!/usr/bin/env node
// Ctrl-C or SIGTERM while the command is still loading ends it as an
// interrupt (status 130, one line), not as a death by signal.
const early = () => {
  process.stderr.write("tlbrace: interrupted\n");
  process.exit(130);
};
process.once("SIGINT", early);
process.once("SIGTERM", early);
const { main } = await import("../dist/cli/main.js");
process.removeListener("SIGINT", early);
process.removeListener("SIGTERM", early);
await main();
