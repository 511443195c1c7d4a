import { Box, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <Box display="flex" justifyContent="space-between" alignItems="flex-start" gap={4} marginBottom={6} flexWrap="wrap">
      <Box>
        <Text as="h1" size={9} fontWeight="bold" display="block">
          {title}
        </Text>
        {description ? (
          <Text as="p" size={3} color="default2" display="block" marginTop={1} __maxWidth="70ch">
            {description}
          </Text>
        ) : null}
      </Box>
      {actions ? <Box display="flex" gap={2}>{actions}</Box> : null}
    </Box>
  );
}

/** A titled card; `id` makes the heading the section's accessible name. */
export function Section({ id, title, description, children, actions }: {
  id: string;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <Box
      as="section"
      aria-labelledby={`${id}-title`}
      padding={5}
      borderRadius={4}
      borderStyle="solid"
      borderWidth={1}
      borderColor="default1"
      backgroundColor="default1"
      marginBottom={5}
    >
      <Box display="flex" justifyContent="space-between" alignItems="flex-start" gap={3} marginBottom={4} flexWrap="wrap">
        <Box>
          <Text as="h2" id={`${id}-title`} size={6} fontWeight="bold" display="block">
            {title}
          </Text>
          {description ? (
            <Text as="p" size={2} color="default2" display="block" marginTop={1}>
              {description}
            </Text>
          ) : null}
        </Box>
        {actions}
      </Box>
      {children}
    </Box>
  );
}

/** A figure with its label, for the numbers at the top of a page. */
export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Box className="stat" padding={4} borderRadius={3} backgroundColor="default2">
      <Text as="p" size={2} color="default2" display="block">
        {label}
      </Text>
      <Text as="p" size={8} fontWeight="bold" display="block" marginTop={1}>
        {value}
      </Text>
      {hint ? (
        <Text as="p" size={1} color="default2" display="block" marginTop={1}>
          {hint}
        </Text>
      ) : null}
    </Box>
  );
}
