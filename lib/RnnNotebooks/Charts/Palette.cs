using System.Globalization;

namespace RnnNotebooks.Charts;

/// <summary>Colours: a categorical palette for series, and continuous scales for heatmaps.</summary>
public static class Palette
{
    /// <summary>Tableau 10: distinct, colour-blind-aware, readable on white.</summary>
    public static IReadOnlyList<string> Categorical { get; } =
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    public static string Series(int index) => Categorical[index % Categorical.Count];

    private static readonly (double R, double G, double B)[] Viridis =
    [
        (68, 1, 84),
        (72, 40, 120),
        (62, 74, 137),
        (49, 104, 142),
        (38, 130, 142),
        (31, 158, 137),
        (53, 183, 121),
        (109, 205, 89),
        (180, 222, 44),
        (253, 231, 37),
    ];

    private static readonly (double R, double G, double B)[] Blues =
    [
        (247, 251, 255),
        (222, 235, 247),
        (198, 219, 239),
        (158, 202, 225),
        (107, 174, 214),
        (66, 146, 198),
        (33, 113, 181),
        (8, 81, 156),
        (8, 48, 107),
    ];

    private static readonly (double R, double G, double B)[] RedBlue =
    [
        (5, 48, 97),
        (33, 102, 172),
        (67, 147, 195),
        (146, 197, 222),
        (209, 229, 240),
        (247, 247, 247),
        (253, 219, 199),
        (244, 165, 130),
        (214, 96, 77),
        (178, 24, 43),
        (103, 0, 31),
    ];

    /// <summary>The colour at <paramref name="t"/> in [0, 1] of a continuous scale, as #rrggbb.</summary>
    public static string Scale(ColorScale scale, double t)
    {
        var stops = scale switch
        {
            ColorScale.Blues => Blues,
            ColorScale.Diverging => RedBlue,
            _ => Viridis,
        };
        if (double.IsNaN(t))
            return "#d0d7de";
        t = Math.Clamp(t, 0, 1) * (stops.Length - 1);
        int i = Math.Min((int)t, stops.Length - 2);
        double f = t - i;
        var (r0, g0, b0) = stops[i];
        var (r1, g1, b1) = stops[i + 1];
        return Hex(r0 + (r1 - r0) * f, g0 + (g1 - g0) * f, b0 + (b1 - b0) * f);
    }

    /// <summary>Relative luminance of #rrggbb, to choose dark or light text on a coloured cell.</summary>
    internal static double Luminance(string hex)
    {
        double Channel(int at) =>
            int.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
        return 0.2126 * Channel(1) + 0.7152 * Channel(3) + 0.0722 * Channel(5);
    }

    private static string Hex(double r, double g, double b) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"#{(int)Math.Round(r):x2}{(int)Math.Round(g):x2}{(int)Math.Round(b):x2}"
        );
}

/// <summary>Continuous colour scales for heatmaps.</summary>
public enum ColorScale
{
    /// <summary>Diverging (blue–white–red, centred on zero) when the data has both signs, else viridis.</summary>
    Auto,

    /// <summary>Perceptually uniform dark purple → yellow.</summary>
    Viridis,

    /// <summary>White → dark blue.</summary>
    Blues,

    /// <summary>Blue (negative) → white (zero) → red (positive), symmetric around zero.</summary>
    Diverging,
}
