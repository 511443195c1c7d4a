import { Box, Button, Text } from "@saleor/macaw-ui";

import { formatCount } from "../../format/numbers";
import { PAGE_SIZE } from "./useCustomerPages";

export function Pager({ page, total, hasNext, hasPrevious, onNext, onPrevious }: {
  page: number;
  total: number;
  hasNext: boolean;
  hasPrevious: boolean;
  onNext: () => void;
  onPrevious: () => void;
}) {
  const first = (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);
  return (
    <Box as="nav" aria-label="Pages" display="flex" alignItems="center" justifyContent="space-between" marginTop={3} gap={3}>
      <Text size={2} color="default2" aria-live="polite">
        {total ? `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}` : "No customers"}
      </Text>
      <Box display="flex" gap={2}>
        <Button variant="secondary" size="small" disabled={!hasPrevious} onClick={onPrevious}>
          Previous page
        </Button>
        <Button variant="secondary" size="small" disabled={!hasNext} onClick={onNext}>
          Next page
        </Button>
      </Box>
    </Box>
  );
}
