using System.Text.RegularExpressions;

namespace RnnNotebooks.Text;

/// <summary>HTML clean-up for review texts (the aclImdb reviews contain <c>&lt;br /&gt;</c> line breaks).</summary>
public static partial class Html
{
    /// <summary>
    /// Removes every tag — anything from <c>&lt;</c> to the next <c>&gt;</c>, the regex <c>&lt;[^&gt;]+&gt;</c> of seed 004's
    /// <c>rm_tags</c>. With the default empty replacement words on both sides of a tag run together
    /// (<c>"end.&lt;br /&gt;&lt;br /&gt;The"</c> → <c>"end.The"</c>), exactly as in the seed; pass <c>" "</c> to keep them apart.
    /// Entities such as <c>&amp;amp;</c> are left alone.
    /// </summary>
    public static string StripTags(string text, string replacement = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(replacement);
        return text.Contains('<') ? Tag().Replace(text, replacement) : text;
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();
}
