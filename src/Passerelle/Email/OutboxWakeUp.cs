using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Passerelle.Storage;

namespace Passerelle.Email;

/// <summary>
/// Wakes the dispatcher whenever a save added mail to the outbox — once the rows are committed: right after a save
/// made outside a transaction, or when the transaction the save ran in commits (never if it is rolled back or dropped).
/// Nobody has to remember to call <see cref="OutboxSignal.Notify"/>.
/// </summary>
public sealed class OutboxWakeUp(OutboxSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        NoteAddedMail(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        NoteAddedMail(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Failed(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Failed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData);
        return Task.CompletedTask;
    }

    private static void NoteAddedMail(DbContext? context)
    {
        if (context is not PasserelleDb db || !AddsMail(db.ChangeTracker))
            return;
        // In a transaction of the caller's, the mail is committed with that transaction (which an id tells from any
        // later one: a transaction dropped without commit simply never matches); otherwise with this save.
        if (db.Database.CurrentTransaction is { } transaction)
            db.MailAwaitingCommit = transaction.TransactionId;
        else
            db.MailSavedAlone = true;
    }

    /// <summary>
    /// Outbox rows are only ever added (Add sets their state at once), so the tracker's states are read as they are:
    /// EF detects changes right after this interceptor, and doing it here too would scan every save twice.
    /// </summary>
    private static bool AddsMail(Microsoft.EntityFrameworkCore.ChangeTracking.ChangeTracker tracker)
    {
        var detecting = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return tracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detecting;
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is PasserelleDb { MailSavedAlone: true } db)
        {
            db.MailSavedAlone = false;
            signal.Notify();
        }
    }

    private static void Failed(DbContext? context)
    {
        if (context is PasserelleDb db)
            db.MailSavedAlone = false;
    }

    private void Committed(TransactionEndEventData eventData)
    {
        if (eventData.Context is PasserelleDb db && db.MailAwaitingCommit == eventData.TransactionId)
        {
            db.MailAwaitingCommit = null;
            signal.Notify();
        }
    }
}
