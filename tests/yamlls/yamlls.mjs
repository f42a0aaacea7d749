// Drives a real yaml-language-server (the one editors run through the Red Hat YAML extension) over stdio with LSP
// JSON-RPC, for the test suite. One server per process, reused for every request:
//
//   node yamlls.mjs            then one JSON request per line on stdin, one JSON answer per line on stdout:
//     {"id": 1, "method": "configure", "schemas": {"file:///…/x.schema.json": ["*.yaml"]}}   → {"id": 1}
//     {"id": 2, "method": "diagnostics", "documents": [{"uri": "file:///…/a.yaml", "text": "…"}, …]}
//                                                        → {"id": 2, "documents": [{"uri": "…", "diagnostics": [...]}, …]}
//     {"id": 3, "method": "completion", "uri": "…", "text": "…", "line": 0, "character": 9}    → {"id": 3, "items": [...]}
//     {"id": 4, "method": "compile", "path": "/…/x.schema.json"}                               → {"id": 4, "problem": null | "…"}
//       (Ajv's draft 2020-12 validator in strict mode, the one yaml-language-server checks schemas with: unknown
//       keywords, invalid regular expressions and a schema the meta-schema refuses are problems)
//   (an answer holds "error" instead when the request failed)
//
// Each document is opened, asked about and closed again, so the answers never depend on an earlier request; the
// documents of one diagnostics request are open together (the server validates each after a 200 ms pause, so one
// at a time would be slow). Schemas come from `yaml.schemas` (configure) or from the document's own
// `# yaml-language-server: $schema=…` modeline.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";

const require = createRequire(import.meta.url);
const serverBin = path.join(path.dirname(require.resolve("yaml-language-server/package.json")), "bin", "yaml-language-server");
const server = spawn(process.execPath, [serverBin, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
server.on("exit", (code) => {
  process.stderr.write(`yaml-language-server exited with ${code}\n`);
  process.exit(1);
});

let settings = { yaml: { validate: true, completion: true, hover: false, schemas: {}, schemaStore: { enable: false }, format: { enable: false } } };
let nextId = 1;
const pending = new Map(); // request id → resolve
const diagnosticWaiters = new Map(); // document uri → resolve

// LSP framing: "Content-Length: N\r\n\r\n" + N bytes of JSON.
function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}

function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

const notify = (method, params) => send({ method, params });

let buffer = Buffer.alloc(0);
server.stdout.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString("ascii"))[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8"));
    buffer = buffer.subarray(headerEnd + 4 + length);
    receive(message);
  }
});

function receive(message) {
  if (message.method === undefined) {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(message.error.message));
    else waiter?.resolve(message.result);
  } else if (message.method === "textDocument/publishDiagnostics") {
    const waiter = diagnosticWaiters.get(message.params.uri);
    diagnosticWaiters.delete(message.params.uri);
    waiter?.(message.params.diagnostics);
  } else if (message.id !== undefined) {
    // A request from the server: the settings it pulls, or anything else answered with null.
    const result = message.method === "workspace/configuration"
      ? message.params.items.map((item) => (item.section === "yaml" ? settings.yaml : item.section === "[yaml]" ? {} : null))
      : null;
    send({ id: message.id, result });
  }
}

let version = 0;
async function withDocuments(documents, ask) {
  const diagnostics = documents.map(({ uri, text }) => {
    const published = new Promise((resolve) => diagnosticWaiters.set(uri, resolve));
    notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: ++version, text } });
    return published;
  });
  try {
    return await ask(diagnostics);
  } finally {
    for (const { uri } of documents) {
      notify("textDocument/didClose", { textDocument: { uri } });
      diagnosticWaiters.delete(uri);
    }
  }
}

async function handle(command) {
  switch (command.method) {
    case "configure":
      settings = { yaml: { ...settings.yaml, schemas: command.schemas ?? {} } };
      notify("workspace/didChangeConfiguration", { settings });
      return {};
    case "diagnostics":
      return withDocuments(command.documents, async (diagnostics) => ({
        documents: await Promise.all(diagnostics.map(async (published, i) => ({ uri: command.documents[i].uri, diagnostics: await published }))),
      }));
    case "completion":
      return withDocuments([{ uri: command.uri, text: command.text }], async () => {
        const result = await request("textDocument/completion", { textDocument: { uri: command.uri }, position: { line: command.line, character: command.character } });
        return { items: (Array.isArray(result) ? result : result?.items ?? []).map((i) => ({ label: i.label, insertText: i.insertText ?? null, kind: i.kind ?? null })) };
      });
    case "compile": {
      const module = await import("ajv/dist/2020.js");
      const Ajv2020 = module.default.default ?? module.default;
      // strictTypes and strictRequired are Ajv's own style rules (a union type, `required` in an `if`), not validity.
      const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
      try {
        ajv.compile(JSON.parse(readFileSync(command.path, "utf8")));
        return { problem: null };
      } catch (error) {
        return { problem: String(error?.message ?? error) };
      }
    }
    default:
      throw new Error(`unknown method ${command.method}`);
  }
}

await request("initialize", {
  processId: process.pid,
  rootUri: null,
  capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } }, textDocument: { completion: { completionItem: { snippetSupport: false } } } },
  initializationOptions: {},
});
notify("initialized", {});
notify("workspace/didChangeConfiguration", { settings });

// Requests are answered in order, one at a time: a document's diagnostics are waited for before the next is opened.
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim().length === 0) return;
  queue = queue.then(async () => {
    let command;
    try {
      command = JSON.parse(line);
      process.stdout.write(JSON.stringify({ id: command.id, ...(await handle(command)) }) + "\n");
    } catch (error) {
      process.stdout.write(JSON.stringify({ id: command?.id ?? null, error: String(error?.stack ?? error) }) + "\n");
    }
  });
}).on("close", () => queue.then(() => {
  server.removeAllListeners("exit");
  server.kill();
  process.exit(0);
}));
