#include "fd_internal.h"

namespace {

c10::IntArrayRef pair(const int64_t* values, const char* name) {
  if (values == nullptr) throw std::invalid_argument(std::string(name) + " is null");
  return c10::IntArrayRef(values, 2);
}

int64_t reduction(int32_t code) {
  switch (code) {
    case FD_REDUCTION_NONE: return at::Reduction::None;
    case FD_REDUCTION_MEAN: return at::Reduction::Mean;
    case FD_REDUCTION_SUM: return at::Reduction::Sum;
    default: throw std::invalid_argument("unsupported reduction " + std::to_string(code));
  }
}

}  // namespace

extern "C" {

fd_status fd_linear(fd_tensor x, fd_tensor weight, fd_tensor bias, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::linear(fd::tensor(x), fd::tensor(weight), fd::optional_tensor(bias)));
}

fd_status fd_conv2d(fd_tensor x, fd_tensor weight, fd_tensor bias, const int64_t* stride,
                    const int64_t* padding, const int64_t* dilation, int64_t groups,
                    fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::conv2d(fd::tensor(x), fd::tensor(weight), fd::optional_tensor(bias),
                                   pair(stride, "stride"), pair(padding, "padding"),
                                   pair(dilation, "dilation"), groups));
}

fd_status fd_max_pool2d(fd_tensor x, const int64_t* kernel, const int64_t* stride,
                        const int64_t* padding, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::max_pool2d(fd::tensor(x), pair(kernel, "kernel"),
                                       pair(stride, "stride"), pair(padding, "padding")));
}

fd_status fd_avg_pool2d(fd_tensor x, const int64_t* kernel, const int64_t* stride,
                        const int64_t* padding, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::avg_pool2d(fd::tensor(x), pair(kernel, "kernel"),
                                       pair(stride, "stride"), pair(padding, "padding")));
}

fd_status fd_adaptive_avg_pool2d(fd_tensor x, const int64_t* output_size, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::adaptive_avg_pool2d(fd::tensor(x), pair(output_size, "output_size")));
}

fd_status fd_batch_norm(fd_tensor x, fd_tensor weight, fd_tensor bias, fd_tensor running_mean,
                        fd_tensor running_var, int32_t training, double momentum, double eps,
                        fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::batch_norm(fd::tensor(x), fd::optional_tensor(weight),
                                       fd::optional_tensor(bias),
                                       fd::optional_tensor(running_mean),
                                       fd::optional_tensor(running_var), training != 0, momentum,
                                       eps, /*cudnn_enabled=*/true));
}

fd_status fd_layer_norm(fd_tensor x, const int64_t* normalized_shape, int32_t ndim,
                        fd_tensor weight, fd_tensor bias, double eps, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::layer_norm(fd::tensor(x), fd::int_array(normalized_shape, ndim),
                                       fd::optional_tensor(weight), fd::optional_tensor(bias),
                                       eps, /*cudnn_enable=*/true));
}

fd_status fd_dropout(fd_tensor x, double p, int32_t training, fd_tensor* out) {
  FD_GUARD({
    fd::require_out(out);
    if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("dropout probability must be in [0, 1]");
    *out = fd::wrap(at::dropout(fd::tensor(x), p, training != 0));
  });
}

fd_status fd_softmax(fd_tensor x, int64_t dim, int32_t log, fd_tensor* out) {
  FD_RETURN_TENSOR(out, log ? at::log_softmax(fd::tensor(x), dim) : at::softmax(fd::tensor(x), dim));
}

fd_status fd_cross_entropy(fd_tensor input, fd_tensor target, fd_tensor weight,
                           int32_t reduction_code, int64_t ignore_index, double label_smoothing,
                           fd_tensor* out) {
  FD_GUARD({
    fd::require_out(out);
    if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
      throw std::invalid_argument("label smoothing must be in [0, 1]");
    *out = fd::wrap(at::cross_entropy_loss(fd::tensor(input), fd::tensor(target),
                                           fd::optional_tensor(weight), reduction(reduction_code),
                                           ignore_index, label_smoothing));
  });
}

fd_status fd_nll_loss(fd_tensor input, fd_tensor target, fd_tensor weight, int32_t reduction_code,
                      int64_t ignore_index, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::nll_loss(fd::tensor(input), fd::tensor(target),
                                     fd::optional_tensor(weight), reduction(reduction_code),
                                     ignore_index));
}

fd_status fd_kl_div(fd_tensor input, fd_tensor target, int32_t reduction_code, int32_t log_target,
                    fd_tensor* out) {
  FD_GUARD({
    fd::require_out(out);
    const auto& in = fd::tensor(input);
    if (reduction_code == FD_REDUCTION_BATCHMEAN) {
      // As torch.nn.functional.kl_div: the summed divergence divided by the batch size, the
      // mathematically correct KL per example that mean (per element) is not.
      if (in.dim() == 0) throw std::invalid_argument("batchmean needs a batch dimension");
      auto sum = at::kl_div(in, fd::tensor(target), at::Reduction::Sum, log_target != 0);
      *out = fd::wrap(sum / in.size(0));
    } else {
      *out = fd::wrap(at::kl_div(in, fd::tensor(target), reduction(reduction_code), log_target != 0));
    }
  });
}

fd_status fd_mse_loss(fd_tensor input, fd_tensor target, int32_t reduction_code, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::mse_loss(fd::tensor(input), fd::tensor(target), reduction(reduction_code)));
}

fd_status fd_cosine_similarity(fd_tensor a, fd_tensor b, int64_t dim, double eps, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::cosine_similarity(fd::tensor(a), fd::tensor(b), dim, eps));
}

fd_status fd_cdist(fd_tensor a, fd_tensor b, fd_tensor* out) {
  FD_RETURN_TENSOR(out, at::cdist(fd::tensor(a), fd::tensor(b)));
}

}  // extern "C"
