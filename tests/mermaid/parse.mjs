// Parse Mermaid blocks with the real mermaid package: stdin is a JSON list of [name, text];
// prints one line per block ("ok NAME" or "FAIL NAME: reason") and exits 1 if any failed.
// mermaid's parser sanitizes labels with DOMPurify, which needs a DOM: jsdom gives it one.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let input = "";
for await (const chunk of process.stdin) input += chunk;
let failed = 0;
for (const [name, text] of JSON.parse(input)) {
  try {
    await mermaid.parse(text);
    console.log(`ok ${name}`);
  } catch (error) {
    failed += 1;
    const reason = String(error?.message ?? error).split("\n").slice(0, 4).join(" | ");
    console.log(`FAIL ${name}: ${reason}`);
  }
}
process.exit(failed ? 1 : 0);
