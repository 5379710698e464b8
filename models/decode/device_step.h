// Decoding from a static KV cache with the position held on the device: the whole
// decode step (the reference model's own walk over one token per sequence, its LM head
// over that position, argmax, the next position) with no host input and no host
// synchronisation, so it can be captured once in a CUDA graph and replayed per token.
// Only the seam differs from the reference: models/decode/device_positions.h.
#pragma once
#include <memory>

#include "models/decode/decoder.h"
#include "models/decode/device_positions.h"

namespace shishu::models {

// `graph`: capture the step in a CUDA graph (CUDA models only; throws std::runtime_error
// elsewhere). Without it the step runs as it is, on any device.
std::unique_ptr<Decoder> make_step_decoder(Transformer model, const DecodeShape& shape, RotaryForm rotary, bool graph);

}  // namespace shishu::models
