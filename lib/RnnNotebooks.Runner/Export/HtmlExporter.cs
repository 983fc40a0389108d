using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner.Export;

public static class HtmlExporter
{
    public static string Export(NotebookDocument notebook) => "";
}
