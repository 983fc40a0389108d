namespace RnnNotebooks.Runner;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("rnnbook: not implemented yet");
        return 2;
    }
}
