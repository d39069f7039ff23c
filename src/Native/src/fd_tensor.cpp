#include "fd_internal.h"

#include <cmath>
#include <cstring>

namespace {

at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index) {
  return at::TensorOptions()
      .dtype(fd::to_scalar_type(dtype))
      .device(fd::to_device(device_type, device_index));
}

int64_t checked_numel(c10::IntArrayRef shape) {
  int64_t count = 1;
  for (int64_t size : shape) {
    if (size < 0) throw std::invalid_argument("negative dimension in shape");
    if (size != 0 && count > INT64_MAX / size) throw std::invalid_argument("shape too large");
    count *= size;
  }
  return count;
}

}  // namespace

extern "C" {

void fd_tensor_free(fd_tensor t) { delete t; }

fd_status fd_tensor_from_data(const void* data, int64_t byte_count, const int64_t* shape,
                              int32_t ndim, int32_t dtype, int32_t device_type,
                              int32_t device_index, fd_tensor* out) {
  FD_GUARD({
    fd::require_out(out);
    auto sizes = fd::int_array(shape, ndim);
    auto type = fd::to_scalar_type(dtype);
    int64_t expected = checked_numel(sizes) * static_cast<int64_t>(c10::elementSize(type));
    if (byte_count != expected)
      throw std::invalid_argument("data holds " + std::to_string(byte_count) +
                                  " bytes but the shape needs " + std::to_string(expected));
    if (expected > 0 && data == nullptr) throw std::invalid_argument("data pointer is null");
    at::Tensor host = at::empty(sizes, at::TensorOptions().dtype(type));
    if (expected > 0) std::memcpy(host.data_ptr(), data, static_cast<size_t>(expected));
    auto device = fd::to_device(device_type, device_index);
    *out = fd::wrap(device.is_cpu() ? host : host.to(device));
  });
}

fd_status fd_tensor_factory(int32_t kind, const int64_t* shape, int32_t ndim, int32_t dtype,
                            int32_t device_type, int32_t device_index, double a, double b,
                            fd_tensor* out) {
  FD_GUARD({
    fd::require_out(out);
    auto sizes = fd::int_array(shape, ndim);
    checked_numel(sizes);
    auto opts = options(dtype, device_type, device_index);
    at::Tensor result;
    switch (kind) {
      case FD_EMPTY: result = at::empty(sizes, opts); break;
      case FD_ZEROS: result = at::zeros(sizes, opts); break;
      case FD_ONES: result = at::ones(sizes, opts); break;
      case FD_FULL: result = at::full(sizes, a, opts); break;
      case FD_RAND: result = at::rand(sizes, opts); break;
      case FD_RANDN: result = at::randn(sizes, opts); break;
      case FD_UNIFORM:
        if (!(a < b)) throw std::invalid_argument("uniform bounds need low < high");
        result = at::empty(sizes, opts).uniform_(a, b);
        break;
      default: throw std::invalid_argument("unknown factory kind " + std::to_string(kind));
    }
    *out = fd::wrap(std::move(result));
  });
}

fd_status fd_tensor_arange(double start, double end, double step, int32_t dtype,
                           int32_t device_type, int32_t device_index, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::arange(start, end, step, options(dtype, device_type, device_index)));
}

fd_status fd_tensor_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim,
                            int32_t device_type, int32_t device_index, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::randint(low, high, fd::int_array(shape, ndim),
                                    options(FD_INT64, device_type, device_index)));
}

int32_t fd_tensor_ndim(fd_tensor t) { return t ? static_cast<int32_t>(t->value.dim()) : -1; }

fd_status fd_tensor_shape(fd_tensor t, int64_t* shape, int32_t capacity) {
  FD_GUARD({
    const auto& value = fd::tensor(t);
    int64_t n = std::min<int64_t>(value.dim(), capacity);
    for (int64_t i = 0; i < n; ++i) shape[i] = value.size(i);
  });
}

int64_t fd_tensor_numel(fd_tensor t) { return t ? t->value.numel() : -1; }

int32_t fd_tensor_dtype(fd_tensor t) {
  try {
    return fd::from_scalar_type(fd::tensor(t).scalar_type());
  } catch (...) {
    return -1;
  }
}

fd_status fd_tensor_device(fd_tensor t, int32_t* device_type, int32_t* device_index) {
  FD_GUARD({
    auto device = fd::tensor(t).device();
    *device_type = device.is_cuda() ? FD_CUDA : FD_CPU;
    *device_index = device.has_index() ? device.index() : 0;
  });
}

fd_status fd_tensor_copy_to(fd_tensor t, void* dst, int64_t byte_count) {
  FD_GUARD({
    const auto& value = fd::tensor(t);
    int64_t needed = value.numel() * static_cast<int64_t>(value.element_size());
    if (byte_count != needed)
      throw std::invalid_argument("destination holds " + std::to_string(byte_count) +
                                  " bytes but the tensor has " + std::to_string(needed));
    if (needed == 0) return 0;
    if (dst == nullptr) throw std::invalid_argument("destination pointer is null");
    at::Tensor host = value.device().is_cpu() ? value.contiguous() : value.to(c10::kCPU).contiguous();
    std::memcpy(dst, host.data_ptr(), static_cast<size_t>(needed));
  });
}

fd_status fd_tensor_copy_from(fd_tensor t, const void* src, int64_t byte_count) {
  FD_GUARD({
    const auto& value = fd::tensor(t);
    int64_t needed = value.numel() * static_cast<int64_t>(value.element_size());
    if (byte_count != needed)
      throw std::invalid_argument("source holds " + std::to_string(byte_count) +
                                  " bytes but the tensor has " + std::to_string(needed));
    if (needed == 0) return 0;
    if (src == nullptr) throw std::invalid_argument("source pointer is null");
    at::NoGradGuard no_grad;
    if (value.device().is_cpu() && value.is_contiguous()) {
      std::memcpy(value.data_ptr(), src, static_cast<size_t>(needed));
    } else {
      at::Tensor host = at::empty(value.sizes(), value.options().device(c10::kCPU));
      std::memcpy(host.data_ptr(), src, static_cast<size_t>(needed));
      const_cast<at::Tensor&>(value).copy_(host);
    }
  });
}

fd_status fd_tensor_item(fd_tensor t, double* value) {
  FD_GUARD({
    fd::require_out(value);
    *value = fd::tensor(t).item<double>();
  });
}

fd_status fd_tensor_to(fd_tensor t, int32_t dtype, int32_t device_type, int32_t device_index,
                       fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(t).to(fd::to_device(device_type, device_index),
                                         fd::to_scalar_type(dtype)));
}

fd_status fd_tensor_clone(fd_tensor t, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(t).clone());
}

fd_status fd_tensor_contiguous(fd_tensor t, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(t).contiguous());
}

fd_status fd_tensor_detach(fd_tensor t, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(t).detach());
}

fd_status fd_tensor_copy_(fd_tensor dst, fd_tensor src) {
  FD_GUARD(const_cast<at::Tensor&>(fd::tensor(dst)).copy_(fd::tensor(src)));
}

fd_status fd_tensor_requires_grad(fd_tensor t, int32_t* value) {
  FD_GUARD({
    fd::require_out(value);
    *value = fd::tensor(t).requires_grad() ? 1 : 0;
  });
}

fd_status fd_tensor_set_requires_grad(fd_tensor t, int32_t value) {
  FD_GUARD(const_cast<at::Tensor&>(fd::tensor(t)).set_requires_grad(value != 0));
}

fd_status fd_tensor_grad(fd_tensor t, fd_tensor* out) {
  FD_GUARD({
    fd::require_out(out);
    const auto& grad = fd::tensor(t).grad();
    *out = grad.defined() ? fd::wrap(grad) : nullptr;
  });
}

fd_status fd_tensor_clear_grad(fd_tensor t) {
  FD_GUARD(const_cast<at::Tensor&>(fd::tensor(t)).mutable_grad().reset());
}

fd_status fd_tensor_backward(fd_tensor t, fd_tensor gradient, int32_t retain_graph) {
  FD_GUARD({
    const auto& value = fd::tensor(t);
    at::Tensor grad = gradient ? gradient->value : at::Tensor();
    value.backward(grad, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt);
  });
}

}  // extern "C"
