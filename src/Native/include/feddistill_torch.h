/*
 * feddistill_torch: a flat C ABI over libtorch's C++ API.
 *
 * Rules every export follows (see docs/native-abi.md):
 *  - returns fd_status: 0 on success, non-zero on failure; on failure fd_last_error() returns the
 *    message of the exception libtorch (or the shim) threw, valid until the next failing call on
 *    the same thread. No C++ exception ever crosses this boundary.
 *  - tensors are opaque fd_tensor handles owning one reference to an at::Tensor; the caller
 *    frees each handle it receives with fd_tensor_free exactly once.
 *  - arrays are passed as pointer plus length; optional tensors are NULL.
 *  - only APIs present in both libtorch 1.13 and 2.x are used, so the same sources build against
 *    a CUDA libtorch.
 */
#ifndef FEDDISTILL_TORCH_H
#define FEDDISTILL_TORCH_H

#include <stdint.h>

#if defined(_WIN32)
#define FD_API __declspec(dllexport)
#else
#define FD_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature or an enum value below changes; the C# binding refuses to run
 * against a different version. */
#define FD_ABI_VERSION 1

typedef int32_t fd_status;
typedef struct fd_tensor_s* fd_tensor;
typedef struct fd_optimizer_s* fd_optimizer;
typedef struct fd_script_module_s* fd_script_module;

/* Element types. Stable numbering owned by this ABI (not c10::ScalarType's). */
enum fd_dtype {
  FD_FLOAT32 = 0, FD_FLOAT16 = 1, FD_BFLOAT16 = 2, FD_INT64 = 3, FD_INT32 = 4,
  FD_UINT8 = 5, FD_BOOL = 6, FD_FLOAT64 = 7, FD_INT8 = 8, FD_INT16 = 9
};

enum fd_device_type { FD_CPU = 0, FD_CUDA = 1 };

/* ---- runtime (fd_runtime.cpp) ---- */
FD_API int32_t fd_abi_version(void);
FD_API const char* fd_last_error(void);
FD_API const char* fd_torch_version(void);
FD_API fd_status fd_manual_seed(uint64_t seed);
FD_API fd_status fd_set_num_threads(int32_t threads);
FD_API int32_t fd_get_num_threads(void);
FD_API int32_t fd_cuda_device_count(void);
/* Sets whether autograd records operations on this thread; writes the previous setting. */
FD_API fd_status fd_set_grad_enabled(int32_t enabled, int32_t* previous);

/* ---- tensors (fd_tensor.cpp) ---- */
FD_API void fd_tensor_free(fd_tensor t);
/* Copies `byte_count` bytes from `data` into a new contiguous tensor of the given shape. */
FD_API fd_status fd_tensor_from_data(const void* data, int64_t byte_count, const int64_t* shape,
                                     int32_t ndim, int32_t dtype, int32_t device_type,
                                     int32_t device_index, fd_tensor* out);
enum fd_factory { FD_EMPTY = 0, FD_ZEROS = 1, FD_ONES = 2, FD_FULL = 3, FD_RAND = 4,
                  FD_RANDN = 5, FD_UNIFORM = 6 };
/* `a`, `b`: FULL uses a as the value; UNIFORM draws from [a, b); NORMAL-like RANDN ignores them. */
FD_API fd_status fd_tensor_factory(int32_t kind, const int64_t* shape, int32_t ndim, int32_t dtype,
                                   int32_t device_type, int32_t device_index, double a, double b,
                                   fd_tensor* out);
FD_API fd_status fd_tensor_arange(double start, double end, double step, int32_t dtype,
                                  int32_t device_type, int32_t device_index, fd_tensor* out);
FD_API fd_status fd_tensor_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim,
                                   int32_t device_type, int32_t device_index, fd_tensor* out);
FD_API int32_t fd_tensor_ndim(fd_tensor t);
/* Writes min(ndim, capacity) sizes into `shape`. */
FD_API fd_status fd_tensor_shape(fd_tensor t, int64_t* shape, int32_t capacity);
FD_API int64_t fd_tensor_numel(fd_tensor t);
FD_API int32_t fd_tensor_dtype(fd_tensor t);
FD_API fd_status fd_tensor_device(fd_tensor t, int32_t* device_type, int32_t* device_index);
/* Copies the tensor's elements (converted to contiguous, on CPU, same dtype) into `dst`, which
 * must hold exactly numel * element size bytes. */
FD_API fd_status fd_tensor_copy_to(fd_tensor t, void* dst, int64_t byte_count);
/* Overwrites the tensor's elements in place from host memory (no autograd record). */
FD_API fd_status fd_tensor_copy_from(fd_tensor t, const void* src, int64_t byte_count);
FD_API fd_status fd_tensor_item(fd_tensor t, double* value);
FD_API fd_status fd_tensor_to(fd_tensor t, int32_t dtype, int32_t device_type,
                              int32_t device_index, fd_tensor* out);
FD_API fd_status fd_tensor_clone(fd_tensor t, fd_tensor* out);
FD_API fd_status fd_tensor_contiguous(fd_tensor t, fd_tensor* out);
FD_API fd_status fd_tensor_detach(fd_tensor t, fd_tensor* out);
/* Copies src into dst in place (shapes broadcast), recorded by autograd unless disabled. */
FD_API fd_status fd_tensor_copy_(fd_tensor dst, fd_tensor src);
FD_API fd_status fd_tensor_requires_grad(fd_tensor t, int32_t* value);
FD_API fd_status fd_tensor_set_requires_grad(fd_tensor t, int32_t value);
/* Writes NULL when the tensor has no gradient. */
FD_API fd_status fd_tensor_grad(fd_tensor t, fd_tensor* out);
/* Drops the accumulated gradient (as PyTorch's zero_grad(set_to_none=True)). */
FD_API fd_status fd_tensor_clear_grad(fd_tensor t);
/* `gradient` may be NULL for a scalar. */
FD_API fd_status fd_tensor_backward(fd_tensor t, fd_tensor gradient, int32_t retain_graph);

/* ---- element-wise, reductions, shapes (fd_ops.cpp) ---- */
enum fd_unary_op {
  FD_NEG = 0, FD_EXP = 1, FD_LOG = 2, FD_SQRT = 3, FD_ABS = 4, FD_RELU = 5, FD_GELU = 6,
  FD_SIGMOID = 7, FD_TANH = 8, FD_SQUARE = 9, FD_RSQRT = 10, FD_ISFINITE = 11, FD_LOG1P = 12,
  FD_SIGN = 13, FD_ISNAN = 14
};
FD_API fd_status fd_unary(int32_t op, fd_tensor a, fd_tensor* out);

enum fd_binary_op {
  FD_ADD = 0, FD_SUB = 1, FD_MUL = 2, FD_DIV = 3, FD_POW = 4, FD_MATMUL = 5, FD_EQ = 6,
  FD_NE = 7, FD_LT = 8, FD_LE = 9, FD_GT = 10, FD_GE = 11, FD_MAXIMUM = 12, FD_MINIMUM = 13,
  FD_LOGICAL_AND = 14, FD_LOGICAL_OR = 15, FD_REMAINDER = 16
};
FD_API fd_status fd_binary(int32_t op, fd_tensor a, fd_tensor b, fd_tensor* out);
/* The same operations with a scalar right-hand side (MATMUL and logical ops excluded). */
FD_API fd_status fd_binary_scalar(int32_t op, fd_tensor a, double b, fd_tensor* out);
/* a + alpha * b, in place on a when `in_place` is non-zero (then *out is NULL). */
FD_API fd_status fd_add_scaled(fd_tensor a, fd_tensor b, double alpha, int32_t in_place,
                               fd_tensor* out);
/* Clamps to [min, max]; NaN bounds mean unbounded on that side. */
FD_API fd_status fd_clamp(fd_tensor a, double min, double max, fd_tensor* out);
FD_API fd_status fd_where(fd_tensor condition, fd_tensor a, fd_tensor b, fd_tensor* out);

enum fd_reduce_op {
  FD_SUM = 0, FD_MEAN = 1, FD_AMAX = 2, FD_AMIN = 3, FD_PROD = 4, FD_VAR = 5, FD_STD = 6,
  FD_ARGMAX = 7, FD_ARGMIN = 8, FD_LOGSUMEXP = 9, FD_NORM = 10
};
/* ndims == 0 reduces over all dimensions (ARGMAX/ARGMIN then index the flattened tensor). */
FD_API fd_status fd_reduce(int32_t op, fd_tensor a, const int64_t* dims, int32_t ndims,
                           int32_t keepdim, fd_tensor* out);
FD_API fd_status fd_topk(fd_tensor a, int64_t k, int64_t dim, int32_t largest, fd_tensor* values,
                         fd_tensor* indices);
FD_API fd_status fd_sort(fd_tensor a, int64_t dim, int32_t descending, fd_tensor* values,
                         fd_tensor* indices);

FD_API fd_status fd_view(fd_tensor a, const int64_t* shape, int32_t ndim, fd_tensor* out);
FD_API fd_status fd_reshape(fd_tensor a, const int64_t* shape, int32_t ndim, fd_tensor* out);
FD_API fd_status fd_expand(fd_tensor a, const int64_t* shape, int32_t ndim, fd_tensor* out);
FD_API fd_status fd_permute(fd_tensor a, const int64_t* dims, int32_t ndim, fd_tensor* out);
FD_API fd_status fd_transpose(fd_tensor a, int64_t dim0, int64_t dim1, fd_tensor* out);
FD_API fd_status fd_squeeze(fd_tensor a, int64_t dim, fd_tensor* out);
FD_API fd_status fd_unsqueeze(fd_tensor a, int64_t dim, fd_tensor* out);
FD_API fd_status fd_flatten(fd_tensor a, int64_t start_dim, int64_t end_dim, fd_tensor* out);
FD_API fd_status fd_narrow(fd_tensor a, int64_t dim, int64_t start, int64_t length,
                           fd_tensor* out);
FD_API fd_status fd_index_select(fd_tensor a, int64_t dim, fd_tensor index, fd_tensor* out);
FD_API fd_status fd_gather(fd_tensor a, int64_t dim, fd_tensor index, fd_tensor* out);
FD_API fd_status fd_cat(const fd_tensor* tensors, int32_t count, int64_t dim, fd_tensor* out);
FD_API fd_status fd_stack(const fd_tensor* tensors, int32_t count, int64_t dim, fd_tensor* out);
FD_API fd_status fd_one_hot(fd_tensor labels, int64_t classes, fd_tensor* out);

/* ---- neural-network functions (fd_nn.cpp) ---- */
FD_API fd_status fd_linear(fd_tensor x, fd_tensor weight, fd_tensor bias, fd_tensor* out);
/* stride, padding, dilation: two values each (height, width). */
FD_API fd_status fd_conv2d(fd_tensor x, fd_tensor weight, fd_tensor bias, const int64_t* stride,
                           const int64_t* padding, const int64_t* dilation, int64_t groups,
                           fd_tensor* out);
FD_API fd_status fd_max_pool2d(fd_tensor x, const int64_t* kernel, const int64_t* stride,
                               const int64_t* padding, fd_tensor* out);
FD_API fd_status fd_avg_pool2d(fd_tensor x, const int64_t* kernel, const int64_t* stride,
                               const int64_t* padding, fd_tensor* out);
FD_API fd_status fd_adaptive_avg_pool2d(fd_tensor x, const int64_t* output_size, fd_tensor* out);
/* weight, bias, running_mean, running_var may be NULL; running statistics are updated in place
 * when training. */
FD_API fd_status fd_batch_norm(fd_tensor x, fd_tensor weight, fd_tensor bias,
                               fd_tensor running_mean, fd_tensor running_var, int32_t training,
                               double momentum, double eps, fd_tensor* out);
FD_API fd_status fd_layer_norm(fd_tensor x, const int64_t* normalized_shape, int32_t ndim,
                               fd_tensor weight, fd_tensor bias, double eps, fd_tensor* out);
FD_API fd_status fd_dropout(fd_tensor x, double p, int32_t training, fd_tensor* out);
FD_API fd_status fd_softmax(fd_tensor x, int64_t dim, int32_t log, fd_tensor* out);

enum fd_reduction { FD_REDUCTION_NONE = 0, FD_REDUCTION_MEAN = 1, FD_REDUCTION_SUM = 2,
                    FD_REDUCTION_BATCHMEAN = 3 };
/* target: int64 class indices, or float class probabilities of the input's shape. weight may be
 * NULL. */
FD_API fd_status fd_cross_entropy(fd_tensor input, fd_tensor target, fd_tensor weight,
                                  int32_t reduction, int64_t ignore_index,
                                  double label_smoothing, fd_tensor* out);
FD_API fd_status fd_nll_loss(fd_tensor input, fd_tensor target, fd_tensor weight,
                             int32_t reduction, int64_t ignore_index, fd_tensor* out);
/* KL(target || input) with input given as log-probabilities, as torch.nn.functional.kl_div. */
FD_API fd_status fd_kl_div(fd_tensor input, fd_tensor target, int32_t reduction,
                           int32_t log_target, fd_tensor* out);
FD_API fd_status fd_mse_loss(fd_tensor input, fd_tensor target, int32_t reduction,
                             fd_tensor* out);
FD_API fd_status fd_cosine_similarity(fd_tensor a, fd_tensor b, int64_t dim, double eps,
                                      fd_tensor* out);
/* Pairwise Euclidean distances between the rows of a (n x d) and b (m x d). */
FD_API fd_status fd_cdist(fd_tensor a, fd_tensor b, fd_tensor* out);

/* ---- optimizers (fd_optim.cpp) ---- */
FD_API fd_status fd_sgd_new(const fd_tensor* parameters, int32_t count, double lr,
                            double momentum, double dampening, double weight_decay,
                            int32_t nesterov, fd_optimizer* out);
/* decoupled != 0 gives AdamW. */
FD_API fd_status fd_adam_new(const fd_tensor* parameters, int32_t count, double lr, double beta1,
                             double beta2, double eps, double weight_decay, int32_t amsgrad,
                             int32_t decoupled, fd_optimizer* out);
FD_API fd_status fd_optimizer_step(fd_optimizer o);
FD_API fd_status fd_optimizer_zero_grad(fd_optimizer o);
FD_API fd_status fd_optimizer_set_lr(fd_optimizer o, double lr);
FD_API void fd_optimizer_free(fd_optimizer o);

/* ---- TorchScript (fd_jit.cpp) ---- */
FD_API fd_status fd_script_load(const char* path, int32_t device_type, int32_t device_index,
                                fd_script_module* out);
FD_API void fd_script_free(fd_script_module m);
/* Runs forward. A tensor result gives one output; a tuple or list of tensors gives each in
 * order; a dict of str to tensor gives its values in order, with names retrievable through
 * fd_script_output_name. Writes at most `capacity` handles and the total count. */
FD_API fd_status fd_script_forward(fd_script_module m, const fd_tensor* inputs, int32_t count,
                                   fd_tensor* outputs, int32_t capacity, int32_t* output_count);
/* Name of output i of the last dict-returning forward on this thread, or "" if none. */
FD_API const char* fd_script_output_name(int32_t index);
/* kind: 0 parameters, 1 buffers. Snapshot of the named tensors (recursive); handles share
 * storage with the module. */
FD_API fd_status fd_script_named_tensors(fd_script_module m, int32_t kind, int32_t* count);
FD_API fd_status fd_script_named_tensor(fd_script_module m, int32_t kind, int32_t index,
                                        const char** name, fd_tensor* out);
FD_API fd_status fd_script_train(fd_script_module m, int32_t on);
FD_API fd_status fd_script_save(fd_script_module m, const char* path);
FD_API fd_status fd_script_to(fd_script_module m, int32_t device_type, int32_t device_index);

#ifdef __cplusplus
}
#endif
#endif
