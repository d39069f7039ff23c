#include "fd_internal.h"

#include <cmath>
#include <memory>

struct fd_optimizer_s {
  std::unique_ptr<torch::optim::Optimizer> optimizer;
};

namespace {

void require_learning_rate(double value) {
  // Zero is allowed: a cosine schedule may anneal to it.
  if (!(value >= 0.0) || std::isinf(value))
    throw std::invalid_argument("learning rate must be a finite number >= 0");
}

torch::optim::Optimizer& optimizer(fd_optimizer o) {
  if (o == nullptr || !o->optimizer) throw std::invalid_argument("optimizer handle is null");
  return *o->optimizer;
}

}  // namespace

extern "C" {

fd_status fd_sgd_new(const fd_tensor* parameters, int32_t count, double lr, double momentum,
                     double dampening, double weight_decay, int32_t nesterov, fd_optimizer* out) {
  FD_GUARD({
    fd::require_out(out);
    require_learning_rate(lr);
    if (nesterov && (momentum <= 0.0 || dampening != 0.0))
      throw std::invalid_argument("Nesterov momentum requires a momentum and zero dampening");
    auto options = torch::optim::SGDOptions(lr)
                       .momentum(momentum)
                       .dampening(dampening)
                       .weight_decay(weight_decay)
                       .nesterov(nesterov != 0);
    auto sgd = std::make_unique<torch::optim::SGD>(fd::tensor_list(parameters, count), options);
    *out = new fd_optimizer_s{std::move(sgd)};
  });
}

fd_status fd_adam_new(const fd_tensor* parameters, int32_t count, double lr, double beta1,
                      double beta2, double eps, double weight_decay, int32_t amsgrad,
                      int32_t decoupled, fd_optimizer* out) {
  FD_GUARD({
    fd::require_out(out);
    require_learning_rate(lr);
    if (!(beta1 >= 0.0 && beta1 < 1.0) || !(beta2 >= 0.0 && beta2 < 1.0))
      throw std::invalid_argument("Adam betas must be in [0, 1)");
    auto params = fd::tensor_list(parameters, count);
    std::unique_ptr<torch::optim::Optimizer> adam;
    if (decoupled) {
      auto options = torch::optim::AdamWOptions(lr)
                         .betas(std::make_tuple(beta1, beta2))
                         .eps(eps)
                         .weight_decay(weight_decay)
                         .amsgrad(amsgrad != 0);
      adam = std::make_unique<torch::optim::AdamW>(params, options);
    } else {
      auto options = torch::optim::AdamOptions(lr)
                         .betas(std::make_tuple(beta1, beta2))
                         .eps(eps)
                         .weight_decay(weight_decay)
                         .amsgrad(amsgrad != 0);
      adam = std::make_unique<torch::optim::Adam>(params, options);
    }
    *out = new fd_optimizer_s{std::move(adam)};
  });
}

fd_status fd_optimizer_step(fd_optimizer o) {
  FD_GUARD({
    at::NoGradGuard no_grad;
    optimizer(o).step();
  });
}

fd_status fd_optimizer_zero_grad(fd_optimizer o) {
  FD_GUARD({
    // set_to_none semantics, as PyTorch 2.x defaults to: skips a memset per parameter.
    for (auto& group : optimizer(o).param_groups())
      for (auto& parameter : group.params()) parameter.mutable_grad().reset();
  });
}

fd_status fd_optimizer_set_lr(fd_optimizer o, double lr) {
  FD_GUARD({
    require_learning_rate(lr);
    for (auto& group : optimizer(o).param_groups()) group.options().set_lr(lr);
  });
}

void fd_optimizer_free(fd_optimizer o) { delete o; }

}  // extern "C"
