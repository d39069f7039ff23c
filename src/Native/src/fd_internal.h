// Shared by the shim's translation units: handle conversions, dtype/device mapping and the
// exception barrier every export goes through.
#pragma once

#include <torch/torch.h>

#include <exception>
#include <string>
#include <vector>

#include "feddistill_torch.h"

struct fd_tensor_s {
  at::Tensor value;
};

namespace fd {

// Set by the exception barrier; read by fd_last_error. Thread-local so that concurrent callers
// never see each other's messages, and a std::string so that nothing leaks.
void set_last_error(const char* message);

// Applies the thread count last set through fd_set_num_threads to the calling thread, which
// OpenMP keeps per thread (at::set_num_threads reaches only the thread that calls it).
void sync_num_threads();

inline const at::Tensor& tensor(fd_tensor handle) {
  if (handle == nullptr) throw std::invalid_argument("tensor handle is null");
  return handle->value;
}

inline c10::optional<at::Tensor> optional_tensor(fd_tensor handle) {
  if (handle == nullptr) return c10::nullopt;
  return handle->value;
}

inline fd_tensor wrap(at::Tensor value) { return new fd_tensor_s{std::move(value)}; }

c10::ScalarType to_scalar_type(int32_t dtype);
int32_t from_scalar_type(c10::ScalarType type);
c10::Device to_device(int32_t device_type, int32_t device_index);

inline c10::IntArrayRef int_array(const int64_t* values, int32_t count) {
  if (count < 0) throw std::invalid_argument("negative array length");
  if (count > 0 && values == nullptr) throw std::invalid_argument("array pointer is null");
  return c10::IntArrayRef(values, static_cast<size_t>(count));
}

inline std::vector<at::Tensor> tensor_list(const fd_tensor* handles, int32_t count) {
  if (count < 0) throw std::invalid_argument("negative tensor count");
  if (count > 0 && handles == nullptr) throw std::invalid_argument("tensor array pointer is null");
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) list.push_back(tensor(handles[i]));
  return list;
}

inline void require_out(const void* out) {
  if (out == nullptr) throw std::invalid_argument("output pointer is null");
}

}  // namespace fd

// The exception barrier: runs `body`, converting every exception into a status plus message.
// c10::Error is caught first so that libtorch's own message (without the C++ backtrace that
// what() appends) reaches the caller.
#define FD_GUARD(...)                                                 \
  try {                                                                \
    fd::sync_num_threads();                                            \
    __VA_ARGS__;                                                       \
    return 0;                                                          \
  } catch (const c10::Error& error) {                                  \
    fd::set_last_error(error.what_without_backtrace());                \
    return 1;                                                          \
  } catch (const std::exception& error) {                              \
    fd::set_last_error(error.what());                                  \
    return 2;                                                          \
  } catch (...) {                                                      \
    fd::set_last_error("unknown native exception");                    \
    return 3;                                                          \
  }

// For exports producing one tensor: evaluates `expression` (an at::Tensor) into *out.
#define FD_RETURN_TENSOR(out, expression) \
  FD_GUARD({                              \
    fd::require_out(out);                 \
    *(out) = fd::wrap(expression);        \
  })
