#include "base/utf8.h"
#include "models/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <limits>

namespace shishu::models {

namespace {

using nlohmann::json;

// A header larger than this is not a model's: refuse it before parsing (the reference
// implementation uses the same 100 MB bound).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
  throw CheckpointError(origin + ": " + what);
}

StoredDtype parse_stored_dtype(const std::string& text, const std::string& origin, const std::string& name) {
  if (text == "F32") return StoredDtype::kF32;
  if (text == "BF16") return StoredDtype::kBF16;
  if (text == "F16") return StoredDtype::kF16;
  fail(origin, "tensor '" + name + "' has dtype '" + text + "'; supported: F32, BF16, F16");
}

uint64_t read_u64_le(std::string_view bytes) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

}  // namespace

std::string to_string(StoredDtype d) {
  switch (d) {
    case StoredDtype::kF32: return "F32";
    case StoredDtype::kBF16: return "BF16";
    case StoredDtype::kF16: return "F16";
  }
  return "?";
}

int element_bytes(StoredDtype d) { return d == StoredDtype::kF32 ? 4 : 2; }

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

const StoredTensor* SafetensorsHeader::find(std::string_view name) const {
  for (const auto& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

SafetensorsHeader parse_safetensors_header(std::string_view prefix, uint64_t file_size, const std::string& origin) {
  if (file_size < 8 || prefix.size() < 8) fail(origin, "too short to be a safetensors file (" + std::to_string(file_size) + " bytes)");
  const uint64_t n = read_u64_le(prefix);
  if (n > kMaxHeaderBytes) fail(origin, "header length " + std::to_string(n) + " is implausible (over 100 MB)");
  if (n > file_size - 8) fail(origin, "truncated: the header needs " + std::to_string(n) + " bytes, the file has " + std::to_string(file_size - 8) + " after the length");
  if (prefix.size() < 8 + n) fail(origin, "header not fully read");
  const json doc = json::parse(prefix.substr(8, n), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) fail(origin, "the header is not valid JSON");
  if (!doc.is_object()) fail(origin, "the header is not a JSON object");

  SafetensorsHeader h;
  h.buffer_offset = 8 + n;
  const uint64_t buffer = file_size - h.buffer_offset;
  for (const auto& [name, entry] : doc.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) fail(origin, "__metadata__ is not an object");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string()) fail(origin, "__metadata__ value '" + k + "' is not a string");
        h.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets")) {
      fail(origin, "tensor '" + name + "' needs dtype, shape and data_offsets");
    }
    StoredTensor t;
    t.name = name;
    if (!entry["dtype"].is_string()) fail(origin, "tensor '" + name + "': dtype is not a string");
    t.dtype = parse_stored_dtype(entry["dtype"].get<std::string>(), origin, name);
    if (!entry["shape"].is_array()) fail(origin, "tensor '" + name + "': shape is not an array");
    uint64_t numel = 1;
    for (const auto& d : entry["shape"]) {
      if (!d.is_number_unsigned()) fail(origin, "tensor '" + name + "': shape holds '" + d.dump() + "', not a size");
      const uint64_t dim = d.get<uint64_t>();
      if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / 8 / dim) fail(origin, "tensor '" + name + "': shape overflows");
      numel *= dim;
      t.shape.push_back(static_cast<int64_t>(dim));
    }
    const auto& off = entry["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned()) {
      fail(origin, "tensor '" + name + "': data_offsets must be two byte offsets");
    }
    t.begin = off[0].get<uint64_t>();
    t.end = off[1].get<uint64_t>();
    if (t.end < t.begin) fail(origin, "tensor '" + name + "': data_offsets end before they begin");
    if (t.end > buffer) {
      fail(origin, "tensor '" + name + "' reaches byte " + std::to_string(t.end) + " of a " + std::to_string(buffer) +
                       "-byte buffer: the file is truncated or the offsets are wrong");
    }
    if (t.end - t.begin != numel * element_bytes(t.dtype)) {
      fail(origin, "tensor '" + name + "': " + std::to_string(t.end - t.begin) + " bytes for " + std::to_string(numel) +
                       " " + to_string(t.dtype) + " elements");
    }
    h.tensors.push_back(std::move(t));
  }
  std::sort(h.tensors.begin(), h.tensors.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  uint64_t covered = 0;
  for (const auto& t : h.tensors) {
    if (t.begin < covered) fail(origin, "tensor '" + t.name + "' overlaps the tensor before it in the buffer");
    if (t.begin > covered) fail(origin, "a hole of " + std::to_string(t.begin - covered) + " bytes before tensor '" + t.name + "'");
    covered = t.end;
  }
  if (covered != buffer) fail(origin, std::to_string(buffer - covered) + " bytes after the last tensor belong to none");
  return h;
}

SafetensorsHeader read_safetensors_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw CheckpointError(path + ": cannot be opened");
  const uint64_t size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  std::string prefix(std::min<uint64_t>(size, 8), '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  if (size >= 8) {
    const uint64_t n = read_u64_le(prefix);
    if (n <= kMaxHeaderBytes && n <= size - 8) {
      prefix.resize(8 + n);
      in.read(prefix.data() + 8, static_cast<std::streamsize>(n));
      if (!in) throw CheckpointError(path + ": the header could not be read");
    }
  }
  return parse_safetensors_header(prefix, size, path);
}

std::string make_safetensors_header(std::vector<StoredTensor>& tensors,
                                    const std::map<std::string, std::string>& metadata) {
  json doc = json::object();
  if (!metadata.empty()) doc["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (auto& t : tensors) {
    t.begin = offset;
    t.end = offset + static_cast<uint64_t>(t.numel()) * element_bytes(t.dtype);
    offset = t.end;
    doc[t.name] = {{"dtype", to_string(t.dtype)}, {"shape", t.shape}, {"data_offsets", {t.begin, t.end}}};
  }
  std::string text = base::json_text(doc);
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
  return out + text;
}

}  // namespace shishu::models
