using System.Text.Json;
using System.Text.Json.Nodes;

namespace RnnNotebooks.Runner.Export;

/// <summary>
/// Math rendered by KaTeX at export time, many formulas per Node process. A formula KaTeX cannot parse is shown
/// as its TeX in a marked span and reported in <see cref="Problems"/>.
/// </summary>
public sealed class Katex
{
    private readonly Dictionary<(string Tex, bool Display), string> _rendered = [];

    public List<string> Problems { get; } = [];

    /// <summary>Renders every formula not yet rendered, in one Node run.</summary>
    public void RenderAll(IEnumerable<(string Tex, bool Display)> formulas, string where)
    {
        var todo = formulas.Distinct().Where(f => !_rendered.ContainsKey(f)).ToList();
        if (todo.Count == 0)
            return;
        var request = new JsonArray(
            todo.Select(f => (JsonNode)new JsonObject { ["tex"] = f.Tex, ["display"] = f.Display }).ToArray()
        );
        var reply =
            JsonNode.Parse(BookAssets.RunNode(BookAssets.KatexScript, request.ToJsonString())) as JsonArray
            ?? throw new InvalidOperationException("KaTeX returned no list");
        for (int i = 0; i < todo.Count; i++)
        {
            var item = reply[i] as JsonObject;
            if (item?["html"] is JsonValue html)
            {
                _rendered[todo[i]] = html.GetValue<string>();
                continue;
            }
            string error = item?["error"]?.GetValue<string>() ?? "no output";
            Problems.Add($"{where}: KaTeX cannot render ${todo[i].Tex}$: {error}");
            string tag = todo[i].Display ? "div" : "span";
            _rendered[todo[i]] =
                $"<{tag} class=\"math-error\" title=\"{HtmlText.Escape(error)}\">{HtmlText.Escape(todo[i].Tex)}</{tag}>";
        }
    }

    public string Html(string tex, bool display) =>
        _rendered.TryGetValue((tex, display), out var html)
            ? html
            : throw new InvalidOperationException($"formula not rendered: {JsonSerializer.Serialize(tex)}");
}
