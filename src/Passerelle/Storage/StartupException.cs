namespace Passerelle.Storage;

/// <summary>A start-up problem the operator must fix; each line of its message is printed before exiting.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
