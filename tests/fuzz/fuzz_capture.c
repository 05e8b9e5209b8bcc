/* SPDX-License-Identifier: MIT */
/* libFuzzer target for arb_capture_line: in bounds, and the payload always lies inside the line. */
#include "feeds/capture.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data, *payload = NULL;
    uint64_t ts = 1;
    size_t plen = 0;
    enum arb_capture_kind k = arb_capture_line(line, size, &ts, &payload, &plen);

    if (k == ARB_CAPTURE_FRAME) {
        if (!payload || payload < line || payload + plen > line + size)
            abort();
    } else if (k != ARB_CAPTURE_EMPTY && k != ARB_CAPTURE_META) {
        abort();
    }
    return 0;
}
