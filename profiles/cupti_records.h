// Turns CUPTI activity records into trace events. Kept apart from the CUPTI session so
// it can be tested on hand-built activity buffers without a GPU.
#pragma once
#include <cstddef>
#include <cstdint>

#include "profiles/trace.h"

namespace shishu::profiles {

// Walks one completed activity buffer (cuptiActivityGetNextRecord) and appends an event
// for every kernel, memcpy, memset, runtime-API call (cudaGraphLaunch marked as a graph
// launch) and NVTX marker range. Returns the number of records read; records of other
// kinds are counted but produce no event.
size_t append_cupti_records(uint8_t* buffer, size_t valid_bytes, Trace& trace);

// Ends a session: NVTX ranges still open (start seen, end never) count as dropped.
void finish_markers(Trace& trace);

}  // namespace shishu::profiles
