/**
 * Who the pages act for, and with which token.
 *
 * - **dashboard**: inside the Saleor dashboard's iframe. AppBridge's handshake brings the
 *   dashboard token (a Saleor JWT of type "thirdparty" for this app); token refreshes
 *   replace it.
 * - **standalone**: opened directly with `#standalone-token=<jwt>` (what `make demo`
 *   prints, minted by the fake Saleor). The token is kept for this tab only
 *   (sessionStorage) and removed from the address bar.
 * - **none**: neither; the page says how to open it.
 */

import { AppBridge, actions } from "@saleor/app-sdk/app-bridge";

export const STANDALONE_HASH_KEY = "standalone-token";
const STORAGE_KEY = "lifecycle.standalone-token";

export type SessionKind = "dashboard" | "standalone" | "none";

export interface Session {
  kind: SessionKind;
  /** the bearer token for the app's GraphQL API, once known */
  getToken(): string | undefined;
  /** called when the token arrives or changes */
  onToken(listener: (token: string) => void): () => void;
  /** the dashboard's bridge (dashboard sessions only) */
  appBridge?: AppBridge;
  /** tell the dashboard the app's route changed (no-op elsewhere) */
  updateRoute(path: string): void;
  /** open a dashboard page, e.g. "/customers/<id>" (no-op outside the dashboard) */
  openInDashboard(path: string): void;
  /** in the dashboard, the dashboard's address of one of this app's pages ("customers/1") */
  dashboardPathOf(appPath: string): string | undefined;
  /** a toast in the dashboard; outside, the caller shows its own message */
  notify(status: "success" | "error" | "info", title: string, text?: string): boolean;
}

/** `#standalone-token=…&other=1` → the token, or undefined. */
export function tokenFromHash(hash: string): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const token = params.get(STANDALONE_HASH_KEY)?.trim();
  return token ? token : undefined;
}

function isInIframe(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    return true; // a cross-origin parent: certainly framed
  }
}

function listeners() {
  const set = new Set<(token: string) => void>();
  return {
    add(listener: (token: string) => void) {
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(token: string) {
      set.forEach((listener) => listener(token));
    },
  };
}

function dashboardSession(): Session {
  const appBridge = new AppBridge({ autoNotifyReady: true });
  const tokenListeners = listeners();
  let token = appBridge.getState().token;
  const accept = (next: string | undefined) => {
    if (next && next !== token) {
      token = next;
      tokenListeners.emit(next);
    }
  };
  appBridge.subscribe("handshake", (payload) => accept(payload.token));
  appBridge.subscribe("tokenRefresh", (payload) => accept(payload.token));
  return {
    kind: "dashboard",
    appBridge,
    getToken: () => token,
    onToken: (listener) => tokenListeners.add(listener),
    updateRoute: (path) => void appBridge.dispatch(actions.UpdateRouting({ newRoute: path })),
    openInDashboard: (path) => void appBridge.dispatch(actions.Redirect({ to: path })),
    // The dashboard keeps an app's pages under /apps/<app id>/app/<path below appUrl>.
    dashboardPathOf: (appPath) => {
      const id = appBridge.getState().id;
      return id ? `/apps/${encodeURIComponent(id)}/app/${appPath.replace(/^\/+/, "")}` : undefined;
    },
    notify: (status, title, text) => {
      void appBridge.dispatch(actions.Notification({ status, title, text }));
      return true;
    },
  };
}

function tokenSession(kind: "standalone" | "none", token: string | undefined): Session {
  return {
    kind,
    getToken: () => token,
    onToken: () => () => undefined,
    updateRoute: () => undefined,
    openInDashboard: () => undefined,
    dashboardPathOf: () => undefined,
    notify: () => false,
  };
}

/** Decide once, at start, where the pages run. */
export function startSession(): Session {
  const fromHash = tokenFromHash(window.location.hash);
  if (fromHash) {
    window.sessionStorage.setItem(STORAGE_KEY, fromHash);
    // Keep the token out of the address bar, history and anything copied from it.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  if (isInIframe() && !fromHash) {
    return dashboardSession();
  }
  const stored = window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  return stored ? tokenSession("standalone", stored) : tokenSession("none", undefined);
}
