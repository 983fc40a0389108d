using RnnNotebooks.Display;

namespace RnnNotebooks.Notebooks;

/// <summary>
/// One formatter in .NET Interactive's convention: it writes instances of <see cref="Type"/> as
/// <see cref="MimeType"/>. Kernels call <see cref="Format"/> by reflection, so its shape is fixed: one public
/// method named Format taking (object, TextWriter) and returning whether it wrote anything.
/// </summary>
public sealed class DisplayFormatter
{
    private readonly Func<object, string?> _format;

    /// <param name="type">The values it formats (and subclasses).</param>
    /// <param name="mimeType">What it writes, e.g. text/html.</param>
    /// <param name="format">The text for an instance, or null to decline it (the kernel then tries others).</param>
    public DisplayFormatter(Type type, string mimeType, Func<object, string?> format)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrEmpty(mimeType);
        ArgumentNullException.ThrowIfNull(format);
        Type = type;
        MimeType = mimeType;
        _format = format;
    }

    public Type Type { get; }

    public string MimeType { get; }

    public bool Format(object instance, TextWriter writer)
    {
        if (instance is null || !Type.IsInstanceOfType(instance))
            return false;
        string? text = _format(instance);
        if (text is null)
            return false;
        writer.Write(text);
        return true;
    }
}

/// <summary>
/// A formatter source for one type: text/html from <see cref="ToHtml"/>, text/plain from
/// <see cref="ToPlainText"/> (ToString() unless overridden), and any extra formatters.
/// </summary>
public abstract class FormatterSource<T>
    where T : class
{
    /// <summary>Called by the kernel (by name) to get this type's formatters.</summary>
    public IEnumerable<DisplayFormatter> CreateTypeFormatters()
    {
        yield return new DisplayFormatter(typeof(T), MimeTypes.Html, o => ToHtml((T)o));
        yield return new DisplayFormatter(typeof(T), MimeTypes.PlainText, o => ToPlainText((T)o));
        foreach (var extra in ExtraFormatters())
            yield return extra;
    }

    protected abstract string ToHtml(T value);

    protected virtual string ToPlainText(T value) => value.ToString() ?? "";

    protected virtual IEnumerable<DisplayFormatter> ExtraFormatters() => [];
}
