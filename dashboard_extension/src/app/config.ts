/**
 * Where the API and the app live, as the Django view that served index.html says
 * (meta tags); the defaults apply under `npm run dev`.
 */

function meta(name: string, fallback: string): string {
  const value = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
  return value && !value.startsWith("__") ? value : fallback;
}

export interface AppConfig {
  /** the app's own GraphQL endpoint, e.g. "/graphql/" */
  graphqlUrl: string;
  /** the path every page of the app lives under, e.g. "/app/" */
  appBase: string;
}

export function readConfig(): AppConfig {
  const appBase = meta("lifecycle-app-base", "/app/");
  return {
    graphqlUrl: meta("lifecycle-graphql-url", "/graphql/"),
    appBase: appBase.endsWith("/") ? appBase : `${appBase}/`,
  };
}
