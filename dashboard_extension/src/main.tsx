import "@saleor/macaw-ui/style";
import "./styles.css";

import { ThemeProvider } from "@saleor/macaw-ui";
import { StrictMode, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./app/App";
import { readConfig } from "./app/config";
import { createFetcher } from "./app/graphql";
import { AppContext } from "./app/hooks";
import { RouterContext, useLocationRoute } from "./app/router";
import { startSession } from "./app/session";

const config = readConfig();
const session = startSession();
const fetcher = createFetcher(config.graphqlUrl, () => session.getToken());

function Root() {
  const [tokenVersion, setTokenVersion] = useState(0);
  useEffect(() => session.onToken(() => setTokenVersion((n) => n + 1)), []);
  const router = useLocationRoute(config.appBase, (path) => session.updateRoute(path));
  const app = useMemo(() => ({ session, fetcher, tokenVersion }), [tokenVersion]);
  return (
    <AppContext.Provider value={app}>
      <RouterContext.Provider value={router}>
        <App />
      </RouterContext.Provider>
    </AppContext.Provider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ThemeProvider defaultTheme="defaultLight">
      <Root />
    </ThemeProvider>
  </StrictMode>,
);
