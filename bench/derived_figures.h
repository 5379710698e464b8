// The figures a point derives from its prediction once it has run: every predicted_*
// field the metric table maps to a Prediction field, and the rates its declared work
// implies against its median intervals (tokens/s, FLOP/s, bandwidth), each set against
// the device's datasheet peaks and the ceilings measured in the run.
#pragma once
#include "bench/device_info.h"
#include "bench/prediction.h"
#include "bench/result.h"
#include "models/dtype.h"

namespace shishu::bench {

void record_prediction(Prediction prediction, const models::Precision& precision, const DeviceInfo& device,
                       PointResult& result);

}  // namespace shishu::bench
