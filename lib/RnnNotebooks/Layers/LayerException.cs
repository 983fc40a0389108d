namespace RnnNotebooks.Layers;

/// <summary>Raised for a wrong shape or argument; the message names the layer, what it expected and what it got.</summary>
public sealed class LayerException : ArgumentException
{
    public LayerException(string message)
        : base(message) { }
}
