// The safetensors file format (https://huggingface.co/docs/safetensors), torch-free:
//   8 bytes   N, little-endian u64: the header's length
//   N bytes   JSON header: {"__metadata__": {str: str}, NAME: {"dtype", "shape", "data_offsets": [begin, end)}}
//   the rest  the byte buffer; offsets are relative to its start.
// Parsing checks everything a hostile file could get wrong, so a loader can trust what
// it returns: the header's length and JSON, each dtype, shape and size, every offset
// against the buffer, no overlaps and no holes (the format forbids both).
#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace shishu::models {

// A file that is not a valid safetensors file; the message names the file, the tensor
// and what is wrong.
class CheckpointError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class StoredDtype { kF32, kBF16, kF16 };
std::string to_string(StoredDtype d);  // "F32", "BF16", "F16"
int element_bytes(StoredDtype d);

struct StoredTensor {
  std::string name;
  StoredDtype dtype = StoredDtype::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range within the buffer
  int64_t numel() const;
};

struct SafetensorsHeader {
  std::vector<StoredTensor> tensors;  // in buffer order
  std::map<std::string, std::string> metadata;
  uint64_t buffer_offset = 0;  // where the buffer starts in the file: 8 + N
  const StoredTensor* find(std::string_view name) const;
};

// Parses the first bytes of a file of `file_size` bytes (`prefix` must hold at least the
// 8-byte length and the header). `origin` names the file in errors. Throws CheckpointError.
SafetensorsHeader parse_safetensors_header(std::string_view prefix, uint64_t file_size, const std::string& origin);

// Reads and parses the header of the file at `path` (only the header's bytes are read).
SafetensorsHeader read_safetensors_header(const std::string& path);

// The 8-byte length and the JSON header for tensors laid out back to back in the given
// order (their begin/end are assigned here), padded with spaces to a multiple of 8 bytes
// so that the buffer, and every tensor in it, stays aligned.
std::string make_safetensors_header(std::vector<StoredTensor>& tensors,
                                    const std::map<std::string, std::string>& metadata);

}  // namespace shishu::models
