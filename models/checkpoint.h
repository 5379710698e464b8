// Our models' weights as Hugging Face Llama checkpoints (models/hf_format.h has the
// names and config.json; models/safetensors.h the file format).
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/safetensors.h"
#include "models/transformer.h"

namespace shishu::models {

// Writes DIR/model.safetensors (weights converted to `dtype`) and DIR/config.json, each
// through a temporary file and a rename, so a reader never sees half a file.
void save_checkpoint(Transformer& model, const std::string& dir, StoredDtype dtype);

// Writes named tensors (converted to the CPU, contiguous, in their own dtypes: F32,
// BF16 or F16) as one safetensors file, through a temporary file and a rename.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Loads a checkpoint file into `model`, converting to the model's dtype and device. The
// whole file is checked first (header, offsets, keys, shapes against the model's
// config), so a bad checkpoint throws CheckpointError and leaves the model untouched.
// The file is memory-mapped: tensors are read straight from the page cache.
void load_checkpoint(Transformer& model, const std::string& file);

c10::ScalarType scalar_type(StoredDtype d);
StoredDtype stored_dtype(c10::ScalarType t);  // throws CheckpointError for other types

}  // namespace shishu::models
