namespace FedDistill.Torch;

/// <summary>Kind of device a tensor lives on; values are the native ABI's <c>fd_device_type</c>.</summary>
public enum DeviceType
{
    /// <summary>Host memory, computed by libtorch's CPU kernels.</summary>
    Cpu = 0,
    /// <summary>An NVIDIA GPU, available only with a CUDA build of libtorch.</summary>
    Cuda = 1,
}
