// Decoding from a static KV cache with the position held on the device: one step
// function, the whole decode step (embedding, every layer, final norm, LM head over the
// one new position, argmax, the next position) with no host input and no host
// synchronisation, so it can be captured once in a CUDA graph and replayed per token.
// It reads the reference model's parameters and runs its norms and MLP blocks as they
// are; only attention's cache write and the rotary embedding are its own.
//   kReference  attention as the reference computes it (rotary on q and k apart)
//   kFast       rotary on q and k at once, as x*cos + roll(x, D/2)*sin' (sin' = sin with
//               its first half negated, which is rotate_half folded in): 3 operators
//               where the reference spends 12
#pragma once
#include <memory>

#include "models/decode/decoder.h"

namespace shishu::models {

enum class StepKind { kReference, kFast };

// `graph`: capture the step in a CUDA graph (CUDA models only; throws std::runtime_error
// elsewhere). Without it the step runs as it is, on any device.
std::unique_ptr<Decoder> make_step_decoder(Transformer model, const DecodeShape& shape, StepKind kind, bool graph);

}  // namespace shishu::models
