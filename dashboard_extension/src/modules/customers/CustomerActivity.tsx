/** The customer's scenarios and the emails they were sent (or not, and why). */

import { Text } from "@saleor/macaw-ui";

import { CustomerActivityDocument, type MessageStatus } from "../../gql/graphql";
import { useQuery } from "../../app/hooks";
import { humanize } from "../../format/labels";
import { formatDateTime } from "../../format/numbers";
import { ErrorState, Loading } from "../../ui/states";

const STATUS: Record<MessageStatus, { label: string; tone: string }> = {
  QUEUED: { label: "queued", tone: "badge--info" },
  SENDING: { label: "sending", tone: "badge--info" },
  SENT: { label: "sent", tone: "badge--success" },
  RETRYING: { label: "retrying", tone: "badge--warning" },
  FAILED: { label: "failed", tone: "badge--critical" },
  UNCERTAIN: { label: "uncertain", tone: "badge--warning" },
  SKIPPED: { label: "skipped", tone: "" },
  HELD_OUT: { label: "held out", tone: "" },
};

export function CustomerActivity({ id }: { id: string }) {
  const activity = useQuery(CustomerActivityDocument, { id });
  const customer = activity.data?.customer;
  if (activity.error) return <ErrorState error={activity.error} what="the customer's scenarios" onRetry={activity.refetch} />;
  if (!customer) return <Loading label="Loading the customer's scenarios" />;
  return (
    <>
      <Text as="h3" size={4} fontWeight="bold" display="block" marginBottom={2}>
        Scenarios
      </Text>
      {customer.enrollments.length === 0 ? (
        <Text as="p" size={3} color="default2" display="block" marginBottom={4}>
          Not in any scenario yet.
        </Text>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Scenario</th>
                <th scope="col">Status</th>
                <th scope="col">Next</th>
                <th scope="col">Entered</th>
              </tr>
            </thead>
            <tbody>
              {customer.enrollments.map((enrollment) => (
                <tr key={`${enrollment.scenario.key}-${enrollment.enteredAt}`}>
                  <td>
                    {enrollment.scenario.name}
                    {enrollment.heldOut ? <span className="badge" style={{ marginLeft: 6 }}>holdout</span> : null}
                  </td>
                  <td>
                    {humanize(enrollment.status.toLowerCase())}
                    {enrollment.exitReason ? ` (${enrollment.exitReason})` : ""}
                  </td>
                  <td>{enrollment.currentStep ? `${enrollment.currentStep}, ${formatDateTime(enrollment.nextRunAt)}` : "—"}</td>
                  <td>{formatDateTime(enrollment.enteredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Text as="h3" size={4} fontWeight="bold" display="block" marginTop={4} marginBottom={2}>
        Emails
      </Text>
      {customer.messages.length === 0 ? (
        <Text as="p" size={3} color="default2">
          No emails yet.
        </Text>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
                <th scope="col">When</th>
                <th scope="col">Opened / clicked</th>
              </tr>
            </thead>
            <tbody>
              {customer.messages.map((message) => (
                <tr key={`${message.scenario.key}-${message.step}-${message.startedAt}`}>
                  <td>
                    {message.scenario.name}: {message.step}
                    <div style={{ fontSize: 12, opacity: 0.7 }}>{message.template}</div>
                  </td>
                  <td>
                    <span className={`badge ${STATUS[message.status].tone}`}>{STATUS[message.status].label}</span>
                    {message.reason ? <div style={{ fontSize: 12, opacity: 0.75 }}>{message.reason}</div> : null}
                  </td>
                  <td>{formatDateTime(message.sentAt ?? message.startedAt)}</td>
                  <td>
                    {message.openedAt ? `opened ${formatDateTime(message.openedAt)}` : "—"}
                    {message.clickedAt ? <div>clicked {formatDateTime(message.clickedAt)}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
