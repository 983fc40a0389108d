using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

/// <summary>The library as a NuGet package in a local folder, used from a notebook anywhere (as the README says).</summary>
[Collection("Runner")]
public class LibraryPackageTests
{
    [Fact]
    public async Task A_notebook_outside_the_repository_uses_the_packed_library_through_a_local_package_folder()
    {
        using var dir = new TempDirectory();
        // A version of its own, so that NuGet's cache never serves an older build of the same version.
        string version = "0.1.0-test" + Guid.NewGuid().ToString("N")[..8];
        string project = Path.Combine(RepositoryRoot(), "lib", "RnnNotebooks", "RnnNotebooks.csproj");
        var pack = RunProcess(
            "dotnet",
            dir.Path,
            TimeSpan.FromMinutes(5),
            "pack",
            project,
            "-c",
            "Release",
            "--no-build",
            "-o",
            dir["packages"],
            $"-p:Version={version}"
        );
        pack.ExitCode.Should().Be(0, pack.Stdout + pack.Stderr);
        File.Exists(dir[$"packages/RnnNotebooks.{version}.nupkg"]).Should().BeTrue();

        string path = WriteNotebook(
            dir["anywhere/uses-package.ipynb"],
            Code($"#i \"nuget: {dir["packages"]}\"\n#r \"nuget: RnnNotebooks, {version}\""),
            Code("using RnnNotebooks.Tensors;\nTensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } })")
        );

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        PlainText(notebook.Cells[1].Outputs.Single()).Should().StartWith("Tensor (2, 2)");
        NotebookCellText(notebook.Cells[1].Outputs.Single()!["data"]!["text/html"])
            .Should()
            .Contain("Tensor (2, 2) float32");
    }
}
