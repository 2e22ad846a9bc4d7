using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Passerelle.Storage;

namespace Passerelle.Candidates;

/// <summary>
/// A save about a candidate (their answer, or one given for them; their profile pushed) that must not outlive their erasure:
/// their row is written with it, under its concurrency token (<c>WHERE erased_at IS NULL</c>), in the same batch. An erasure
/// under way holds that row: the save waits for it, then changes nothing (<see cref="DbUpdateConcurrencyException"/>); an
/// erasure starting later waits for the save, then erases what it wrote.
/// </summary>
public static class CandidateHold
{
    /// <summary>
    /// Marks the candidate's row for the next save. Gives the stand-in row attached for it, to let go after the save (null
    /// when the context tracked the candidate already).
    /// </summary>
    public static EntityEntry<Candidate>? Hold(PasserelleDb db, Guid candidateId, Guid schoolId)
    {
        var tracked = db.ChangeTracker.Entries<Candidate>().FirstOrDefault(e => e.Entity.Id == candidateId);
        var entry = tracked ?? db.Attach(new Candidate { Id = candidateId, SchoolId = schoolId });
        entry.Property(c => c.ErasedAt).IsModified = true;
        return tracked is null ? entry : null;
    }
}
