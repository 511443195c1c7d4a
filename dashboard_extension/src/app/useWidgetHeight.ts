/** Inside a dashboard widget frame, report the content's height so the frame fits it. */

import { reportWidgetHeightFromElement } from "@saleor/app-sdk/app-bridge";
import { type RefObject, useEffect } from "react";

import { useApp } from "./hooks";

export function useWidgetHeight(root: RefObject<HTMLDivElement | null>) {
  const { session } = useApp();
  useEffect(() => {
    const bridge = session.appBridge;
    const element = root.current;
    if (!bridge || !element || typeof ResizeObserver === "undefined") return;
    const report = () => reportWidgetHeightFromElement(bridge, element);
    const observer = new ResizeObserver(report);
    observer.observe(element);
    report();
    return () => observer.disconnect();
  }, [root, session]);
}
