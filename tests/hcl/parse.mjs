// Reads a JSON array of file paths on stdin; prints {"<path>": {"json": <parsed>} | {"error": "<message>"}}.
import { parse } from "@cdktf/hcl2json";
import { readFileSync } from "node:fs";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const paths = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const out = {};
for (const path of paths) {
  try {
    out[path] = { json: await parse(path, readFileSync(path, "utf8")) };
  } catch (error) {
    out[path] = { error: String(error && error.message ? error.message : error) };
  }
}
process.stdout.write(JSON.stringify(out));
