namespace FedDistill.Torch;

/// <summary>
/// An error reported by libtorch (or by the native shim's argument checks), carrying libtorch's
/// own message. The native call that raised it changed nothing the caller can observe.
/// </summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception from a native message and status code.</summary>
    public TorchException(string message, int status) : base(message) => Status = status;

    /// <summary>The native status: 1 for a c10::Error, 2 for another std::exception, 3 for anything else.</summary>
    public int Status { get; }
}
