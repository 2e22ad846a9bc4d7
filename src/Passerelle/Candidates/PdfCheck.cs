using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Passerelle.Candidates;

/// <summary>
/// Whether an uploaded PDF opens as one (PdfPig) with at least a page. PdfPig is run in a short-lived child process
/// (<c>Passerelle.dll check-pdf</c>, the file on its standard input): a crafted file can overflow a parser's stack,
/// which no catch survives, and that must end the child, not the server. The child has 20 seconds and 512 MB.
/// </summary>
public static class PdfCheck
{
    public const string Command = "check-pdf";
    private const int Opens = 0;
    private const int DoesNotOpen = 3;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(20);

    /// <summary>True when the PDF opens, checked in a child process; false when it does not, or when the child failed.</summary>
    public static async Task<bool> OpensAsync(ReadOnlyMemory<byte> content, ILogger logger, CancellationToken ct)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            Environment = { ["DOTNET_GCHeapHardLimit"] = "0x20000000" },
        };
        start.ArgumentList.Add(typeof(PdfCheck).Assembly.Location);
        start.ArgumentList.Add(Command);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("The PDF check could not start.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeLimit);
        try
        {
            var drained = Task.WhenAll(child.StandardOutput.ReadToEndAsync(limit.Token), child.StandardError.ReadToEndAsync(limit.Token));
            await child.StandardInput.BaseStream.WriteAsync(content, limit.Token);
            child.StandardInput.Close();
            await child.WaitForExitAsync(limit.Token);
            await drained;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            child.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested)
                throw;
            logger.LogWarning("The PDF check took longer than {Seconds} s: the file is refused.", TimeLimit.TotalSeconds);
            return false;
        }
        if (child.ExitCode is not (Opens or DoesNotOpen))
            logger.LogWarning("The PDF check ended abnormally (exit code {Code}): the file is refused.", child.ExitCode);
        return child.ExitCode == Opens;
    }

    /// <summary>The child's side: reads the file from standard input; exit code 0 when it opens, 3 when it does not.</summary>
    public static int RunChild(Stream input)
    {
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return Open(buffer.ToArray()) ? Opens : DoesNotOpen;
    }

    /// <summary>PdfPig itself (only ever called in the child, or by unit tests on harmless files).</summary>
    public static bool Open(byte[] content)
    {
        try
        {
            using var pdf = UglyToad.PdfPig.PdfDocument.Open(content);
            return pdf.NumberOfPages >= 1 && pdf.GetPage(1) is not null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>The dotnet host that runs this app (the one beside the shared runtime in use).</summary>
    private static string DotnetHost()
    {
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}
