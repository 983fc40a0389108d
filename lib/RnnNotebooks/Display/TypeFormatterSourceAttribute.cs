namespace RnnNotebooks.Display;

/// <summary>
/// Names the class that creates a type's display formatters. This is .NET Interactive's
/// convention-based formatter source: the kernel (VS Code Polyglot Notebooks, Jupyter, rnnbook's in-process kernel)
/// looks for an attribute with exactly this name and reads its <see cref="FormatterSourceType"/> property by
/// reflection, without the library referencing any .NET Interactive package.
/// </summary>
/// <remarks>
/// The source type needs a public parameterless constructor and a public <c>CreateTypeFormatters()</c>
/// returning objects with <c>string MimeType</c>, <c>Type Type</c> and
/// <c>bool Format(object instance, TextWriter writer)</c> (RnnNotebooks.Notebooks' <c>DisplayFormatter</c>, or derive
/// the source from its <c>FormatterSource&lt;T&gt;</c>).
/// <para>
/// This attribute lives in the lowest namespace so that the engine's own types (a Tensor, a History, a model
/// summary) can carry it while their formatters live above them, in RnnNotebooks.Notebooks: such a type names its
/// source by full name (<see cref="TypeFormatterSourceAttribute(string)"/>), resolved in this library's assembly when
/// the kernel first displays a value, so that the lower namespace never references the upper one. Code above
/// Notebooks (Charts, a notebook's own types) names the source with <c>typeof</c>.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = true)]
public sealed class TypeFormatterSourceAttribute : Attribute
{
    private readonly string? _formatterSourceTypeName;
    private Type? _formatterSourceType;

    /// <summary>The source is <paramref name="formatterSourceType"/>.</summary>
    public TypeFormatterSourceAttribute(Type formatterSourceType)
    {
        ArgumentNullException.ThrowIfNull(formatterSourceType);
        _formatterSourceType = formatterSourceType;
    }

    /// <summary>
    /// The source is the type of this library named <paramref name="formatterSourceTypeName"/> (full name, e.g.
    /// <c>RnnNotebooks.Notebooks.TensorFormatterSource</c>), looked up when the kernel asks for it.
    /// </summary>
    public TypeFormatterSourceAttribute(string formatterSourceTypeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(formatterSourceTypeName);
        _formatterSourceTypeName = formatterSourceTypeName;
    }

    /// <summary>The class whose <c>CreateTypeFormatters()</c> returns the formatters.</summary>
    /// <exception cref="TypeLoadException">A source named by a string that this library does not define.</exception>
    public Type FormatterSourceType =>
        _formatterSourceType ??= typeof(TypeFormatterSourceAttribute).Assembly.GetType(
            _formatterSourceTypeName!,
            throwOnError: true
        )!;

    /// <summary>The MIME types a display of the value carries (the kernel's preference for the type).</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
