using System.Text;

namespace RnnNotebooks.Runner.Export;

/// <summary>
/// Turns the TeX of notebook equations into readable HTML text without a script: Greek letters and
/// operators as Unicode, <c>_t</c>/<c>^{2}</c> as sub/superscripts, <c>\frac{a}{b}</c> as a/b, function
/// names upright. It is not a TeX engine; anything it does not know is shown as written, and the source
/// stays available in the element's title.
/// </summary>
public static partial class MathText
{
    private static readonly Dictionary<string, string> Symbols = new(StringComparer.Ordinal)
    {
        ["alpha"] = "α",
        ["beta"] = "β",
        ["gamma"] = "γ",
        ["delta"] = "δ",
        ["epsilon"] = "ε",
        ["varepsilon"] = "ε",
        ["zeta"] = "ζ",
        ["eta"] = "η",
        ["theta"] = "θ",
        ["iota"] = "ι",
        ["kappa"] = "κ",
        ["lambda"] = "λ",
        ["mu"] = "μ",
        ["nu"] = "ν",
        ["xi"] = "ξ",
        ["pi"] = "π",
        ["rho"] = "ρ",
        ["sigma"] = "σ",
        ["tau"] = "τ",
        ["phi"] = "φ",
        ["varphi"] = "φ",
        ["chi"] = "χ",
        ["psi"] = "ψ",
        ["omega"] = "ω",
        ["Gamma"] = "Γ",
        ["Delta"] = "Δ",
        ["Theta"] = "Θ",
        ["Lambda"] = "Λ",
        ["Sigma"] = "Σ",
        ["Phi"] = "Φ",
        ["Psi"] = "Ψ",
        ["Omega"] = "Ω",
        ["cdot"] = "·",
        ["times"] = "×",
        ["odot"] = "⊙",
        ["otimes"] = "⊗",
        ["oplus"] = "⊕",
        ["partial"] = "∂",
        ["nabla"] = "∇",
        ["sum"] = "∑",
        ["prod"] = "∏",
        ["int"] = "∫",
        ["in"] = "∈",
        ["leq"] = "≤",
        ["le"] = "≤",
        ["geq"] = "≥",
        ["ge"] = "≥",
        ["neq"] = "≠",
        ["ne"] = "≠",
        ["approx"] = "≈",
        ["equiv"] = "≡",
        ["sim"] = "∼",
        ["to"] = "→",
        ["rightarrow"] = "→",
        ["leftarrow"] = "←",
        ["Rightarrow"] = "⇒",
        ["infty"] = "∞",
        ["pm"] = "±",
        ["ldots"] = "…",
        ["cdots"] = "⋯",
        ["dots"] = "…",
        ["circ"] = "∘",
        ["top"] = "T",
        ["prime"] = "′",
        ["forall"] = "∀",
        ["exists"] = "∃",
        ["mid"] = "|",
        ["lVert"] = "‖",
        ["rVert"] = "‖",
        ["Vert"] = "‖",
        ["|"] = "‖",
        ["langle"] = "⟨",
        ["rangle"] = "⟩",
        ["{"] = "{",
        ["}"] = "}",
        ["%"] = "%",
        ["$"] = "$",
        ["_"] = "_",
        ["#"] = "#",
        ["&"] = "&",
        [","] = " ",
        [";"] = " ",
        [":"] = " ",
        ["!"] = "",
        [" "] = " ",
        ["quad"] = "  ",
        ["qquad"] = "    ",
        ["left"] = "",
        ["right"] = "",
        ["big"] = "",
        ["Big"] = "",
        ["bigl"] = "",
        ["bigr"] = "",
    };

    private static readonly HashSet<string> Binary = new(StringComparer.Ordinal)
    {
        "cdot",
        "times",
        "odot",
        "otimes",
        "oplus",
        "in",
        "leq",
        "le",
        "geq",
        "ge",
        "neq",
        "ne",
        "approx",
        "equiv",
        "sim",
        "to",
        "rightarrow",
        "leftarrow",
        "Rightarrow",
        "pm",
        "circ",
        "mid",
    };

    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "tanh",
        "sinh",
        "cosh",
        "exp",
        "log",
        "ln",
        "max",
        "min",
        "sin",
        "cos",
        "tan",
        "arg",
        "argmax",
        "argmin",
        "softmax",
        "sigmoid",
        "det",
        "dim",
        "lim",
        "sup",
        "inf",
    };

    private static readonly HashSet<string> Upright = new(StringComparer.Ordinal)
    {
        "mathrm",
        "text",
        "operatorname",
        "textrm",
        "mathsf",
        "textsf",
        "mbox",
    };

    /// <summary>HTML for the TeX between the dollar signs (the dollars are not part of <paramref name="tex"/>).</summary>
    public static string ToHtml(string tex)
    {
        var sb = new StringBuilder();
        int i = 0;
        Render(tex, ref i, sb, stopAtBrace: false);
        return MultipleSpaces().Replace(sb.ToString(), " ").Trim();
    }

    private static void Render(string tex, ref int i, StringBuilder sb, bool stopAtBrace)
    {
        while (i < tex.Length)
        {
            char c = tex[i];
            if (c == '}' && stopAtBrace)
            {
                i++;
                return;
            }
            switch (c)
            {
                case '{':
                    i++;
                    Render(tex, ref i, sb, stopAtBrace: true);
                    break;
                case '}':
                    i++;
                    break;
                case '_':
                case '^':
                    i++;
                    string tag = c == '_' ? "sub" : "sup";
                    sb.Append('<').Append(tag).Append('>');
                    Argument(tex, ref i, sb);
                    sb.Append("</").Append(tag).Append('>');
                    break;
                case '\\':
                    Command(tex, ref i, sb);
                    break;
                case '\n':
                    sb.Append(' ');
                    i++;
                    break;
                case '&':
                    sb.Append("  ");
                    i++;
                    break;
                default:
                    sb.Append(HtmlText.Escape(c.ToString()));
                    i++;
                    break;
            }
        }
    }

    /// <summary>One argument: a {group}, a command, or a single character.</summary>
    private static void Argument(string tex, ref int i, StringBuilder sb)
    {
        while (i < tex.Length && tex[i] == ' ')
            i++;
        if (i >= tex.Length)
            return;
        if (tex[i] == '{')
        {
            i++;
            Render(tex, ref i, sb, stopAtBrace: true);
        }
        else if (tex[i] == '\\')
        {
            Command(tex, ref i, sb);
        }
        else
        {
            sb.Append(HtmlText.Escape(tex[i].ToString()));
            i++;
        }
    }

    private static string Group(string tex, ref int i)
    {
        var inner = new StringBuilder();
        Argument(tex, ref i, inner);
        return inner.ToString();
    }

    private static void Command(string tex, ref int i, StringBuilder sb)
    {
        int start = ++i;
        if (i < tex.Length && !char.IsLetter(tex[i]))
        {
            string symbol = tex[i].ToString();
            i++;
            sb.Append(Symbols.TryGetValue(symbol, out var s) ? s : HtmlText.Escape(symbol));
            return;
        }
        while (i < tex.Length && char.IsLetter(tex[i]))
            i++;
        string name = tex[start..i];
        // TeX ignores spaces after a control word; binary operators and relations get their own spacing.
        while (i < tex.Length && tex[i] == ' ')
            i++;
        if (Binary.Contains(name))
        {
            sb.Append(' ').Append(HtmlText.Escape(Symbols[name])).Append(' ');
            return;
        }
        if (Symbols.TryGetValue(name, out var symbolText))
        {
            sb.Append(HtmlText.Escape(symbolText));
            if (name is "left" or "right" or "big" or "Big" or "bigl" or "bigr" && i < tex.Length && tex[i] == '.')
                i++;
        }
        else if (Functions.Contains(name))
        {
            sb.Append("<span class=\"up\">").Append(name).Append("</span>");
        }
        else if (Upright.Contains(name))
        {
            sb.Append("<span class=\"up\">").Append(Group(tex, ref i)).Append("</span>");
        }
        else if (name is "mathbf" or "boldsymbol" or "bm")
        {
            sb.Append("<b>").Append(Group(tex, ref i)).Append("</b>");
        }
        else if (name is "frac" or "dfrac" or "tfrac")
        {
            string numerator = Group(tex, ref i);
            string denominator = Group(tex, ref i);
            sb.Append(Wrap(numerator)).Append('/').Append(Wrap(denominator));
        }
        else if (name == "sqrt")
        {
            sb.Append('√').Append(Wrap(Group(tex, ref i), always: true));
        }
        else if (name is "hat" or "bar" or "tilde" or "vec" or "dot")
        {
            string mark = name switch
            {
                "hat" => "\u0302",
                "bar" => "\u0304",
                "tilde" => "\u0303",
                "vec" => "\u20D7",
                _ => "\u0307",
            };
            sb.Append(Group(tex, ref i)).Append(mark);
        }
        else
        {
            sb.Append('\\').Append(HtmlText.Escape(name));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(" {2,}")]
    private static partial System.Text.RegularExpressions.Regex MultipleSpaces();

    private static string Wrap(string html, bool always = false)
    {
        string plain = System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", "");
        return always || plain.Length > 1 ? $"({html})" : html;
    }
}
