namespace Passerelle.Common;

/// <summary>Work started and not awaited one by one (mails, webhook deliveries), kept to a number running at once.</summary>
public static class InFlight
{
    /// <summary>
    /// Waits until at most <paramref name="most"/> of <paramref name="tasks"/> are still running (looked at again after each
    /// one ends: the limit may change meanwhile). The running ones are listed once per wait: counted then listed again, they
    /// could all end in between, and <see cref="Task.WhenAny(IEnumerable{Task})"/> of nothing throws.
    /// </summary>
    public static async Task WaitUntilAtMostAsync(List<Task> tasks, Func<int> most)
    {
        while (tasks.Where(t => !t.IsCompleted).ToList() is var running && running.Count > most())
            await Task.WhenAny(running);
    }
}
