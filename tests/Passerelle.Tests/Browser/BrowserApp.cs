using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using Passerelle.Email.DevMailbox;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Browser;

/// <summary>
/// Passerelle as a user runs it (the built app, Development, SQLite and mail in ./data/ of a fresh folder),
/// driven by Playwright through Debian's Chromium. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class BrowserApp : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _directory;
    private readonly AppProcess _process;
    private readonly IPlaywright _playwright;

    private BrowserApp(string directory, AppProcess process, string baseUrl, IPlaywright playwright, IBrowser browser)
    {
        _directory = directory;
        _process = process;
        BaseUrl = baseUrl;
        _playwright = playwright;
        Browser = browser;
    }

    public string BaseUrl { get; }

    private readonly List<string> _cspViolations = [];

    /// <summary>What the browser refused under the Content-Security-Policy on any page opened so far (should be nothing).</summary>
    public IReadOnlyList<string> CspViolations { get { lock (_cspViolations) return [.. _cspViolations]; } }
    public IBrowser Browser { get; }
    public string MailFolder => Path.Combine(_directory, "data", "mail");

    public DatabaseOptions Database => DatabaseOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["Database:ConnectionString"] = $"Data Source={Path.Combine(_directory, "data", "passerelle.db")}",
    }).Build());

    public static async Task<BrowserApp> StartAsync()
    {
        Category.Needs(Category.Browser);
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException("The browser tests drive Debian's Chromium (apt-get install chromium); scripts/test.sh installs it.");

        var directory = Directory.CreateTempSubdirectory("passerelle-browser-").FullName;
        var port = AppProcess.FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var process = AppProcess.Start(directory, ["--urls", baseUrl, $"--Email:PublicBaseUrl={baseUrl}"],
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        using (var http = new HttpClient { BaseAddress = new Uri(baseUrl) })
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                        break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                }
                if (DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"Passerelle did not become ready: {process.StandardError}");
                await Task.Delay(200);
            }
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new BrowserApp(directory, process, baseUrl, playwright, browser);
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", TimezoneId = "Europe/Paris", ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                lock (_cspViolations) _cspViolations.Add($"{page.Url}: {message.Text}");
        };
        return page;
    }

    /// <summary>Waits for a mail whose subject starts with <paramref name="subject"/> (to <paramref name="to"/>, if given) in the mail folder.</summary>
    public async Task<SentMail> WaitForMailAsync(string subject, string? to = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.Exists(MailFolder))
            {
                foreach (var file in Directory.GetFiles(MailFolder, "*.eml"))
                {
                    var message = SentMail.Load(file);
                    if (message.Subject.StartsWith(subject, StringComparison.Ordinal) && (to is null || message.To.Contains(to, StringComparison.Ordinal)))
                        return message;
                }
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No mail '{subject}' in {MailFolder}");
    }

    public static async Task ScreenshotAsync(IPage page, string name, ILocator? element = null)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        if (element is null)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        else
            await element.ScreenshotAsync(new LocatorScreenshotOptions { Path = path });
    }

    /// <summary>axe-core's serious and critical violations on the page as it is now ("rule: target" each).</summary>
    public static async Task<IReadOnlyList<string>> AccessibilityViolationsAsync(IPage page)
    {
        var axe = Path.Combine(RepositoryRoot(), "tests", "Passerelle.Tests", "node_modules", "axe-core", "axe.min.js");
        if (!File.Exists(axe))
            throw new InvalidOperationException("axe-core is missing: run npm ci in tests/Passerelle.Tests (scripts/test.sh does).");
        // Evaluated through the DevTools protocol: a <script> tag would be an inline script, which the page's CSP refuses.
        await page.EvaluateAsync(await File.ReadAllTextAsync(axe));
        var result = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.map(v => ({ id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' ')) }))");
        return result.EnumerateArray()
            .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => $"{v.GetProperty("id").GetString()}: {string.Join(", ", v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()))}")
            .ToList();
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Passerelle.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Passerelle.slnx not found above the test binaries");
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await _process.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The app may still hold a file for a moment; the temp folder is cleaned by the system.
        }
    }
}
