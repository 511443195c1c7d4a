/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built assets are served by the Django app from /static/dashboard/ (whitenoise; see
// saleor_lifecycle/saleor_app/dashboard.py, which rewrites this prefix when STATIC_URL
// differs). `npm run dev` serves the pages at http://localhost:5173/app/ instead.
export default defineConfig(({ command }) => ({
  base: command === "build" ? "/static/dashboard/" : "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 900,
  },
  server: {
    // `npm run dev` against a running `make demo`
    proxy: { "/graphql/": "http://127.0.0.1:8000" },
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
}));
