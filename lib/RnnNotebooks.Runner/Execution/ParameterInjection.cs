using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace RnnNotebooks.Runner.Execution;

/// <summary>
/// Papermill's parameters for C#: the values given on the command line (<c>-p quick=true</c>) become a
/// cell of C# assignments inserted after the cell tagged <c>parameters</c>. A parameter the notebook
/// declares keeps its declared type (<c>-p lr=0.01</c> for <c>float lr</c> writes <c>lr = 0.01f;</c>); one it
/// does not declare is declared with the type its text parses as (bool, int, long, double, else string).
/// </summary>
public static class ParameterInjection
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    /// <summary>The injected cell's source, or the message saying which value does not fit which type.</summary>
    /// <param name="parameters">Name and raw text of each parameter, in command-line order.</param>
    /// <param name="declaredType">The type of a variable the notebook has declared, or null.</param>
    public static (string Source, string? Error) BuildSource(
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        Func<string, Type?> declaredType
    )
    {
        var sb = new StringBuilder("// Parameters injected by rnnbook (-p)\n");
        foreach (var (name, text) in parameters)
        {
            if (declaredType(name) is { } type)
            {
                if (Literal(text, type) is not { } literal)
                    return (
                        sb.ToString(),
                        $"parameter {name} is a {TypeName(type)} in the notebook; the value \"{text}\" is not a {TypeName(type)}"
                    );
                sb.Append(name).Append(" = ").Append(literal).Append(";\n");
            }
            else
            {
                sb.Append("var ").Append(name).Append(" = ").Append(InferredLiteral(text)).Append(";\n");
            }
        }
        return (sb.ToString(), null);
    }

    /// <summary>Is <paramref name="name"/> usable as a C# variable name?</summary>
    public static bool IsValidName(string name) =>
        SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None;

    /// <summary>A C# literal for the text, typed by parsing: bool, int, long, double, else string.</summary>
    public static string InferredLiteral(string text)
    {
        if (bool.TryParse(text, out var b))
            return b ? "true" : "false";
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            return i.ToString(CultureInfo.InvariantCulture);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return l.ToString(CultureInfo.InvariantCulture) + "L";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return DoubleLiteral(d);
        return SymbolDisplay.FormatLiteral(text, quote: true);
    }

    private static string? Literal(string text, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        const NumberStyles Integer = NumberStyles.AllowLeadingSign;
        var inv = CultureInfo.InvariantCulture;
        return Type.GetTypeCode(type) switch
        {
            TypeCode.String => SymbolDisplay.FormatLiteral(text, quote: true),
            TypeCode.Boolean => bool.TryParse(text, out var b) ? (b ? "true" : "false") : null,
            TypeCode.Int32 => int.TryParse(text, Integer, inv, out var i) ? i.ToString(inv) : null,
            TypeCode.Int64 => long.TryParse(text, Integer, inv, out var l) ? l.ToString(inv) + "L" : null,
            TypeCode.Int16 => short.TryParse(text, Integer, inv, out var s) ? $"(short){s.ToString(inv)}" : null,
            TypeCode.Byte => byte.TryParse(text, Integer, inv, out var y) ? $"(byte){y.ToString(inv)}" : null,
            TypeCode.UInt32 => uint.TryParse(text, Integer, inv, out var u) ? u.ToString(inv) + "U" : null,
            TypeCode.UInt64 => ulong.TryParse(text, Integer, inv, out var ul) ? ul.ToString(inv) + "UL" : null,
            TypeCode.Double => double.TryParse(text, NumberStyles.Float, inv, out var d) && double.IsFinite(d)
                ? DoubleLiteral(d)
                : null,
            TypeCode.Single => float.TryParse(text, NumberStyles.Float, inv, out var f) && float.IsFinite(f)
                ? f.ToString("R", inv) + "f"
                : null,
            TypeCode.Decimal => decimal.TryParse(text, NumberStyles.Float, inv, out var m)
                ? m.ToString(inv) + "m"
                : null,
            _ => null,
        };
    }

    private static string DoubleLiteral(double d)
    {
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        return r.Contains('.') || r.Contains('E') ? r : r + ".0";
    }

    private static string TypeName(Type type) =>
        Type.GetTypeCode(Nullable.GetUnderlyingType(type) ?? type) switch
        {
            TypeCode.String => "string",
            TypeCode.Boolean => "bool",
            TypeCode.Int32 => "int",
            TypeCode.Int64 => "long",
            TypeCode.Double => "double",
            TypeCode.Single => "float",
            TypeCode.Decimal => "decimal",
            _ => type.Name,
        };
}
