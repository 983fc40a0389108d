namespace RnnNotebooks.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("benchmarks: not implemented yet");
        return 2;
    }
}
