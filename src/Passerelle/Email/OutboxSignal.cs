namespace Passerelle.Email;

/// <summary>
/// Wakes this instance's dispatcher as soon as a transaction committed mail (see OutboxWakeUp), so an idle queue delivers within
/// moments; other instances find the rows on their next poll.
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // Already signalled: the dispatcher will look once for all of them. Checked first: under load nearly every save
        // finds it so, and a thrown SemaphoreFullException each time cost more than the save's own work.
        if (_signal.CurrentCount > 0)
            return;
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled in between by another save.
        }
    }

    public void Dispose() => _signal.Dispose();

    /// <summary>Waits for a signal or the poll interval, whichever comes first; true when signalled.</summary>
    public async Task<bool> WaitAsync(TimeSpan pollInterval, CancellationToken ct)
    {
        try
        {
            return await _signal.WaitAsync(pollInterval, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
