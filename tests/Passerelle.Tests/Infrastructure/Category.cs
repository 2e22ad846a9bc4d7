using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Passerelle.Tests.Infrastructure.CategorisingTestFramework", "Passerelle.Tests")]

namespace Passerelle.Tests.Infrastructure;

/// <summary>
/// The categories of tests that need more than .NET: <c>[Trait("Category", Category.Smtp)]</c> on a class whose tests
/// start the SMTP sink, and so on. <c>scripts/test.sh --fast</c> runs the tests with none of them; the full run counts
/// the <see cref="PostgreSQL"/> ones in the TRX and fails under CI when none ran.
/// </summary>
public static class Category
{
    public const string Name = "Category";

    /// <summary>Put on no test by hand: every test case run with <see cref="DatabaseProvider.PostgreSQL"/> gets it (<see cref="CategorisingTestFramework"/>).</summary>
    public const string PostgreSQL = nameof(PostgreSQL);

    /// <summary>Drives Chromium with Playwright.</summary>
    public const string Browser = nameof(Browser);

    /// <summary>Starts the SMTP sink (python3-aiosmtpd).</summary>
    public const string Smtp = nameof(Smtp);

    /// <summary>Starts a child process (Passerelle.dll, the PDF check) or Kestrel on a port.</summary>
    public const string Process = nameof(Process);

    /// <summary>Set to <c>fast</c> by <c>scripts/test.sh --fast</c>, which runs only the tests of no category.</summary>
    public const string SetVariable = "PASSERELLE_TEST_SET";

    /// <summary>
    /// Called by what starts a server, a process or a browser: in the fast set it fails the test, so a test that needs
    /// one but lacks its trait is caught the first time the fast set runs, instead of slowing it down or failing later.
    /// </summary>
    public static void Needs(string category)
    {
        if (Environment.GetEnvironmentVariable(SetVariable) == "fast")
            throw new InvalidOperationException(
                $"This test needs {category} but runs in the fast set (scripts/test.sh --fast): add [Trait(Category.Name, Category.{category})] to its class.");
    }
}

/// <summary>
/// xUnit as usual, except that each test case whose arguments include <see cref="DatabaseProvider.PostgreSQL"/> is
/// tagged <c>Category=PostgreSQL</c>: the SQLite case of the same theory is not, so a filter and the TRX count only
/// tests that really talked to PostgreSQL, and no new test can forget the tag.
/// </summary>
public sealed class CategorisingTestFramework(IMessageSink diagnosticMessageSink) : XunitTestFramework(diagnosticMessageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus,
            ITestFrameworkDiscoveryOptions discoveryOptions) =>
            base.FindTestsForMethod(testMethod, includeSourceInformation, new Tagging(messageBus), discoveryOptions);
    }

    private sealed class Tagging(IMessageBus inner) : IMessageBus
    {
        public bool QueueMessage(IMessageSinkMessage message)
        {
            if (message is ITestCaseDiscoveryMessage { TestCase: var testCase }
                && testCase.TestMethodArguments?.Any(a => a is DatabaseProvider.PostgreSQL) == true)
            {
                if (!testCase.Traits.TryGetValue(Category.Name, out var values))
                    testCase.Traits[Category.Name] = values = [];
                if (!values.Contains(Category.PostgreSQL))
                    values.Add(Category.PostgreSQL);
            }
            return inner.QueueMessage(message);
        }

        public void Dispose()
        {
            // The discoverer owns the bus it passed in.
        }
    }
}
