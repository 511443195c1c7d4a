import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from "react";

import { useApp } from "../app/hooks";
import { useRouter } from "../app/router";

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & {
  /** a path below the app's base, e.g. pathFor("scenario", { key }) */
  to: string;
};

/**
 * From a widget or popup inside the dashboard, a link to one of the app's pages opens it
 * as the dashboard's app page (the frame it sits in is too small, and a new tab would have
 * no token).
 */
export function AppPageLink({ to, children }: { to: string; children: ReactNode }) {
  const { session } = useApp();
  const target = session.dashboardPathOf(to);
  if (!target) return <Link to={to}>{children}</Link>;
  return (
    <a
      href={target}
      onClick={(event) => {
        event.preventDefault();
        session.openInDashboard(target);
      }}
    >
      {children}
    </a>
  );
}

/** A real link (keyboard, middle click, copy address) that navigates without reloading. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const { href, navigate } = useRouter();
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={href(to)} onClick={handle} {...rest}>
      {children}
    </a>
  );
}
