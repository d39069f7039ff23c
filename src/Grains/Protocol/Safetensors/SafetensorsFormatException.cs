namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// Thrown by <see cref="SafetensorsReader"/> when its input is not a well-formed safetensors
/// file. It is the only exception malformed input can cause, so a caller that receives files
/// from outside (uploaded logits, checkpoints) can catch it alone and report the message.
/// </summary>
/// <remarks>
/// The message names what is wrong and where, in terms of the file itself, for example
/// <c>tensor 'w': data_offsets [0, 80] run past the end of the 64-byte data buffer</c>.
/// </remarks>
internal sealed class SafetensorsFormatException : FormatException
{
    /// <summary>Creates the exception with a message that says what is wrong with the input.</summary>
    /// <param name="message">What is wrong, naming the tensor or header field at fault.</param>
    public SafetensorsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for a lower-level failure, such as a JSON syntax error.</summary>
    /// <param name="message">What is wrong, naming the tensor or header field at fault.</param>
    /// <param name="innerException">The failure that revealed the problem.</param>
    public SafetensorsFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
