/**
 * The app's GraphQL API: POST a typed document with the session's bearer token.
 *
 * Errors are sorted by what the page should say: the token is refused (open the app
 * again), the API refused the request (a message from the server), or the server could
 * not be reached.
 */

import type { TypedDocumentString } from "../gql/graphql";

export class ApiError extends Error {
  constructor(
    message: string,
    /** "unauthenticated": the token was refused or has expired; "forbidden": no permission */
    readonly kind: "unauthenticated" | "forbidden" | "graphql" | "network" | "server",
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface GraphQLErrorBody {
  message?: string;
  extensions?: { code?: string; exception?: { code?: string } };
}

/** The kind of a GraphQL error array, as the API classifies it (extensions.code). */
export function classifyErrors(errors: GraphQLErrorBody[]): ApiError {
  const message = errors.map((error) => error.message ?? "Unknown error").join("; ");
  const codes = errors.map((error) => error.extensions?.code);
  if (codes.includes("UNAUTHENTICATED")) return new ApiError(message, "unauthenticated");
  if (codes.includes("FORBIDDEN")) return new ApiError(message, "forbidden");
  return new ApiError(message, "graphql");
}

export type Fetcher = <TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
) => Promise<TResult>;

export function createFetcher(endpoint: string, getToken: () => string | undefined): Fetcher {
  return async (document, variables) => {
    const token = getToken();
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: document.toString(), variables }),
      });
    } catch {
      throw new ApiError("The app's server could not be reached. Check your connection and try again.", "network");
    }
    let body: { data?: unknown; errors?: GraphQLErrorBody[] } | undefined;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.status === 401) {
      const expired = body?.errors?.some((error) => error.extensions?.exception?.code === "ExpiredSignatureError");
      throw new ApiError(
        expired ? "Your session has expired." : "The app did not accept this session's token.",
        "unauthenticated",
      );
    }
    if (!body) throw new ApiError(`The app's server answered ${response.status}.`, "server");
    if (body.errors?.length) throw classifyErrors(body.errors);
    return body.data as never;
  };
}
