namespace Passerelle.Storage;

/// <summary>A start-up problem the operator must fix; its message is the one line printed before exiting.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
