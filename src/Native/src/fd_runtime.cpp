#include "fd_internal.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <atomic>

namespace {
thread_local std::string last_error;
std::atomic<int32_t> requested_threads{0};
thread_local int32_t applied_threads = 0;
}

namespace fd {

void set_last_error(const char* message) { last_error = message ? message : ""; }

void sync_num_threads() {
  int32_t wanted = requested_threads.load(std::memory_order_relaxed);
  if (wanted > 0 && wanted != applied_threads) {
    at::set_num_threads(wanted);
    applied_threads = wanted;
  }
}

c10::ScalarType to_scalar_type(int32_t dtype) {
  switch (dtype) {
    case FD_FLOAT32: return c10::kFloat;
    case FD_FLOAT16: return c10::kHalf;
    case FD_BFLOAT16: return c10::kBFloat16;
    case FD_INT64: return c10::kLong;
    case FD_INT32: return c10::kInt;
    case FD_UINT8: return c10::kByte;
    case FD_BOOL: return c10::kBool;
    case FD_FLOAT64: return c10::kDouble;
    case FD_INT8: return c10::kChar;
    case FD_INT16: return c10::kShort;
    default: throw std::invalid_argument("unknown dtype code " + std::to_string(dtype));
  }
}

int32_t from_scalar_type(c10::ScalarType type) {
  switch (type) {
    case c10::kFloat: return FD_FLOAT32;
    case c10::kHalf: return FD_FLOAT16;
    case c10::kBFloat16: return FD_BFLOAT16;
    case c10::kLong: return FD_INT64;
    case c10::kInt: return FD_INT32;
    case c10::kByte: return FD_UINT8;
    case c10::kBool: return FD_BOOL;
    case c10::kDouble: return FD_FLOAT64;
    case c10::kChar: return FD_INT8;
    case c10::kShort: return FD_INT16;
    default: throw std::invalid_argument(std::string("dtype ") + c10::toString(type) +
                                         " has no FedDistill equivalent");
  }
}

c10::Device to_device(int32_t device_type, int32_t device_index) {
  switch (device_type) {
    case FD_CPU: return c10::Device(c10::kCPU);
    case FD_CUDA:
      if (!torch::cuda::is_available())
        throw std::runtime_error("CUDA device requested but this libtorch sees no CUDA device");
      if (device_index < 0 || device_index >= static_cast<int32_t>(torch::cuda::device_count()))
        throw std::invalid_argument("CUDA device index " + std::to_string(device_index) +
                                    " out of range");
      return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(device_index));
    default: throw std::invalid_argument("unknown device type " + std::to_string(device_type));
  }
}

}  // namespace fd

extern "C" {

int32_t fd_abi_version(void) { return FD_ABI_VERSION; }

const char* fd_last_error(void) { return last_error.c_str(); }

const char* fd_torch_version(void) {
#ifdef TORCH_VERSION
  return TORCH_VERSION;
#else
  return "unknown";
#endif
}

fd_status fd_manual_seed(uint64_t seed) { FD_GUARD(torch::manual_seed(seed)); }

fd_status fd_set_num_threads(int32_t threads) {
  FD_GUARD({
    if (threads < 1) throw std::invalid_argument("thread count must be at least 1");
    at::set_num_threads(threads);
    requested_threads.store(threads, std::memory_order_relaxed);
    applied_threads = threads;
  });
}

int32_t fd_get_num_threads(void) {
  fd::sync_num_threads();
  return at::get_num_threads();
}

int32_t fd_cuda_device_count(void) {
  try {
    return torch::cuda::is_available() ? static_cast<int32_t>(torch::cuda::device_count()) : 0;
  } catch (...) {
    return 0;
  }
}

fd_status fd_set_grad_enabled(int32_t enabled, int32_t* previous) {
  FD_GUARD({
    if (previous != nullptr) *previous = c10::GradMode::is_enabled() ? 1 : 0;
    c10::GradMode::set_enabled(enabled != 0);
  });
}

}  // extern "C"
