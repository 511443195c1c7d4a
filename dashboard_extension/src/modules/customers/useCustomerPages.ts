/** Relay pages of customers, forwards with a stack of cursors to go back. */

import { useEffect, useState } from "react";

import { type CustomerListQueryVariables, CustomerListDocument } from "../../gql/graphql";
import { useQuery } from "../../app/hooks";

export const PAGE_SIZE = 20;

export function useCustomerPages(filters: Omit<CustomerListQueryVariables, "first" | "after">) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const key = JSON.stringify(filters);
  useEffect(() => setCursors([null]), [key]);
  const after = cursors[cursors.length - 1];
  const query = useQuery(CustomerListDocument, {
    ...filters,
    first: PAGE_SIZE,
    after,
    sortBy: filters.sortBy ?? { field: "TOTAL_SPENT", direction: "DESC" },
  });
  const connection = query.data?.customers;
  const customers = (connection?.edges ?? []).flatMap((edge) => (edge?.node ? [edge.node] : []));
  return {
    ...query,
    customers,
    totalCount: connection?.totalCount ?? 0,
    page: cursors.length,
    hasNext: Boolean(connection?.pageInfo.hasNextPage),
    hasPrevious: cursors.length > 1,
    next: () => connection?.pageInfo.endCursor && setCursors([...cursors, connection.pageInfo.endCursor]),
    previous: () => setCursors(cursors.slice(0, -1)),
  };
}
