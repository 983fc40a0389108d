namespace RnnNotebooks.Notebooks;

/// <summary>
/// Names the class that creates a type's display formatters. This is .NET Interactive's
/// convention-based formatter source: the kernel (VS Code Polyglot Notebooks, Jupyter) looks for an
/// attribute with exactly this name and a <see cref="FormatterSourceType"/> property, without the library
/// referencing any .NET Interactive package; the workbook's runner (rnnbook) reads it the same way.
/// </summary>
/// <remarks>
/// The source type needs a public parameterless constructor and a public <c>CreateTypeFormatters()</c>
/// returning objects with <c>string MimeType</c>, <c>Type Type</c> and
/// <c>bool Format(object instance, TextWriter writer)</c> (<see cref="DisplayFormatter"/>, or derive the
/// source from <see cref="FormatterSource{T}"/>). To give a new type rich output (e.g. a training History),
/// write <c>sealed class HistoryFormatterSource : FormatterSource&lt;History&gt;</c> and put
/// <c>[TypeFormatterSource(typeof(HistoryFormatterSource), PreferredMimeTypes = [MimeTypes.Html, MimeTypes.PlainText])]</c>
/// on the type.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = true)]
public sealed class TypeFormatterSourceAttribute : Attribute
{
    public TypeFormatterSourceAttribute(Type formatterSourceType) => FormatterSourceType = formatterSourceType;

    /// <summary>The class whose <c>CreateTypeFormatters()</c> returns the formatters.</summary>
    public Type FormatterSourceType { get; }

    /// <summary>The MIME types a display of the value carries (the kernel's preference for the type).</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
