#include "fd_internal.h"

#include <cmath>

namespace {

at::Tensor unary(int32_t op, const at::Tensor& a) {
  switch (op) {
    case FD_NEG: return a.neg();
    case FD_EXP: return a.exp();
    case FD_LOG: return a.log();
    case FD_SQRT: return a.sqrt();
    case FD_ABS: return a.abs();
    case FD_RELU: return at::relu(a);
    case FD_GELU: return at::gelu(a);
    case FD_SIGMOID: return a.sigmoid();
    case FD_TANH: return a.tanh();
    case FD_SQUARE: return a.square();
    case FD_RSQRT: return a.rsqrt();
    case FD_ISFINITE: return a.isfinite();
    case FD_LOG1P: return a.log1p();
    case FD_SIGN: return a.sign();
    case FD_ISNAN: return a.isnan();
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

template <typename Rhs>
at::Tensor binary(int32_t op, const at::Tensor& a, const Rhs& b) {
  switch (op) {
    case FD_ADD: return at::add(a, b);
    case FD_SUB: return at::sub(a, b);
    case FD_MUL: return at::mul(a, b);
    case FD_DIV: return at::div(a, b);
    case FD_POW: return at::pow(a, b);
    case FD_EQ: return at::eq(a, b);
    case FD_NE: return at::ne(a, b);
    case FD_LT: return at::lt(a, b);
    case FD_LE: return at::le(a, b);
    case FD_GT: return at::gt(a, b);
    case FD_GE: return at::ge(a, b);
    case FD_REMAINDER: return at::remainder(a, b);
    default: break;
  }
  if constexpr (std::is_same_v<Rhs, at::Tensor>) {
    switch (op) {
      case FD_MATMUL: return at::matmul(a, b);
      case FD_MAXIMUM: return at::maximum(a, b);
      case FD_MINIMUM: return at::minimum(a, b);
      case FD_LOGICAL_AND: return at::logical_and(a, b);
      case FD_LOGICAL_OR: return at::logical_or(a, b);
      default: break;
    }
  } else {
    switch (op) {
      case FD_MAXIMUM: return at::clamp_min(a, b);
      case FD_MINIMUM: return at::clamp_max(a, b);
      default: break;
    }
  }
  throw std::invalid_argument("unknown or unsupported binary op " + std::to_string(op));
}

at::Tensor reduce(int32_t op, const at::Tensor& a, c10::IntArrayRef dims, bool keepdim) {
  bool all = dims.empty();
  switch (op) {
    case FD_SUM: return all && !keepdim ? a.sum() : a.sum(dims, keepdim);
    case FD_MEAN: return all && !keepdim ? a.mean() : a.mean(dims, keepdim);
    case FD_AMAX: return a.amax(dims, keepdim);
    case FD_AMIN: return a.amin(dims, keepdim);
    case FD_PROD:
      if (all) return a.prod();
      if (dims.size() != 1) throw std::invalid_argument("prod reduces over one dimension");
      return a.prod(dims[0], keepdim);
    case FD_VAR: return at::var(a, dims, /*unbiased=*/true, keepdim);
    case FD_STD: return at::std(a, dims, /*unbiased=*/true, keepdim);
    case FD_ARGMAX:
    case FD_ARGMIN: {
      c10::optional<int64_t> dim;
      if (!all) {
        if (dims.size() != 1) throw std::invalid_argument("argmax/argmin take one dimension");
        dim = dims[0];
      }
      return op == FD_ARGMAX ? a.argmax(dim, keepdim) : a.argmin(dim, keepdim);
    }
    case FD_LOGSUMEXP: {
      if (all) {
        std::vector<int64_t> every(static_cast<size_t>(a.dim()));
        for (int64_t i = 0; i < a.dim(); ++i) every[static_cast<size_t>(i)] = i;
        return a.logsumexp(every, keepdim);
      }
      return a.logsumexp(dims, keepdim);
    }
    case FD_NORM:
      return all && !keepdim ? a.norm() : at::norm(a, c10::optional<at::Scalar>(2.0), dims, keepdim);
    default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
  }
}

}  // namespace

extern "C" {

fd_status fd_unary(int32_t op, fd_tensor a, fd_tensor* out) {
  FD_RETURN_TENSOR(out, unary(op, fd::tensor(a)));
}

fd_status fd_binary(int32_t op, fd_tensor a, fd_tensor b, fd_tensor* out) {
  FD_RETURN_TENSOR(out, binary(op, fd::tensor(a), fd::tensor(b)));
}

fd_status fd_binary_scalar(int32_t op, fd_tensor a, double b, fd_tensor* out) {
  FD_GUARD({
    fd::require_out(out);
    const auto& tensor = fd::tensor(a);
    // A whole number keeps an integer tensor integer, as `labels * 2` does in PyTorch; a
    // fractional scalar still promotes to the default float type.
    bool whole = std::isfinite(b) && b == std::trunc(b) && std::fabs(b) < 9.2e18;
    at::Scalar scalar = whole && at::isIntegralType(tensor.scalar_type(), /*includeBool=*/false)
                            ? at::Scalar(static_cast<int64_t>(b))
                            : at::Scalar(b);
    *out = fd::wrap(binary(op, tensor, scalar));
  });
}

fd_status fd_add_scaled(fd_tensor a, fd_tensor b, double alpha, int32_t in_place,
                        fd_tensor* out) {
  FD_GUARD({
    if (in_place) {
      const_cast<at::Tensor&>(fd::tensor(a)).add_(fd::tensor(b), alpha);
      if (out) *out = nullptr;
    } else {
      fd::require_out(out);
      *out = fd::wrap(at::add(fd::tensor(a), fd::tensor(b), alpha));
    }
  });
}

fd_status fd_clamp(fd_tensor a, double min, double max, fd_tensor* out) {
  c10::optional<at::Scalar> low = std::isnan(min) ? c10::nullopt : c10::optional<at::Scalar>(min);
  c10::optional<at::Scalar> high = std::isnan(max) ? c10::nullopt : c10::optional<at::Scalar>(max);
  FD_RETURN_TENSOR(out, at::clamp(fd::tensor(a), low, high));
}

fd_status fd_where(fd_tensor condition, fd_tensor a, fd_tensor b, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::where(fd::tensor(condition), fd::tensor(a), fd::tensor(b)));
}

fd_status fd_reduce(int32_t op, fd_tensor a, const int64_t* dims, int32_t ndims, int32_t keepdim,
                    fd_tensor* out) {
  FD_RETURN_TENSOR(out, reduce(op, fd::tensor(a), fd::int_array(dims, ndims), keepdim != 0));
}

fd_status fd_topk(fd_tensor a, int64_t k, int64_t dim, int32_t largest, fd_tensor* values,
                  fd_tensor* indices) {
  FD_GUARD({
    fd::require_out(values);
    fd::require_out(indices);
    auto result = fd::tensor(a).topk(k, dim, largest != 0, /*sorted=*/true);
    *values = fd::wrap(std::get<0>(result));
    *indices = fd::wrap(std::get<1>(result));
  });
}

fd_status fd_sort(fd_tensor a, int64_t dim, int32_t descending, fd_tensor* values,
                  fd_tensor* indices) {
  FD_GUARD({
    fd::require_out(values);
    fd::require_out(indices);
    auto result = fd::tensor(a).sort(dim, descending != 0);
    *values = fd::wrap(std::get<0>(result));
    *indices = fd::wrap(std::get<1>(result));
  });
}

fd_status fd_view(fd_tensor a, const int64_t* shape, int32_t ndim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).view(fd::int_array(shape, ndim)));
}

fd_status fd_reshape(fd_tensor a, const int64_t* shape, int32_t ndim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).reshape(fd::int_array(shape, ndim)));
}

fd_status fd_expand(fd_tensor a, const int64_t* shape, int32_t ndim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).expand(fd::int_array(shape, ndim)));
}

fd_status fd_permute(fd_tensor a, const int64_t* dims, int32_t ndim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).permute(fd::int_array(dims, ndim)));
}

fd_status fd_transpose(fd_tensor a, int64_t dim0, int64_t dim1, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).transpose(dim0, dim1));
}

fd_status fd_squeeze(fd_tensor a, int64_t dim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).squeeze(dim));
}

fd_status fd_unsqueeze(fd_tensor a, int64_t dim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).unsqueeze(dim));
}

fd_status fd_flatten(fd_tensor a, int64_t start_dim, int64_t end_dim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).flatten(start_dim, end_dim));
}

fd_status fd_narrow(fd_tensor a, int64_t dim, int64_t start, int64_t length, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).narrow(dim, start, length));
}

fd_status fd_index_select(fd_tensor a, int64_t dim, fd_tensor index, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).index_select(dim, fd::tensor(index)));
}

fd_status fd_gather(fd_tensor a, int64_t dim, fd_tensor index, fd_tensor* out) {
  FD_RETURN_TENSOR(out, fd::tensor(a).gather(dim, fd::tensor(index)));
}

fd_status fd_cat(const fd_tensor* tensors, int32_t count, int64_t dim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::cat(fd::tensor_list(tensors, count), dim));
}

fd_status fd_stack(const fd_tensor* tensors, int32_t count, int64_t dim, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::stack(fd::tensor_list(tensors, count), dim));
}

fd_status fd_one_hot(fd_tensor labels, int64_t classes, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::one_hot(fd::tensor(labels), classes));
}

}  // extern "C"
