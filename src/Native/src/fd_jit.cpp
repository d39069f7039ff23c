#include "fd_internal.h"

#include <torch/script.h>

struct fd_script_module_s {
  torch::jit::Module module;
  // Snapshots taken by fd_script_named_tensors, indexed by kind (parameters, buffers).
  std::vector<std::pair<std::string, at::Tensor>> named[2];
};

namespace {

thread_local std::vector<std::string> output_names;

torch::jit::Module& module(fd_script_module m) {
  if (m == nullptr) throw std::invalid_argument("script module handle is null");
  return m->module;
}

void collect(const c10::IValue& value, std::vector<at::Tensor>& tensors) {
  if (value.isTensor()) {
    tensors.push_back(value.toTensor());
  } else if (value.isTuple()) {
    for (const auto& element : value.toTuple()->elements()) collect(element, tensors);
  } else if (value.isList()) {
    for (const auto& element : value.toListRef()) collect(element, tensors);
  } else {
    throw std::invalid_argument(std::string("TorchScript forward returned ") +
                                value.tagKind() + "; expected tensors");
  }
}

}  // namespace

extern "C" {

fd_status fd_script_load(const char* path, int32_t device_type, int32_t device_index,
                         fd_script_module* out) {
  FD_GUARD({
    fd::require_out(out);
    if (path == nullptr) throw std::invalid_argument("path is null");
    auto loaded = torch::jit::load(path, fd::to_device(device_type, device_index));
    *out = new fd_script_module_s{std::move(loaded), {}};
  });
}

void fd_script_free(fd_script_module m) { delete m; }

fd_status fd_script_forward(fd_script_module m, const fd_tensor* inputs, int32_t count,
                            fd_tensor* outputs, int32_t capacity, int32_t* output_count) {
  FD_GUARD({
    fd::require_out(output_count);
    std::vector<c10::IValue> arguments;
    for (auto& tensor : fd::tensor_list(inputs, count)) arguments.emplace_back(tensor);
    auto result = module(m).forward(arguments);
    std::vector<at::Tensor> tensors;
    output_names.clear();
    if (result.isGenericDict()) {
      for (const auto& entry : result.toGenericDict()) {
        if (!entry.key().isString())
          throw std::invalid_argument("TorchScript forward returned a dict with non-string keys");
        output_names.push_back(entry.key().toStringRef());
        collect(entry.value(), tensors);
      }
      if (output_names.size() != tensors.size())
        throw std::invalid_argument("each value of a returned dict must be one tensor");
    } else {
      collect(result, tensors);
    }
    if (static_cast<int64_t>(tensors.size()) > capacity)
      throw std::invalid_argument("forward returned " + std::to_string(tensors.size()) +
                                  " tensors, more than the " + std::to_string(capacity) +
                                  " the caller can take");
    for (size_t i = 0; i < tensors.size(); ++i) outputs[i] = fd::wrap(std::move(tensors[i]));
    *output_count = static_cast<int32_t>(tensors.size());
  });
}

const char* fd_script_output_name(int32_t index) {
  if (index < 0 || static_cast<size_t>(index) >= output_names.size()) return "";
  return output_names[static_cast<size_t>(index)].c_str();
}

fd_status fd_script_named_tensors(fd_script_module m, int32_t kind, int32_t* count) {
  FD_GUARD({
    fd::require_out(count);
    if (kind != 0 && kind != 1) throw std::invalid_argument("kind must be 0 (parameters) or 1 (buffers)");
    auto& snapshot = m->named[kind];
    snapshot.clear();
    if (kind == 0) {
      for (const auto& item : module(m).named_parameters(/*recurse=*/true))
        snapshot.emplace_back(item.name, item.value);
    } else {
      for (const auto& item : module(m).named_buffers(/*recurse=*/true))
        snapshot.emplace_back(item.name, item.value);
    }
    *count = static_cast<int32_t>(snapshot.size());
  });
}

fd_status fd_script_named_tensor(fd_script_module m, int32_t kind, int32_t index,
                                 const char** name, fd_tensor* out) {
  FD_GUARD({
    fd::require_out(out);
    fd::require_out(name);
    module(m);
    if (kind != 0 && kind != 1) throw std::invalid_argument("kind must be 0 (parameters) or 1 (buffers)");
    auto& snapshot = m->named[kind];
    if (index < 0 || static_cast<size_t>(index) >= snapshot.size())
      throw std::out_of_range("named tensor index out of range");
    *name = snapshot[static_cast<size_t>(index)].first.c_str();
    *out = fd::wrap(snapshot[static_cast<size_t>(index)].second);
  });
}

fd_status fd_script_train(fd_script_module m, int32_t on) { FD_GUARD(module(m).train(on != 0)); }

fd_status fd_script_save(fd_script_module m, const char* path) {
  FD_GUARD({
    if (path == nullptr) throw std::invalid_argument("path is null");
    module(m).save(path);
  });
}

fd_status fd_script_to(fd_script_module m, int32_t device_type, int32_t device_index) {
  FD_GUARD(module(m).to(fd::to_device(device_type, device_index)));
}

}  // extern "C"
