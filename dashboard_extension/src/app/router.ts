/**
 * A small path router under the app's base path (e.g. /app/scenarios/abandoned_cart).
 *
 * Paths rather than hashes: the dashboard appends its own query string to extension URLs
 * (customerId, theme, …), and standalone links carry the token in the hash.
 */

import { createContext, useContext, useEffect, useState } from "react";

export interface Route {
  /** the page's key in ROUTES */
  name: RouteName;
  /** named segments, e.g. { key: "abandoned_cart" } */
  params: Record<string, string>;
  /** the query string */
  query: URLSearchParams;
  /** the path below the app's base, without a leading slash, e.g. "scenarios/abandoned_cart" */
  path: string;
}

/** Page name → path pattern below the app's base (":name" is a segment). */
export const ROUTES = {
  overview: "",
  scenarios: "scenarios",
  scenario: "scenarios/:key",
  segments: "segments",
  customers: "customers",
  customer: "customers/:id",
  results: "results",
  settings: "settings",
  customerWidget: "widgets/customer",
  homeWidget: "widgets/home",
  customerActions: "actions/customer",
} as const;

export type RouteName = keyof typeof ROUTES;

/** Pages shown inside the dashboard's small frames: no navigation around them. */
export const BARE_ROUTES: ReadonlySet<RouteName> = new Set(["customerWidget", "homeWidget", "customerActions"]);

export function matchRoute(path: string, query = new URLSearchParams()): Route | undefined {
  const parts = path.split("/").filter(Boolean);
  for (const [name, pattern] of Object.entries(ROUTES) as [RouteName, string][]) {
    const patternParts = pattern.split("/").filter(Boolean);
    if (patternParts.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = patternParts.every((part, index) => {
      if (part.startsWith(":")) {
        params[part.slice(1)] = decodeURIComponent(parts[index]);
        return true;
      }
      return part === parts[index];
    });
    if (matches) return { name, params, query, path: parts.join("/") };
  }
  return undefined;
}

/** The path below `base` of an absolute pathname ("/app/segments" → "segments"). */
export function relativePath(pathname: string, base: string): string {
  const trimmedBase = base.replace(/\/+$/, "");
  const rest = pathname.startsWith(trimmedBase) ? pathname.slice(trimmedBase.length) : pathname;
  return rest.replace(/^\/+/, "").replace(/\/+$/, "");
}

/** A link target: a page name with its params and query → "scenarios/abandoned_cart?x=1". */
export function pathFor(name: RouteName, params: Record<string, string> = {}, query?: Record<string, string>): string {
  const path = ROUTES[name]
    .split("/")
    .map((part) => (part.startsWith(":") ? encodeURIComponent(params[part.slice(1)] ?? "") : part))
    .join("/");
  const search = query ? new URLSearchParams(query).toString() : "";
  return search ? `${path}?${search}` : path;
}

export interface RouterValue {
  route: Route | undefined;
  base: string;
  navigate: (to: string) => void;
  href: (to: string) => string;
}

export const RouterContext = createContext<RouterValue | null>(null);

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (!value) throw new Error("useRouter outside <RouterContext.Provider>");
  return value;
}

/** Location state for the provider: follows pushState and the back button. */
export function useLocationRoute(base: string, onChange: (path: string) => void): RouterValue {
  const read = () => matchRoute(relativePath(window.location.pathname, base), new URLSearchParams(window.location.search));
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onPop = () => setRoute(read());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base]);
  const href = (to: string) => `${base}${to.replace(/^\/+/, "")}`;
  const navigate = (to: string) => {
    window.history.pushState(null, "", href(to));
    setRoute(read());
    onChange(`/${to.replace(/^\/+/, "")}`);
    window.scrollTo?.(0, 0);
  };
  return { route, base, navigate, href };
}
