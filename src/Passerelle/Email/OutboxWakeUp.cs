using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Passerelle.Storage;

namespace Passerelle.Email;

/// <summary>
/// Wakes the dispatcher whenever a save added mail to the outbox — once the rows are committed: right after the save,
/// or when the transaction around it commits. Nobody has to remember to call <see cref="OutboxSignal.Notify"/>.
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
        WakeIfCommitted(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        WakeIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>A new transaction starts clean, whatever became of an earlier one.</summary>
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        RolledBack(eventData.Context);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        RolledBack(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Wake(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Wake(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => RolledBack(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        RolledBack(eventData.Context);
        return Task.CompletedTask;
    }

    private static void NoteAddedMail(DbContext? context)
    {
        if (context is not PasserelleDb db)
            return;
        var adds = db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
        // Outside a transaction only this save counts: a transaction disposed without commit or rollback (no event
        // tells) leaves nothing behind that a later save could mistake for committed mail.
        db.MailAwaitingCommit = adds || (db.MailAwaitingCommit && db.Database.CurrentTransaction is not null);
    }

    private void WakeIfCommitted(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
            Wake(context);
    }

    private void Wake(DbContext? context)
    {
        if (context is PasserelleDb { MailAwaitingCommit: true } db)
        {
            db.MailAwaitingCommit = false;
            signal.Notify();
        }
    }

    private static void RolledBack(DbContext? context)
    {
        if (context is PasserelleDb db)
            db.MailAwaitingCommit = false;
    }

    /// <summary>A failed save wrote nothing; inside a transaction, earlier saves may still commit their mail.</summary>
    private static void Forget(DbContext? context)
    {
        if (context is PasserelleDb db && db.Database.CurrentTransaction is null)
            db.MailAwaitingCommit = false;
    }
}
