namespace FedDistill.Torch.Nn;

/// <summary>Applies its layers in order; children are named 0, 1, 2... as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = new();

    /// <summary>Creates the chain, taking ownership of the layers.</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>Adds a layer at the end, taking ownership of it.</summary>
    public Sequential Append(Module layer)
    {
        _layers.Add(RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
        return this;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var current = input;
        foreach (var layer in _layers)
        {
            var next = layer.Forward(current);
            // Freed as soon as the next layer has consumed it, as Python's reference counting
            // would: autograd holds its own reference to whatever backward needs, and releasing
            // early lets libtorch's allocator reuse the buffer within the same forward pass.
            if (!ReferenceEquals(current, input)) current.Dispose();
            current = next;
        }
        return current;
    }
}
