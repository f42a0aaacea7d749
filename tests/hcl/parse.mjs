// Parses HCL with the real HCL parser (@cdktf/hcl2json, a WebAssembly build of hcl2json) and prints ONE JSON object:
//   { "<name>": { "json": <parsed body> } | { "error": "<parser message>" }, ... }
// Starting the WebAssembly module is the slow part, so callers batch many inputs into one process.
//
// Inputs, either:
//   node parse.mjs FILE...                  each FILE is read from disk and keyed by the path as given
//   node parse.mjs < inputs.json            a JSON array whose items are a path string, or {"name": "...", "text": "..."}
//                                           for HCL passed inline (keyed by name)
import { readFileSync } from "node:fs";
import hcl2json from "@cdktf/hcl2json";

function readInputs() {
  const args = process.argv.slice(2);
  if (args.length > 0) return args;
  const stdin = readFileSync(0, "utf8");
  const list = JSON.parse(stdin);
  if (!Array.isArray(list)) throw new Error("stdin must hold a JSON array of paths or {name, text} objects");
  return list;
}

async function parseOne(item) {
  const name = typeof item === "string" ? item : item.name;
  try {
    const text = typeof item === "string" ? readFileSync(item, "utf8") : item.text;
    return [name, { json: await hcl2json.parse(name, text) }];
  } catch (error) {
    return [name, { error: error instanceof Error ? error.message : String(error) }];
  }
}

const results = {};
// Sequential on purpose: the Go WebAssembly bridge is single-threaded and parses are fast once it is loaded.
for (const item of readInputs()) {
  const [name, result] = await parseOne(item);
  results[name] = result;
}
// The Go runtime inside the WebAssembly module keeps the event loop alive, so exit explicitly — but only once the
// output is flushed: on a pipe, stdout writes are asynchronous and an early exit truncates them.
process.stdout.write(JSON.stringify(results), () => process.exit(0));
