#include "models/checkpoint.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/utf8.h"
#include "models/dtype.h"
#include "models/hf_format.h"

namespace fs = std::filesystem;

namespace shishu::models {

namespace {

// A read-only memory map of a whole file. Hand-written: a few POSIX calls, and no
// library on Debian offers a maintained C++ safetensors reader.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw CheckpointError(path + ": cannot be opened: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) throw CheckpointError(path + ": not a regular file");
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (p == MAP_FAILED) throw CheckpointError(path + ": cannot be mapped: " + std::strerror(errno));
      data_ = static_cast<const char*>(p);
    }
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {data_ ? data_ : "", size_}; }

 private:
  std::string path_;
  int fd_ = -1;
  const char* data_ = nullptr;
  uint64_t size_ = 0;
};

// A temporary file renamed over the target: readers see the old file or the new one.
// A failed write (a full disk) removes the temporary file and names the system's reason.
void write_atomic(const fs::path& path, const std::string& head, const std::vector<at::Tensor>& blobs) {
  const std::string tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(tmp + ": cannot be written: " + std::strerror(errno));
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    for (const auto& b : blobs) {
      out.write(static_cast<const char*>(b.const_data_ptr()), static_cast<std::streamsize>(b.nbytes()));
    }
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);  // the failed write's, before unlink can change it
      out.close();
      ::unlink(tmp.c_str());  // POSIX, not std::filesystem: see tests/test_checkpoint.cpp on the torch wheel
      throw std::runtime_error(tmp + ": write failed: " + why + "; " + path.string() + " was not changed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {  // e.g. the target is a folder
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path.string() + ": " + why + "; " + path.string() +
                             " was not changed");
  }
}

std::map<std::string, at::Tensor> parameters_by_name(Transformer& model) {
  std::map<std::string, at::Tensor> out;
  for (const auto& item : model->named_parameters()) out[item.key()] = item.value();
  return out;
}

}  // namespace

c10::ScalarType scalar_type(StoredDtype d) {
  switch (d) {
    case StoredDtype::kF32: return at::kFloat;
    case StoredDtype::kBF16: return at::kBFloat16;
    case StoredDtype::kF16: return at::kHalf;
  }
  return at::kFloat;
}

StoredDtype stored_dtype(c10::ScalarType t) {
  if (t == at::kFloat) return StoredDtype::kF32;
  if (t == at::kBFloat16) return StoredDtype::kBF16;
  if (t == at::kHalf) return StoredDtype::kF16;
  throw CheckpointError(std::string("no safetensors dtype for ") + c10::toString(t));
}

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<StoredTensor> stored;
  std::vector<at::Tensor> blobs;
  for (const auto& [name, tensor] : tensors) {
    blobs.push_back(tensor.detach().to(at::kCPU).contiguous());
    stored.push_back({name, stored_dtype(tensor.scalar_type()), blobs.back().sizes().vec(), 0, 0});
  }
  write_atomic(path, make_safetensors_header(stored, metadata), blobs);
}

void save_checkpoint(Transformer& model, const std::string& dir, StoredDtype dtype) {
  const ModelConfig& config = model->config();
  const auto params = parameters_by_name(model);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& t : hf_tensors(config)) {
    // HF's tensor: a block of rows of our parameter, in the stored dtype.
    tensors.emplace_back(t.name, params.at(t.ours).detach().narrow(0, t.row_begin, t.shape[0]).to(scalar_type(dtype)));
  }
  fs::create_directories(dir);
  write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors,
                    {{"format", "pt"}, {"shishu_model", config.name}});
  static const std::map<StoredDtype, std::string> kTorchDtype = {
      {StoredDtype::kF32, "float32"}, {StoredDtype::kBF16, "bfloat16"}, {StoredDtype::kF16, "float16"}};
  const nlohmann::json json = hf_config_json(config, kTorchDtype.at(dtype), model->options().init_std);
  write_atomic(fs::path(dir) / "config.json", base::json_text(json, 2) + "\n", {});
}

void load_checkpoint(Transformer& model, const std::string& file) {
  MappedFile map(file);
  const SafetensorsHeader header = parse_safetensors_header(map.bytes(), map.bytes().size(), file);
  check_checkpoint(header, model->config(), file);  // everything, before any parameter changes
  auto params = parameters_by_name(model);
  at::NoGradGuard no_grad;
  for (const auto& t : hf_tensors(model->config())) {
    const StoredTensor& s = *header.find(t.name);
    // from_blob over the mapping: no copy until the conversion to the parameter's dtype and device.
    void* data = const_cast<char*>(map.bytes().data() + header.buffer_offset + s.begin);
    at::Tensor view = at::from_blob(data, s.shape, at::TensorOptions().dtype(scalar_type(s.dtype)));
    params.at(t.ours).narrow(0, t.row_begin, t.shape[0]).copy_(view);
  }
}

}  // namespace shishu::models
