using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Passerelle.Tests.Infrastructure;

/// <summary>Every log line of a test server, with its category, scopes and exceptions: what a log file would hold.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Queue { get; } = new();
    public string[] Messages => Queue.ToArray();
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Queue.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Queue.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
