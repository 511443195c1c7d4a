/** The shell: session banner, navigation, and the page for the current route. */

import { Box, Text, useTheme } from "@saleor/macaw-ui";
import { lazy, Suspense, useEffect, type ReactNode } from "react";

import { Link } from "../ui/Link";
import { Loading } from "../ui/states";
import { useApp } from "./hooks";
import { BARE_ROUTES, pathFor, type RouteName, useRouter } from "./router";

const OverviewPage = lazy(() => import("../modules/overview/OverviewPage"));
const ScenariosPage = lazy(() => import("../modules/scenarios/ScenariosPage"));
const ScenarioPage = lazy(() => import("../modules/scenarios/ScenarioPage"));
const SegmentsPage = lazy(() => import("../modules/segments/SegmentsPage"));
const CustomersPage = lazy(() => import("../modules/customers/CustomersPage"));
const CustomerPage = lazy(() => import("../modules/customers/CustomerPage"));
const ResultsPage = lazy(() => import("../modules/results/ResultsPage"));
const SettingsPage = lazy(() => import("../modules/settings/SettingsPage"));
const CustomerWidget = lazy(() => import("../modules/customers/CustomerWidget"));
const CustomerActions = lazy(() => import("../modules/customers/CustomerActions"));
const HomeWidget = lazy(() => import("../modules/overview/HomeWidget"));

const PAGES: Record<RouteName, () => ReactNode> = {
  overview: () => <OverviewPage />,
  scenarios: () => <ScenariosPage />,
  scenario: () => <ScenarioPage />,
  segments: () => <SegmentsPage />,
  customers: () => <CustomersPage />,
  customer: () => <CustomerPage />,
  results: () => <ResultsPage />,
  settings: () => <SettingsPage />,
  customerWidget: () => <CustomerWidget />,
  homeWidget: () => <HomeWidget />,
  customerActions: () => <CustomerActions />,
};

/** Navigation entries; `also` lists the pages that belong under an entry. */
const NAVIGATION: { name: RouteName; label: string; also?: RouteName[] }[] = [
  { name: "overview", label: "Overview" },
  { name: "scenarios", label: "Scenarios", also: ["scenario"] },
  { name: "segments", label: "Segments", also: ["customers", "customer"] },
  { name: "results", label: "Results" },
  { name: "settings", label: "Settings" },
];

export function StandaloneBanner({ compact }: { compact: boolean }) {
  return (
    <Box className="standalone-banner" role="note" aria-label="Standalone demo" paddingX={compact ? 3 : 6} paddingY={2}>
      <Text size={3} fontWeight="bold" color="inherit">
        Standalone demo — not inside a Saleor dashboard
      </Text>
      {compact ? null : (
        <Text size={2} color="inherit" marginLeft={2}>
          Data comes from the demo shop (fake Saleor); inside Saleor these pages open from Customers → Lifecycle.
        </Text>
      )}
    </Box>
  );
}

function ThemeFollower() {
  const { session } = useApp();
  const { setTheme } = useTheme();
  useEffect(() => {
    const bridge = session.appBridge;
    if (!bridge) return;
    const apply = (theme: string) => setTheme(theme === "dark" ? "defaultDark" : "defaultLight");
    apply(bridge.getState().theme);
    return bridge.subscribe("theme", (payload) => apply(payload.theme));
  }, [session, setTheme]);
  return null;
}

function Navigation({ current }: { current: RouteName | undefined }) {
  return (
    <Box as="nav" aria-label="Lifecycle" className="app-nav" paddingX={6} borderColor="default1" borderStyle="solid" __borderWidth="0 0 1px 0">
      <Box as="ul" display="flex" gap={1} margin={0} padding={0} flexWrap="wrap">
        {NAVIGATION.map((item) => {
          const active = current === item.name || (current !== undefined && item.also?.includes(current));
          return (
            <li key={item.name}>
              <Link to={pathFor(item.name)} aria-current={active ? "page" : undefined} className="app-nav__link">
                {item.label}
              </Link>
            </li>
          );
        })}
      </Box>
    </Box>
  );
}

function NotFound() {
  return (
    <Box padding={6}>
      <Text as="h1" size={8} fontWeight="bold" display="block">
        Page not found
      </Text>
      <Text as="p" size={3} display="block" marginTop={2}>
        This address is not a page of the Lifecycle app. <Link to={pathFor("overview")}>Go to the overview</Link>.
      </Text>
    </Box>
  );
}

function OpenFromDashboard() {
  return (
    <Box padding={8} __maxWidth="720px">
      <Text as="h1" size={9} fontWeight="bold" display="block">
        Lifecycle
      </Text>
      <Text as="p" size={4} display="block" marginTop={3}>
        Open this app from your Saleor dashboard: <strong>Customers → Lifecycle</strong>, or <strong>Apps → Lifecycle</strong>.
      </Text>
      <Text as="p" size={3} color="default2" display="block" marginTop={3}>
        The dashboard hands the app a short-lived token for your account; without it these pages cannot show your
        shop's customers. For a local demo, run <code>make demo</code> and open the link it prints.
      </Text>
    </Box>
  );
}

export function App() {
  const { session } = useApp();
  const { route } = useRouter();
  const bare = route !== undefined && BARE_ROUTES.has(route.name);

  if (session.kind === "none") return <OpenFromDashboard />;
  const page = route ? PAGES[route.name]() : <NotFound />;
  return (
    <Box className={bare ? "app app--bare" : "app"} backgroundColor="default1" __minHeight={bare ? undefined : "100vh"}>
      <ThemeFollower />
      {session.kind === "standalone" ? <StandaloneBanner compact={bare} /> : null}
      {bare ? null : <Navigation current={route?.name} />}
      <Box as="main" id="main" padding={bare ? 3 : 6} __maxWidth={bare ? undefined : "1200px"}>
        <Suspense fallback={<Loading label="Loading the page" />}>{page}</Suspense>
      </Box>
    </Box>
  );
}
