namespace RnnNotebooks.Display;

/// <summary>The MIME types the workbook's outputs use.</summary>
public static class MimeTypes
{
    public const string Html = "text/html";
    public const string PlainText = "text/plain";
    public const string Svg = "image/svg+xml";
}
