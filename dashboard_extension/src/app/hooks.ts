/** Data hooks over the session's fetcher: queries with loading/error state, mutations. */

import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";

import type { TypedDocumentString } from "../gql/graphql";
import type { ApiError, Fetcher } from "./graphql";
import type { Session } from "./session";

export interface AppContextValue {
  session: Session;
  fetcher: Fetcher;
  /** bumped when the token changes, so queries waiting for one run */
  tokenVersion: number;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp outside <AppContext.Provider>");
  return value;
}

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  refetch: () => void;
}

export function useQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: { skip?: boolean } = {},
): QueryState<TResult> {
  const { fetcher, session, tokenVersion } = useApp();
  const [state, setState] = useState<{ data?: TResult; error?: ApiError; loading: boolean }>({ loading: true });
  const [nonce, setNonce] = useState(0);
  const key = JSON.stringify(variables);
  const hasToken = Boolean(session.getToken());

  useEffect(() => {
    if (options.skip || !hasToken) {
      setState((previous) => ({ ...previous, loading: !options.skip }));
      return;
    }
    let current = true;
    setState((previous) => ({ data: previous.data, loading: true }));
    fetcher(document, JSON.parse(key) as TVariables).then(
      (data) => current && setState({ data, loading: false }),
      (error: ApiError) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [document, key, nonce, options.skip, hasToken, tokenVersion, fetcher]);

  const refetch = useCallback(() => setNonce((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, refetch };
}

export interface MutationState<TResult> {
  running: boolean;
  error: ApiError | undefined;
  data: TResult | undefined;
}

export function useMutation<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
): [(variables: TVariables) => Promise<TResult | undefined>, MutationState<TResult>] {
  const { fetcher } = useApp();
  const [state, setState] = useState<MutationState<TResult>>({ running: false, error: undefined, data: undefined });
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(
    async (variables: TVariables) => {
      setState({ running: true, error: undefined, data: undefined });
      try {
        const data = await fetcher(document, variables);
        if (mounted.current) setState({ running: false, error: undefined, data });
        return data;
      } catch (error) {
        if (mounted.current) setState({ running: false, error: error as ApiError, data: undefined });
        return undefined;
      }
    },
    [document, fetcher],
  );
  return [run, state];
}
