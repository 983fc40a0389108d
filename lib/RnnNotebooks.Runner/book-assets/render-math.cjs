// Renders TeX with KaTeX for rnnbook's pages: reads [{"tex": "...", "display": true}, ...] as JSON on stdin and
// writes [{"html": "..."} or {"error": "..."}, ...] on stdout, in the same order. Run by rnnbook at export time,
// so the pages carry finished math (HTML + MathML) and need only katex.min.css and its fonts, no script.
"use strict";
const katex = require("katex");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const items = JSON.parse(input);
  const out = items.map(({ tex, display }) => {
    try {
      return {
        html: katex.renderToString(tex, { displayMode: !!display, throwOnError: true, strict: "ignore", output: "htmlAndMathml" }),
      };
    } catch (e) {
      return { error: String(e && e.message ? e.message : e) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
