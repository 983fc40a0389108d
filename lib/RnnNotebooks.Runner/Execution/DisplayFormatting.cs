using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace RnnNotebooks.Runner.Execution;

/// <summary>
/// Turns a value into a MIME bundle (MIME type → text) the way the .NET Interactive kernel does for the
/// values the workbook shows. Rich formatters are found by convention, exactly as .NET Interactive finds
/// them without a package reference: an attribute whose type is named <c>TypeFormatterSourceAttribute</c>
/// on the value's type (or a base type) names, through its <c>FormatterSourceType</c> property, a class
/// with a parameterless constructor whose <c>CreateTypeFormatters()</c> returns formatter objects with
/// <c>string MimeType</c>, optional <c>Type Type</c>, and <c>bool Format(object instance, TextWriter writer)</c>.
/// The attribute's optional <c>PreferredMimeTypes</c> chooses which MIME types a display carries.
/// Everything is reached by reflection, so it works across load contexts (each notebook loads its own copy
/// of the library).
/// </summary>
public static class DisplayFormatting
{
    public const string PlainText = "text/plain";
    public const string Html = "text/html";

    private const int ListExpansionLimit = 20;

    private static readonly string[] DefaultMimeTypes = [Html, PlainText];

    private static readonly ConcurrentDictionary<Type, ConventionFormatters?> Cache = new();

    /// <summary>
    /// The bundle for <paramref name="value"/>: the requested MIME types if any are given, else the type's
    /// preferred ones (text/html and text/plain by default; strings are plain text only). text/plain is
    /// always present, so every output can be read without a renderer.
    /// </summary>
    public static SortedDictionary<string, string> Format(object? value, IReadOnlyList<string>? mimeTypes = null)
    {
        var bundle = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (value is null)
        {
            bundle[PlainText] = "<null>";
            return bundle;
        }
        var formatters = FormattersFor(value.GetType());
        IReadOnlyList<string> wanted =
            mimeTypes is { Count: > 0 } ? mimeTypes
            : formatters?.PreferredMimeTypes is { Length: > 0 } preferred ? preferred
            : value is string ? [PlainText]
            : DefaultMimeTypes;
        foreach (var mime in wanted)
        {
            if (formatters?.TryFormat(value, mime) is { } text)
                bundle[mime] = text;
            else if (mime == PlainText)
                bundle[mime] = PlainTextOf(value);
            else if (mime == Html)
                bundle[mime] = HtmlOf(value);
        }
        if (!bundle.ContainsKey(PlainText))
            bundle[PlainText] = formatters?.TryFormat(value, PlainText) ?? PlainTextOf(value);
        return bundle;
    }

    /// <summary>Plain text in .NET Interactive's style: invariant numbers, sequences as [ a, b, c ].</summary>
    public static string PlainTextOf(object? value, int depth = 0)
    {
        switch (value)
        {
            case null:
                return "<null>";
            case string s:
                return s;
            case IFormattable f:
                return f.ToString(null, CultureInfo.InvariantCulture);
            case IEnumerable sequence when depth < 3 && FormattersFor(value.GetType()) is null:
                var sb = new StringBuilder("[ ");
                int n = 0;
                foreach (var item in sequence)
                {
                    if (n == ListExpansionLimit)
                    {
                        sb.Append(" ... (more)");
                        break;
                    }
                    if (n > 0)
                        sb.Append(", ");
                    sb.Append(PlainTextOf(item, depth + 1));
                    n++;
                }
                return sb.Append(" ]").ToString();
            default:
                return FormattersFor(value.GetType())?.TryFormat(value, PlainText) ?? value.ToString() ?? "";
        }
    }

    private static string HtmlOf(object value) =>
        "<div class=\"dni-plaintext\"><pre>" + Export.HtmlText.Escape(PlainTextOf(value)) + "</pre></div>";

    private static ConventionFormatters? FormattersFor(Type type) => Cache.GetOrAdd(type, Discover);

    private static ConventionFormatters? Discover(Type type)
    {
        var formatters = new List<ConventionFormatter>();
        string[]? preferred = null;
        foreach (var attribute in type.GetCustomAttributes(inherit: true))
        {
            var attributeType = attribute.GetType();
            if (attributeType.Name != "TypeFormatterSourceAttribute")
                continue;
            if (Property(attribute, "FormatterSourceType") is not Type sourceType)
                continue;
            preferred ??= Property(attribute, "PreferredMimeTypes") as string[];
            object source =
                Activator.CreateInstance(sourceType)
                ?? throw new InvalidOperationException($"Cannot create formatter source {sourceType}.");
            var create =
                sourceType.GetMethod("CreateTypeFormatters", BindingFlags.Public | BindingFlags.Instance, [])
                ?? throw new InvalidOperationException(
                    $"Formatter source {sourceType.FullName} has no public CreateTypeFormatters() method."
                );
            if (create.Invoke(source, null) is not IEnumerable created)
                continue;
            foreach (var formatter in created)
                if (formatter is not null && ConventionFormatter.TryCreate(formatter, type) is { } f)
                    formatters.Add(f);
        }
        return formatters.Count == 0 ? null : new ConventionFormatters(formatters, preferred);
    }

    private static object? Property(object target, string name) =>
        target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(target);

    private sealed class ConventionFormatters(List<ConventionFormatter> formatters, string[]? preferred)
    {
        public string[]? PreferredMimeTypes { get; } = preferred;

        /// <summary>The most specific formatter for the MIME type that accepts the value, or null.</summary>
        public string? TryFormat(object value, string mime)
        {
            var type = value.GetType();
            foreach (
                var f in formatters
                    .Where(f => f.MimeType == mime && f.Type.IsAssignableFrom(type))
                    .OrderByDescending(f => Depth(f.Type))
            )
            {
                using var writer = new StringWriter(CultureInfo.InvariantCulture);
                if (f.Format(value, writer))
                    return writer.ToString();
            }
            return null;
        }

        private static int Depth(Type t)
        {
            int d = 0;
            for (var b = t; b is not null; b = b.BaseType)
                d++;
            return d;
        }
    }

    private sealed class ConventionFormatter
    {
        private readonly object _target;
        private readonly MethodInfo _format;

        private ConventionFormatter(object target, MethodInfo format, string mimeType, Type type)
        {
            _target = target;
            _format = format;
            MimeType = mimeType;
            Type = type;
        }

        public string MimeType { get; }

        public Type Type { get; }

        public static ConventionFormatter? TryCreate(object formatter, Type declaringType)
        {
            if (Property(formatter, "MimeType") is not string mime)
                return null;
            var format = formatter
                .GetType()
                .GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(m =>
                    m.Name == "Format"
                    && m.GetParameters() is { Length: 2 } p
                    && p[0].ParameterType == typeof(object)
                    && p[1].ParameterType == typeof(TextWriter)
                );
            if (format is null)
                return null;
            var type = Property(formatter, "Type") as Type ?? declaringType;
            return new ConventionFormatter(formatter, format, mime, type);
        }

        public bool Format(object value, TextWriter writer)
        {
            try
            {
                return _format.Invoke(_target, [value, writer]) is not false;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
