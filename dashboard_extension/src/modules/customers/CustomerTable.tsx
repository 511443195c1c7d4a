import type { CustomerListQuery } from "../../gql/graphql";
import { pathFor } from "../../app/router";
import { SEGMENT_LABELS, STAGE_LABELS } from "../../format/labels";
import { formatCount, formatDate, formatMoney } from "../../format/numbers";
import { Link } from "../../ui/Link";

type CustomerRow = NonNullable<NonNullable<CustomerListQuery["customers"]>["edges"][number]>["node"];

export function customerName(customer: { firstName: string; lastName: string; email: string }): string {
  const name = `${customer.firstName} ${customer.lastName}`.trim();
  return name || customer.email;
}

export function CustomerTable({ customers, caption }: { customers: NonNullable<CustomerRow>[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Customer</th>
            <th scope="col">Stage</th>
            <th scope="col">Segment</th>
            <th scope="col" className="number">Orders</th>
            <th scope="col" className="number">Spent</th>
            <th scope="col">Last order</th>
          </tr>
        </thead>
        <tbody>
          {customers.map((customer) => (
            <tr key={customer.id}>
              <td>
                <Link to={pathFor("customer", { id: customer.id })}>{customerName(customer)}</Link>
                {customerName(customer) !== customer.email ? (
                  <div style={{ fontSize: 12, opacity: 0.7 }}>{customer.email}</div>
                ) : null}
              </td>
              <td>{STAGE_LABELS[customer.stage]}</td>
              <td>{customer.rfm.segment ? SEGMENT_LABELS[customer.rfm.segment] : "—"}</td>
              <td className="number">{formatCount(customer.ordersCount)}</td>
              <td className="number">{formatMoney(customer.totalSpent)}</td>
              <td>{formatDate(customer.lastOrderAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
