import { defineConfig } from "vite";

// The server serves the built files under /ui/ (src/api/ui_assets.h); hashed names go to
// assets/, which the server caches as immutable. `npm run dev` proxies the API to a local server.
export default defineConfig({
  base: "/ui/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      "/api": process.env.NIGHTSHIFT_SERVER ?? "http://127.0.0.1:8080",
      "/v1": process.env.NIGHTSHIFT_SERVER ?? "http://127.0.0.1:8080",
    },
  },
});
