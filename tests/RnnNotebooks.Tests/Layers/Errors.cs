using RnnNotebooks.Layers;

namespace RnnNotebooks.Tests.Layers;

internal static class Errors
{
    /// <summary>The message of the LayerException that <paramref name="act"/> must throw.</summary>
    public static string Message(Action act) => act.Should().Throw<LayerException>().Which.Message;
}
